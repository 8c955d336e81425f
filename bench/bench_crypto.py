"""Field encryption cost: the per-field path against bare AESGCM, and 100,000 participants against plaintext.

The plaintext baseline is the registries service itself with BENCH_PLAINTEXT set: the same normalization,
batching, SQL and paging, with the cipher swapped for a UTF-8 copy and the HMAC for the raw index form.
"""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
import time
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bench import create_organizer
from processor.access import store

FIELD_CALLS = 200_000
PARTICIPANTS = 100_000
MASTER_KEY = "1:" + base64.b64encode(secrets.token_bytes(32)).decode()


def _per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def _time(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def field_figures(calls: int) -> list[dict]:
    """Encrypt and decrypt one email-sized value through the service's path and through bare AESGCM."""
    from processor.keys.models import FIELDS, INDEX
    from processor.keys.providers import StaticKeyProvider
    from processor.keys.ring import AccountKeys, KeyRing
    from processor.registries.rows import PLACES, TABLE

    account = uuid.uuid4()
    ring = KeyRing(StaticKeyProvider({1: secrets.token_bytes(32)}))
    rows = {
        (p, 1): (lambda r: (r["master_version"], r["wrapped"]))(ring.new_key_row(account, p, 1))
        for p in (FIELDS, INDEX)
    }
    keys = AccountKeys(ring, account, rows)
    value, place, row_ids = "grace.hopper@example.org", PLACES["email"], [uuid.uuid4() for _ in range(1000)]
    row_bytes = [row_id.bytes for row_id in row_ids]
    aead, nonce, aad = AESGCM(secrets.token_bytes(32)), os.urandom(12), os.urandom(5 + 16 + len(place) + 16)
    data = value.encode()
    blobs = [keys.encrypt(value, place, row_ids[i]) for i in range(1000)]
    bare_blob = aead.encrypt(nonce, data, aad)

    def ours_encrypt():
        encrypt = keys.write.encrypt  # as `rows.encrypt_fields` calls it, with the row id's bytes
        for i in range(calls):
            encrypt(value, place, row_bytes[i % 1000])

    def bare_encrypt():
        encrypt = aead.encrypt
        for _ in range(calls):
            encrypt(nonce, data, aad)

    def ours_decrypt():
        decrypt = keys.decrypt
        for i in range(calls):
            decrypt(blobs[i % 1000], TABLE, "email", row_ids[i % 1000], row_bytes[i % 1000])

    def bare_decrypt():
        decrypt = aead.decrypt
        for _ in range(calls):
            decrypt(nonce, bare_blob, aad)

    figures = []
    for name, ours, bare in (("encrypt", ours_encrypt, bare_encrypt), ("decrypt", ours_decrypt, bare_decrypt)):
        ours_rate, bare_rate = _per_second(calls, _time(ours)), _per_second(calls, _time(bare))
        figures.append(
            {
                "name": f"per-field {name} (time ratio to bare AESGCM.{name})",
                "value": bare_rate / ours_rate,
                "unit": "x",
                "baseline": 1.0,
                "ratio": bare_rate / ours_rate,
                "target": "<= 3x",
                "ours_per_second": ours_rate,
                "bare_per_second": bare_rate,
            }
        )
    return figures


def _participants(count: int) -> list[dict]:
    from processor.normalize import normalize_participant

    return [
        normalize_participant(
            {
                "email": f"person{n}@example{n % 97}.org",
                "first_name": f"First{n}",
                "last_name": f"Last{n}",
                "phone": f"+48 601 {n % 1000:03d} {n // 1000 % 1000:03d}",
                "company": f"Company {n % 5000}",
                "job_title": "Webinar attendee",
                "country": "PL",
            },
            default_region="PL",
        )
        for n in range(count)
    ]


def _run_store(folder: Path, rows: list[dict], *, plaintext: bool) -> tuple[float, float]:
    import flask_migrate

    from app import create_app
    from processor.extensions import db
    from processor.registries import service as registries

    config = {
        "APP_ENV": "testing",
        "SECRET_KEY": "bench",
        "MASTER_KEY": MASTER_KEY,
        "BENCH_PLAINTEXT": plaintext,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "RATELIMIT_ENABLED": False,
    }
    app = create_app(config, instance_path=str(folder / "instance"))
    with app.app_context():
        flask_migrate.upgrade(directory=str(Path(app.root_path) / "migrations"), revision="heads")
        account = create_organizer()
        registry = registries.create_registry(account.id, "Bench")
        started = time.perf_counter()
        with db.engine.begin() as connection:
            registries.write_participants(connection, registry, inserts=rows, updates=[], source="import")
        write = time.perf_counter() - started
        started, after, read = time.perf_counter(), None, 0
        while page := store.list_participants(
            registry,
            after=after,
            limit=1000,
            fields=["email", "first_name", "last_name", "phone", "company", "job_title", "country"],
        ):
            read += len(page)
            after = (page[-1]["updated_at"], page[-1]["id"])
        assert read == len(rows)
        seconds = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return write, seconds


def store_figures(count: int) -> list[dict]:
    rows = _participants(count)
    figures = []
    with tempfile.TemporaryDirectory() as plain_dir, tempfile.TemporaryDirectory() as enc_dir:
        plain_write, plain_read = _run_store(Path(plain_dir), rows, plaintext=True)
        enc_write, enc_read = _run_store(Path(enc_dir), rows, plaintext=False)
    for name, enc, plain in (("write", enc_write, plain_write), ("read", enc_read, plain_read)):
        ours, baseline = _per_second(count, enc), _per_second(count, plain)
        figures.append(
            {
                "name": f"{count:,} participants {name}, encrypted (7 fields + index), SQLite",
                "value": ours,
                "unit": "rows/s",
                "baseline": baseline,
                "ratio": ours / baseline,
                "target": ">= 0.5x",
            }
        )
    return figures


def run(scale: float) -> list[dict]:
    return field_figures(max(1000, int(FIELD_CALLS * scale))) + store_figures(max(1000, int(PARTICIPANTS * scale)))
