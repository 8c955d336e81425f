"""Finding one person across all of an organizer's registries: 10 registries of 100,000 participants each.

A data-subject request names a person by email; `subject_requests.service.find_person` computes the organizer's
blind index of it once and looks it up in every registry with one indexed query (the (registry_id, email_index)
unique key). Target: under 50 ms per look-up. The rows are sealed in worker processes (as an import's are) and
written by the registries' bulk path, so generating a million rows takes about a minute, not an hour.
SQLite by default; BENCH_DATABASE_URL runs it on PostgreSQL (its public schema is emptied first).
"""

from __future__ import annotations

import base64
import os
import random
import secrets
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from bench import create_organizer

REGISTRIES = 10
PARTICIPANTS = 100_000
LOOKUPS = 300
CHUNK = 20_000
MASTER_KEY = "1:" + base64.b64encode(secrets.token_bytes(32)).decode()


def _email(registry: int, n: int) -> str:
    # Every tenth person is in every registry, so a look-up finds up to ten rows.
    return f"shared{n}@example.org" if n % 10 == 0 else f"person{registry}-{n}@example{n % 97}.org"


def _seal_chunk(args):
    from processor.registries.rows import seal

    keys, registry, start, stop = args
    index, cipher, sign = keys.indexer(), keys.cipher(), keys.signer()
    return [
        seal(index, cipher, {"email": _email(registry, n), "first_name": f"First{n}", "last_name": f"Last{n}"}, sign)
        for n in range(start, stop)
    ]


def _database_url(folder: str, sa, sqlalchemy_url) -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    engine = sa.create_engine(sqlalchemy_url(url))  # empty it first: the app refuses data under another master key
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()
    return url


def run(scale: float) -> list[dict]:
    import flask_migrate
    import sqlalchemy as sa

    from app import create_app
    from processor.config import sqlalchemy_url
    from processor.extensions import db
    from processor.keys.ring import keys_for
    from processor.registries import service as registries
    from processor.subject_requests.service import find_person

    per_registry = max(1000, int(PARTICIPANTS * scale))
    with tempfile.TemporaryDirectory(prefix="bench-find-") as folder:
        config = {
            "APP_ENV": "testing",
            "SECRET_KEY": "bench-find-person",
            "MASTER_KEY": MASTER_KEY,
            "DATABASE_URL": _database_url(folder, sa, sqlalchemy_url),
            "RATELIMIT_ENABLED": False,
        }
        app = create_app(config, instance_path=str(Path(folder) / "instance"))
        with app.app_context():
            flask_migrate.upgrade(directory=str(Path(app.root_path) / "migrations"))
            account = create_organizer()
            made = [registries.create_registry(account.id, f"Webinar {r}") for r in range(REGISTRIES)]
            sealing = keys_for(db.session.connection(), account.id).sealing_keys()
            db.session.commit()
            started = time.perf_counter()
            with ProcessPoolExecutor(max_workers=2) as pool:
                for number, registry in enumerate(made):
                    chunks = [
                        (replace(sealing, registry_id=registry.id), number, start, min(start + CHUNK, per_registry))
                        for start in range(0, per_registry, CHUNK)
                    ]
                    with db.engine.begin() as connection:
                        for sealed in pool.map(_seal_chunk, chunks):
                            registries.write_participants(connection, registry, sealed=sealed, source="import")
            generated = time.perf_counter() - started

            rng = random.Random(14)
            wanted = [
                _email(rng.randrange(REGISTRIES), rng.randrange(per_registry)) for _ in range(LOOKUPS - LOOKUPS // 10)
            ]
            wanted += [f"nobody{n}@example.org" for n in range(LOOKUPS // 10)]
            rng.shuffle(wanted)
            find_person(account.id, wanted[0])  # warm the key cache and the page cache once
            timings, found = [], 0
            for email in wanted:
                db.session.remove()  # each look-up in its own unit of work, as a request would be
                begin = time.perf_counter()
                found += len(find_person(account.id, email))
                timings.append((time.perf_counter() - begin) * 1000)
            db.session.remove()
            db.engine.dispose()
    timings.sort()
    return [
        {
            "name": f"find one person across {REGISTRIES} registries of {per_registry:,} "
            f"({'PostgreSQL' if os.environ.get('BENCH_DATABASE_URL') else 'SQLite'}, median)",
            "value": statistics.median(timings),
            "unit": "ms",
            "target": "< 50 ms",
        },
        {"name": "find one person, 95th percentile", "value": timings[int(len(timings) * 0.95)], "unit": "ms"},
        {"name": "rows found per look-up (mean)", "value": found / len(wanted), "unit": "rows"},
        {"name": f"generating {REGISTRIES * per_registry:,} participants", "value": generated, "unit": "s"},
    ]
