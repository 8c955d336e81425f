"""Configuration order and start-up refusals."""

from __future__ import annotations

import pytest

from app import create_app
from processor.config import ConfigurationError, sqlalchemy_url


def test_production_without_secret_key_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("APP_ENV", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
    assert not (tmp_path / "secret_key").exists()


def test_development_generates_a_secret_key_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"APP_ENV": "development"}, instance_path=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) == 64
    assert key_file.stat().st_mode & 0o077 == 0
    again = create_app({"APP_ENV": "development"}, instance_path=str(tmp_path))
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-instance'\nLOGIN_MAX_FAILURES = 9\n")
    monkeypatch.setenv("SECRET_KEY", "from-environment")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-environment"
    assert app.config["LOGIN_MAX_FAILURES"] == 9


def test_session_cookie_is_secure_outside_development(tmp_path):
    prod = create_app({"SECRET_KEY": "x" * 32}, instance_path=str(tmp_path))
    dev = create_app({"SECRET_KEY": "x" * 32, "APP_ENV": "development"}, instance_path=str(tmp_path))
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert dev.config["SESSION_COOKIE_SECURE"] is False
    assert prod.config["SESSION_COOKIE_HTTPONLY"] is True
    assert prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h:5/db", "postgresql+psycopg://u@h:5/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_uses_psycopg3(given, expected):
    assert sqlalchemy_url(given) == expected


@pytest.mark.parametrize(("proxies", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_forwarded_address_is_believed_only_behind_trusted_proxies(tmp_path, proxies, seen):
    app = create_app(
        {"APP_ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://", "TRUSTED_PROXIES": proxies},
        instance_path=str(tmp_path),
    )

    @app.get("/_whoami")
    def whoami():
        from flask import request

        return {"address": request.remote_addr, "scheme": request.scheme}

    answer = app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert answer.get_json()["address"] == seen
    assert answer.get_json()["scheme"] == ("https" if proxies else "http")


def test_trusted_proxies_must_be_a_whole_number(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "two")
    with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES must be a whole number"):
        create_app({"APP_ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
