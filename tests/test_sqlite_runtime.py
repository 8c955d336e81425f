"""SQLite as an embedded default: every connection set up for concurrent readers and one careful writer."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import create_app
from processor.extensions import db


@pytest.fixture
def sqlite_app(tmp_path):
    return create_app(
        {"SECRET_KEY": "x" * 32, "APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"},
        instance_path=str(tmp_path / "instance"),
    )


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("busy_timeout", 30000), ("synchronous", 1), ("foreign_keys", 1)],
)
def test_every_sqlite_connection_gets_the_runtime_pragmas(sqlite_app, pragma, expected):
    with sqlite_app.app_context():
        connections = [db.engine.connect() for _ in range(2)]  # a second pooled connection is set up too
        try:
            for connection in connections:
                assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
        finally:
            for connection in connections:
                connection.close()
        db.engine.dispose()


def test_sqlite_database_file_is_created_owner_only(sqlite_app, tmp_path):
    with sqlite_app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        db.engine.dispose()
    assert (tmp_path / "new.sqlite3").stat().st_mode & 0o077 == 0


def test_rate_limits_use_redis_when_redis_is_configured(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    app = create_app({"SECRET_KEY": "x" * 32}, instance_path=str(tmp_path))
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:1/0"


def test_rate_limits_stay_in_memory_only_without_redis(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    app = create_app({"SECRET_KEY": "x" * 32}, instance_path=str(tmp_path))
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
