"""Data-key rotation at scale: `rotate-account` of one organizer's rows in a table full of other organizers' rows,
against the same rotation in a table holding only that organizer's rows.

Goal: rows/s with 1,000,000 other rows (x scale) within 2x of the empty table (ratio >= 0.5x), on SQLite and, with
BENCH_DATABASE_URL, on PostgreSQL: the rotation walks each of the organizer's registries by keyset on
(key_version, id) over an index that leads with the registry, so its cost follows the organizer's rows.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
import tempfile
import time
import uuid
from pathlib import Path

from bench import create_organizer

MASTER_KEY = "1:" + base64.b64encode(secrets.token_bytes(32)).decode()
CHUNK = 20_000


def run(scale: float) -> list[dict]:
    rows, others = max(1000, int(50_000 * scale)), max(10_000, int(1_000_000 * scale))
    engines = [("SQLite", None)]
    if os.environ.get("BENCH_DATABASE_URL"):
        engines.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    figures = []
    for label, url in engines:
        alone = _rotation(rows, 0, url)
        crowded = _rotation(rows, others, url)
        figures.append(
            {
                "name": f"rotate-account of {rows:,} rows among {others:,} other organizers' rows, {label}",
                "value": crowded,
                "unit": "rows/s",
                "baseline": alone,
                "ratio": crowded / alone,
                "target": ">= 0.5x",
            }
        )
    return figures


def _rotation(rows: int, others: int, url: str | None) -> float:
    """Rows/s of one organizer's data-key rotation in a fresh database holding `others` rows of other organizers."""
    import flask_migrate
    import sqlalchemy as sa

    from app import create_app
    from processor.config import sqlalchemy_url
    from processor.extensions import db
    from processor.registries.rotation import reencrypt_account, start_account_rotation

    with tempfile.TemporaryDirectory(prefix="bench-rotation-") as tmp:
        if url:
            engine = sa.create_engine(sqlalchemy_url(url))
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            engine.dispose()
        config = {
            "APP_ENV": "testing",
            "SECRET_KEY": "bench",
            "MASTER_KEY": MASTER_KEY,
            "DATABASE_URL": url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            "JOBS_IMMEDIATE": True,
        }
        app = create_app(config, instance_path=str(Path(tmp) / "instance"))
        with app.app_context():
            flask_migrate.upgrade(directory=str(Path(app.root_path) / "migrations"))
            account_id = _organizer_with_rows(rows)
            _other_rows(others)
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE participants")
            else:
                with db.engine.begin() as connection:
                    connection.exec_driver_sql("ANALYZE")
            target, pending = start_account_rotation(account_id)
            started = time.perf_counter()
            done = reencrypt_account(account_id, target)
            elapsed = time.perf_counter() - started
            assert done == pending == rows, (done, pending, rows)
            db.session.remove()
            db.engine.dispose()
    return rows / elapsed


def _organizer_with_rows(rows: int) -> uuid.UUID:
    from processor.extensions import db
    from processor.normalize import normalize_participant
    from processor.registries import service as registries

    account = create_organizer("rotating")
    registry = registries.create_registry(account.id, "Rotated")
    for start in range(0, rows, CHUNK):
        batch = [
            normalize_participant(
                {"email": f"p{i}@example{i % 97}.com", "first_name": "Zofia", "last_name": "Nowak"}, default_region="PL"
            )
            for i in range(start, min(rows, start + CHUNK))
        ]
        with db.engine.begin() as connection:
            registries.write_participants(connection, registry, inserts=batch, source="import")
    return account.id


def _other_rows(count: int) -> None:
    """Rows of other organizers (opaque bytes: nothing reads them), spread over a few registries."""
    import sqlalchemy as sa

    from processor.accounts.models import Account
    from processor.extensions import db
    from processor.registries.models import Registry, participants

    now = dt.datetime.now(dt.UTC)
    registry_ids = []
    for n in range(5):
        account = Account(
            id=uuid.uuid4(),
            login=f"other{n}",
            email=f"other{n}@example.org",
            first_name="O",
            last_name="O",
            password_hash="!",  # noqa: S106 (no password: the account never logs in)
            title="Other",
            plan="paid",
            country="DE",
        )
        db.session.add(account)
        db.session.flush()
        registry = Registry(id=uuid.uuid4(), account_id=account.id, name="Other")
        db.session.add(registry)
        registry_ids.append(registry.id)
    db.session.commit()
    blob = secrets.token_bytes(60)
    for start in range(0, count, CHUNK):
        with db.engine.begin() as connection:
            connection.execute(
                sa.insert(participants),
                [
                    {
                        "id": uuid.uuid4(),
                        "registry_id": registry_ids[i % 5],
                        "email_index": secrets.token_bytes(32),
                        "key_version": 1,
                        "revision": 1,
                        "email": blob,
                        "source": "import",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(count, start + CHUNK))
                ],
            )
