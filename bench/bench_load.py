"""The service under load (loopback, bounded): API clients read participant pages while two organizers import
through the job queue.

Production shape: gunicorn (2 workers) + 1 job worker on PostgreSQL (BENCH_DATABASE_URL) and Redis (BENCH_REDIS_URL,
else a redis-server started here). CLIENTS API clients, each with its own token, read pages for SECONDS; first
alone (the baseline), then while two organizers' imports of ROWS rows each are committed by the job worker.
Reported: requests/s, p50/p99 latency, 5xx and 429 counts, and, counted afterwards, participants lost or
duplicated. Goals: 0 5xx, 0 lost, 0 duplicated, p99 under load <= 4x the baseline's p99. The embedded shape
(`make run`: flask run + 1 job worker on SQLite) runs the same and must answer no 5xx.
Sizes (x --scale): 50 clients, 60 s, 100,000 rows per import.
"""

from __future__ import annotations

import base64
import csv
import http.client
import io
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import create_organizer

ROOT = Path(__file__).resolve().parent.parent
MASTER_KEY = "1:" + base64.b64encode(secrets.token_bytes(32)).decode()
PURPOSE = "essential.service.notifications.email"
READ_ROWS = 2000


def run(scale: float) -> list[dict]:
    clients, seconds, rows = max(5, int(50 * scale)), max(10.0, 60 * scale), max(2000, int(100_000 * scale))
    figures = []
    shapes = [("embedded: flask run + 1 job worker, SQLite", None, None)]
    with _redis() as redis_url:
        if os.environ.get("BENCH_DATABASE_URL"):
            shapes.insert(
                0, ("gunicorn x2 + 1 job worker, PostgreSQL + Redis", os.environ["BENCH_DATABASE_URL"], redis_url)
            )
        for label, url, redis in shapes:
            figures.extend(_shape(label, url, redis, clients=clients, seconds=seconds, rows=rows))
    return figures


def _shape(
    label: str, url: str | None, redis_url: str | None, *, clients: int, seconds: float, rows: int
) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        instance = Path(tmp) / "instance"
        settings = {
            "SECRET_KEY": "bench-" + secrets.token_hex(8),
            "APP_ENV": "testing",
            "MASTER_KEY": MASTER_KEY,
            "DATABASE_URL": url or f"sqlite:///{instance / 'bench.sqlite3'}",
            "HUEY_NAME": f"bench-{secrets.token_hex(4)}",
        }
        if redis_url:
            settings["REDIS_URL"] = redis_url
        instance.mkdir(parents=True)
        (instance / "config.py").write_text("".join(f"{k} = {v!r}\n" for k, v in settings.items()))
        setup = _prepare(instance, url, clients=clients, rows=rows)
        port = _free_port()
        processes = [_web(instance, port, gunicorn=bool(url)), _worker(instance)]
        try:
            _wait_for(port)
            _read_load(port, setup, 5.0)  # warm-up, not counted: gunicorn's workers boot after its socket opens
            alone = _read_load(port, setup, seconds / 2)
            imports = threading.Thread(target=_commit_imports, args=(instance, setup), daemon=True)
            imports.start()
            loaded = _read_load(port, setup, seconds)
            imports.join(timeout=max(600.0, seconds * 10))
            lost, duplicated = _count(instance, setup, rows)
        finally:
            for process in processes:
                process.send_signal(signal.SIGINT)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
    return [
        {"name": f"{label}: API reads/s alone ({clients} clients)", "value": alone["rps"], "unit": "req/s"},
        {"name": f"{label}: API reads/s during 2 imports of {rows:,} rows", "value": loaded["rps"], "unit": "req/s"},
        {"name": f"{label}: p50 latency during the imports", "value": loaded["p50"] * 1000, "unit": "ms"},
        {
            "name": f"{label}: p99 latency during the imports",
            "value": loaded["p99"] * 1000,
            "unit": "ms",
            "baseline": alone["p99"] * 1000,
            "ratio": loaded["p99"] / alone["p99"],
            "target": "<= 4x",
        },
        {"name": f"{label}: 5xx answers (alone + during)", "value": alone["5xx"] + loaded["5xx"], "unit": "(goal 0)"},
        {"name": f"{label}: 429 answers (alone + during)", "value": alone["429"] + loaded["429"], "unit": ""},
        {"name": f"{label}: participants lost", "value": lost, "unit": "(goal 0)"},
        {"name": f"{label}: participants duplicated", "value": duplicated, "unit": "(goal 0)"},
    ]


def _app(instance: Path):
    from app import create_app

    return create_app({"JOBS_IMMEDIATE": False}, instance_path=str(instance))


