"""Flask extensions, created once and bound to the app in `init_app`."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import marshmallow as ma
import sqlalchemy as sa
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api, Blueprint
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from processor.db_types import UTCDateTime
from processor.errors import Conflict, DomainError


class Base(DeclarativeBase):
    # Named constraints, so migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def _render_item(type_, obj, autogen_context):
    """Render the project's column types as plain SQLAlchemy types, so migrations never import app code."""

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as every API error is returned (documentation only)."""

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    instance = ma.fields.String()
    errors = ma.fields.List(ma.fields.Dict())


class ProblemApi(Api):
    """flask-smorest Api whose errors are documented as problem+json and handled by `processor.errors`."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        # processor.errors registers one handler for the API and the web pages alike.
        pass

    def register_blueprint(self, blp, *, parameters=None, **options):
        # API clients authenticate with bearer tokens, never cookies, so CSRF does not apply to the API.
        csrf.exempt(blp)
        super().register_blueprint(blp, parameters=parameters, **options)


# Invalid input is 400 Bad Request everywhere (webargs' default is 422).
Blueprint.ARGUMENTS_PARSER.DEFAULT_VALIDATION_STATUS = 400


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    _create_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    with app.app_context():
        sa.event.listen(db.engine, "connect", _sqlite_pragmas(app.config["SQLITE_BUSY_TIMEOUT_MS"]))
    migrate.init_app(
        app,
        db,
        directory=str(app.root_path + "/migrations"),
        compare_type=True,
        render_item=_render_item,
        render_as_batch=True,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    limiter.init_app(app)
    # One Api per app: tests build many apps in one process, and the spec must not accumulate across them.
    app.extensions["api"] = ProblemApi(app)


def _create_sqlite_file(uri: str) -> None:
    """Create a SQLite database file readable by its owner only (0600) before SQLite creates it world-readable."""
    url = sa.engine.make_url(uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    path = Path(url.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))


def _sqlite_pragmas(busy_timeout_ms: int):
    """Set up every new SQLite connection for many readers and one writer at a time.

    WAL lets readers go on while a writer (an import's commit) holds its transaction; busy_timeout makes a second
    writer wait its turn instead of failing at once with "database is locked"; synchronous=NORMAL is durable
    across application crashes in WAL mode (a power cut may lose the last commits, never corrupt); SQLite
    enforces foreign keys only when asked, per connection.
    """

    def on_connect(dbapi_connection, _record) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    return on_connect


def api_for(app: Flask) -> ProblemApi:
    """The app's flask-smorest Api, to register API blueprints on."""
    return app.extensions["api"]


def commit_or_conflict(detail: str, *, errors: list[dict] | None = None, error: type[DomainError] = Conflict) -> None:
    """Commit the unit of work; if a unique constraint lost a race, roll back and raise `error` (409 by default)."""
    try:
        db.session.commit()
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        raise error(detail, errors=errors) from exc
