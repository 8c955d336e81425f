"""Reading a registry page by page over HTTP from gunicorn, decrypted, against the same pages stored plaintext,
and against the same pages without the gate's row verification and access logging.

The first baseline is the same service with BENCH_PLAINTEXT set (the registries' benchmark-only switch): the same
authentication, purpose and transfer checks, access logging, SQL, paging and JSON, without decryption. The second
is the same encrypted service with BENCH_GATE_BARE set (benchmark-only too): no row MAC check, no access-log entry.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import create_organizer

PARTICIPANTS = 100_000
PAGE_SIZE = 1000
FIELDS = "email,first_name,last_name,company"
PURPOSE = "essential.service.operations"  # its allow-list includes company (notifications.email's does not)
MASTER_KEY = "1:" + base64.b64encode(secrets.token_bytes(32)).decode()
ROOT = Path(__file__).resolve().parent.parent


def _config(folder: Path, plaintext: bool, bare: bool = False) -> dict:
    return {
        "APP_ENV": "testing",
        "SECRET_KEY": "bench-" + folder.name,
        "MASTER_KEY": MASTER_KEY,
        "BENCH_PLAINTEXT": plaintext,
        "BENCH_GATE_BARE": bare,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "RATELIMIT_ENABLED": False,
    }


def _prepare(folder: Path, count: int, *, plaintext: bool, bare: bool = False) -> tuple[str, str]:
    """Create the database with one registry of `count` participants; return (registry id, bearer token)."""
    import flask_migrate

    from app import create_app
    from processor.clients import service as clients
    from processor.extensions import db
    from processor.normalize import normalize_participant
    from processor.registries import service as registries

    app = create_app(_config(folder, plaintext, bare), instance_path=str(folder / "instance"))
    with app.app_context():
        flask_migrate.upgrade(directory=str(Path(app.root_path) / "migrations"))
        account = create_organizer()
        registry = registries.create_registry(account.id, "Bench")
        rows = [
            normalize_participant(
                {
                    "email": f"person{n}@example{n % 97}.org",
                    "first_name": f"First{n}",
                    "last_name": f"Last{n}",
                    "company": f"Company {n % 5000}",
                    "country": "PL",
                },
                default_region="PL",
            )
            for n in range(count)
        ]
        with db.engine.begin() as connection:
            registries.write_participants(connection, registry, inserts=rows, updates=[], source="import")
        _, token = clients.create_client(
            name="bench-mailer", scopes="participants:read", purposes_granted=PURPOSE, country="DE", created_by="bench"
        )
        registry_id = str(registry.id)
        db.session.remove()
        db.engine.dispose()
    return registry_id, token


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(folder: Path, plaintext: bool, port: int, bare: bool = False) -> subprocess.Popen:
    factory = (
        f"app:create_app(test_config={_config(folder, plaintext, bare)!r}, instance_path={str(folder / 'instance')!r})"
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
            factory,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _get(port, "/healthz", {})
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start within 60 s")


def _get(port: int, path: str, headers: dict) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path.split('?')[0]}: HTTP {response.status}")
        return json.loads(body)
    finally:
        connection.close()


def _read_all(port: int, registry_id: str, token: str) -> tuple[int, float]:
    headers = {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/registries/{registry_id}/participants?"
    params = {"purpose": PURPOSE, "fields": FIELDS, "page_size": PAGE_SIZE}
    _get(port, base + urlencode({**params, "page_size": 10}), headers)  # warm up the worker
    count, token_param, started = 0, {}, time.perf_counter()
    while True:
        page = _get(port, base + urlencode({**params, **token_param}), headers)
        count += len(page["participants"])
        if not page["next_page_token"]:
            break
        token_param = {"page_token": page["next_page_token"]}
    return count, time.perf_counter() - started


def _measure(count: int, plaintext: bool, bare: bool = False) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-api-") as folder:
        registry_id, token = _prepare(Path(folder), count, plaintext=plaintext, bare=bare)
        port = _free_port()
        server = _serve(Path(folder), plaintext, port, bare)
        try:
            read, seconds = _read_all(port, registry_id, token)
        finally:
            server.terminate()
            server.wait(timeout=30)
    if read != count:
        raise RuntimeError(f"read {read} of {count} participants")
    return count / seconds


def run(scale: float) -> list[dict]:
    count = max(PAGE_SIZE, int(PARTICIPANTS * scale))
    baseline = _measure(count, plaintext=True)
    ours = _measure(count, plaintext=False)
    bare = _measure(count, plaintext=False, bare=True)
    return [
        {
            "name": f"API read of {count:,} participants with row verification and access logging, against the "
            "same pages without them (BENCH_GATE_BARE)",
            "value": ours,
            "unit": "participants/s",
            "baseline": bare,
            "ratio": ours / bare,
            "target": ">= 0.85x",
        },
        {
            "name": f"API read of {count:,} participants, pages of {PAGE_SIZE}, 4 fields, gunicorn, SQLite",
            "value": ours,
            "unit": "participants/s",
            "baseline": baseline,
            "ratio": ours / baseline,
            "target": ">= 0.5x",
        },
    ]