def _prepare(instance: Path, url: str | None, *, clients: int, rows: int) -> dict:
    """A reader organizer with READ_ROWS participants and a token per client; two importers with planned imports."""
    import flask_migrate
    import sqlalchemy as sa

    from processor.clients import service as client_service
    from processor.config import sqlalchemy_url
    from processor.csv_import import service as imports
    from processor.extensions import db
    from processor.normalize import normalize_participant
    from processor.registries import service as registries

    if url:
        engine = sa.create_engine(sqlalchemy_url(url))
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    app = _app(instance)
    with app.app_context():
        flask_migrate.upgrade(directory=str(Path(app.root_path) / "migrations"))

        reader = create_organizer("reader")
        registry = registries.create_registry(reader.id, "Read")
        batch = [
            normalize_participant({"email": f"r{n}@example.org", "first_name": "Ola"}, default_region="PL")
            for n in range(READ_ROWS)
        ]
        with db.engine.begin() as connection:
            registries.write_participants(connection, registry, inserts=batch, source="import")
        tokens = [
            client_service.create_client(
                name=f"reader-{n}",
                scopes="participants:read",
                purposes_granted=PURPOSE,
                country="DE",
                account_id=reader.id,
                created_by="bench",
            )[1]
            for n in range(clients)
        ]
        planned = []
        for n in range(2):
            importer = create_organizer(f"importer{n}")
            target = registries.create_registry(importer.id, "Imported")
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(["Email", "First name", "Last name", "Company"])
            writer.writerows(
                [f"i{n}.{i}@example{i % 97}.com", "Zofia", "Nowak", f"Company {i % 500}"] for i in range(rows)
            )
            imp = imports.start(importer, target, io.BytesIO(text.getvalue().encode()))
            imports.plan(imp, importer)
            planned.append((str(imp.id), str(importer.id), str(target.id)))
        setup = {"registry": str(registry.id), "tokens": tokens, "imports": planned}
        db.session.remove()
        db.engine.dispose()
    return setup


def _commit_imports(instance: Path, setup: dict) -> None:
    """Commit both planned imports through the queue, as the wizard's commit button does, and wait for them."""
    import uuid

    from processor import jobs
    from processor.accounts.models import Account
    from processor.csv_import import service as imports
    from processor.csv_import import tasks
    from processor.extensions import db

    app = _app(instance)
    with app.app_context():
        launched = []
        for imp_id, account_id, _ in setup["imports"]:
            account = db.session.get(Account, uuid.UUID(account_id))
            launched.append(tasks.launch(imports.get_import(account.id, imp_id), account, "commit"))
        for job in launched:
            jobs.wait(job.id, poll=1.0, timeout=3600)
        db.session.remove()
        db.engine.dispose()


def _read_load(port: int, setup: dict, seconds: float) -> dict:
    """Every client reads pages in a loop for `seconds`; return rate, latencies and error counts."""
    deadline, latencies, codes, lock = time.monotonic() + seconds, [], {}, threading.Lock()
    path = f"/api/v1/registries/{setup['registry']}/participants?" + urlencode(
        {"purpose": PURPOSE, "fields": "email,first_name", "page_size": 100}
    )

    def client(token: str) -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
                response = connection.getresponse()
                response.read()
                status = response.status
                connection.close()
            except OSError:
                status = 599
            with lock:
                latencies.append(time.perf_counter() - started)
                codes[status] = codes.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(token,), daemon=True) for token in setup["tokens"]]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "5xx": sum(n for code, n in codes.items() if code >= 500),
        "429": codes.get(429, 0),
    }


def _count(instance: Path, setup: dict, rows: int) -> tuple[int, int]:
    """Participants lost and duplicated per import, counted in the database afterwards."""
    import uuid

    import sqlalchemy as sa

    from processor.extensions import db
    from processor.registries.models import participants

    app = _app(instance)
    lost = duplicated = 0
    with app.app_context():
        for _, _, registry_id in setup["imports"]:
            where = participants.c.registry_id == uuid.UUID(registry_id)
            total = db.session.scalar(sa.select(sa.func.count()).select_from(participants).where(where))
            distinct = db.session.scalar(sa.select(sa.func.count(sa.distinct(participants.c.email_index))).where(where))
            lost += max(0, rows - distinct)
            duplicated += total - distinct
        db.session.remove()
        db.engine.dispose()
    return lost, duplicated


def _web(instance: Path, port: int, *, gunicorn: bool) -> subprocess.Popen:
    factory = f"app:create_app(instance_path={str(instance)!r})"
    if gunicorn:
        command = ["-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", factory]
    else:
        command = ["-m", "flask", "--app", factory, "run", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(
        [sys.executable, *command], cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _worker(instance: Path) -> subprocess.Popen:
    factory = f"app:create_app(instance_path={str(instance)!r})"
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", factory, "jobs", "worker"],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _env() -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MASTER_KEY", "APP_ENV", "RATELIMIT_STORAGE_URI"):
        env.pop(name, None)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the web server did not start")


class _redis:
    """BENCH_REDIS_URL, or a throw-away redis-server on a free loopback port for the run."""

    def __enter__(self) -> str | None:
        self.process = None
        if os.environ.get("BENCH_REDIS_URL"):
            return os.environ["BENCH_REDIS_URL"]
        if shutil.which("redis-server") is None:
            return None
        port = _free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""], stdout=subprocess.DEVNULL
        )
        _wait_for(port)
        return f"redis://127.0.0.1:{port}/0"

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
