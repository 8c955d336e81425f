"""Configuration: defaults in code, then instance/config.py, then environment variables, then test config."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask

from processor.secret_files import create_once

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """The service cannot start as configured; the message says what to set."""


ENV_VARS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "APP_ENV",
    "MASTER_KEY_FILE",
    "MASTER_KEY",
    "REDIS_URL",
    "RATELIMIT_STORAGE_URI",
    "SUBPROCESSOR_NOTICE_DAYS",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_FROM",
    "TRUSTED_PROXIES",
)


def load(app: Flask, test_config: dict | None) -> None:
    """Fill app.config in the documented order of precedence."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(_defaults(app))
    app.config.from_pyfile("config.py", silent=True)
    for name in ENV_VARS:
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    if test_config:
        app.config.from_mapping(test_config)
    if app.config.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(app.config["DATABASE_URL"])
    app.config["SESSION_COOKIE_SECURE"] = not is_development(app)
    _shared_stores(app)
    app.config["SUBPROCESSOR_NOTICE_DAYS"] = _notice_days(app.config["SUBPROCESSOR_NOTICE_DAYS"])
    app.config["TRUSTED_PROXIES"] = _whole_number("TRUSTED_PROXIES", app.config["TRUSTED_PROXIES"], "e.g. 1")
    _load_secret_key(app)


def _shared_stores(app: Flask) -> None:
    """Rate limits live in Redis when there is one: every web worker must count against the same bucket."""
    if app.config.get("RATELIMIT_STORAGE_URI") is None:
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    if app.config["RATELIMIT_STORAGE_URI"].startswith("memory") and not is_development(app):
        log.warning(
            "rate limits are kept in this process's memory: with several web workers each counts alone; "
            "set REDIS_URL (or RATELIMIT_STORAGE_URI) in production"
        )


def _notice_days(value) -> int:
    """The sub-processor notice period as whole days (it may come from the environment as text)."""
    return _whole_number("SUBPROCESSOR_NOTICE_DAYS", value, "e.g. 30 (GDPR Art. 28(2) notice, in days)")


def _whole_number(name: str, value, example: str) -> int:
    """A setting that must be a whole number, 0 or more (it may come from the environment as text)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if number < 0:
        raise ConfigurationError(f"{name} must be a whole number, 0 or more, not {value!r}: set it to {example}.")
    return number


def _defaults(app: Flask) -> dict:
    instance = Path(app.instance_path)
    return {
        "APP_ENV": "production",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'processor.sqlite3'}",
        # Never echo bound parameters (ciphertexts, blind indexes) into exception messages or logs.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True, "pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,
        # Sign-in throttles (processor/accounts/throttle.py): per address, per (login, address), per login.
        "LOGIN_ADDRESS_LIMIT": "20 per minute;200 per hour",
        "LOGIN_PAIR_LIMIT": "5 per 15 minutes",
        "LOGIN_ACCOUNT_LIMIT": "50 per hour",
        "LOGIN_RESET_MAIL_LIMIT": "3 per hour",
        "RESET_TOKEN_MAX_AGE": 3600,
        # Outgoing mail (password reset). Without MAIL_SERVER, development writes mails to instance/mail/.
        "MAIL_SERVER": None,
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_FROM": "no-reply@localhost",
        "MASTER_KEY_FILE": str(instance / "master.keys"),
        "SECRET_KEY_FILE": str(instance / "secret_key"),
        # None: Redis when REDIS_URL is set, else memory (right only for the embedded single web process).
        "RATELIMIT_STORAGE_URI": None,
        # The job queue: Redis when REDIS_URL is set, else SQLite beside the database in instance/.
        "REDIS_URL": None,
        "HUEY_SQLITE_FILE": str(instance / "jobs.sqlite3"),
        # How long a SQLite connection waits for another's write (an import's commit) before giving up.
        "SQLITE_BUSY_TIMEOUT_MS": 30_000,
        # Off: processor.api.rate_headers sends the IETF draft's RateLimit fields, and Retry-After only on 429.
        "RATELIMIT_HEADERS_ENABLED": False,
        "API_TITLE": "Participant registry processor",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "PROCESSOR_NAME": "ClickMeeting Sp. z o.o.",
        "PROCESSOR_ADDRESS": "ul. Arkońska 6, A4, 80-387 Gdańsk, Poland",
        # Days between announcing a sub-processor and its taking effect (GDPR Art. 28(2) notice).
        "SUBPROCESSOR_NOTICE_DAYS": 30,
        # Reverse proxies (load balancers) in front of the app whose X-Forwarded-For/-Proto/-Host to believe.
        # 0 (the default) believes none, so a client cannot forge its address around the per-address limits.
        "TRUSTED_PROXIES": 0,
    }


def sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common `postgres[ql]://` form."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_development(app: Flask) -> bool:
    return app.config.get("APP_ENV") in {"development", "testing"}


def _load_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    key_file = Path(app.config["SECRET_KEY_FILE"])
    if not key_file.exists() and is_development(app):
        create_once(key_file, secrets.token_hex(32).encode())  # or another process just did: read that one
    if key_file.exists():
        app.config["SECRET_KEY"] = key_file.read_text().strip()


def check_secrets(app: Flask) -> None:
    """Refuse to start, saying what to do, when a required secret is missing."""
    if not app.config.get("SECRET_KEY"):
        raise ConfigurationError(
            "SECRET_KEY is not set: export SECRET_KEY (e.g. `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`), put it in instance/config.py, or run with APP_ENV=development "
            "to generate a development key into instance/."
        )
