"""Process-level tests: a throw-away Redis, real `flask jobs worker` and gunicorn processes started and killed."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import TEST_AUDIT_KEY, TEST_MASTER_KEY, missing

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """TEST_REDIS_URL (CI starts one), else a redis-server of our own on a free loopback port."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    if shutil.which("redis-server") is None:
        missing("no TEST_REDIS_URL and no redis-server to start (apt-get install redis-server)")
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


def write_instance_config(instance: Path, **settings) -> None:
    """The config a worker process reads from its instance folder (the same folder as the test's app)."""
    instance.mkdir(parents=True, exist_ok=True)
    lines = [f"{name} = {value!r}" for name, value in settings.items()]
    (instance / "config.py").write_text("\n".join(lines) + "\n")


class Worker:
    """A `flask jobs worker` process on the test's instance folder."""

    def __init__(self, instance: Path):
        self.instance = instance
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MASTER_KEY", "APP_ENV"):
            env.pop(name, None)
        with (instance / "worker.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "flask",
                    "--app",
                    f"app:create_app(instance_path={str(instance)!r})",
                    "jobs",
                    "worker",
                    # Two threads: a periodic task (the minute's reaper, the hourly purge) never holds up the job
                    # a test waits for.
                    "--threads",
                    "2",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    def tree(self) -> set[int]:
        """The worker's descendants now (the forkserver, the pool, the resource tracker)."""
        found, frontier = set(), [self.process.pid]
        while frontier:
            pid = frontier.pop()
            for child in _children(pid):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
        return found

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def _children(pid: int) -> list[int]:
    """Children of every thread of the process (a child is listed under the thread that started it)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.fixture
def start_worker(tmp_path):
    workers: list[Worker] = []

    def start() -> Worker:
        worker = Worker(tmp_path / "instance")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_until(condition, timeout: float = 60, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not reached within {timeout} s")


@pytest.fixture
def worker_config(tmp_path, database_url, redis_url):
    """The app config shared by the test's app and its workers: the queue in Redis, fast stale detection."""
    settings = {
        "SECRET_KEY": "test-secret-key-not-for-production",
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MASTER_KEY": TEST_MASTER_KEY,
        "AUDIT_CHAIN_KEY": TEST_AUDIT_KEY,  # the test's own app writes the same chain
        "JOBS_STALE_SECONDS": 3,
        "JOBS_REAP_SECONDS": 0.5,
        "JOBS_RESEND_AFTER_SECONDS": 1,
        "IMPORT_PARALLEL_ROWS": 1000,
        "IMPORT_WORKERS": 2,
        "HUEY_NAME": f"test-{tmp_path.name}",  # one queue per test: no message reaches another test's worker
    }
    write_instance_config(tmp_path / "instance", **settings)
    return settings


@pytest.fixture
def worker_settings(tmp_path, database_url, engine_name, request):
    """The config of the test, its CLI and its workers: the embedded queue on SQLite, Redis on PostgreSQL."""
    values = {
        "SECRET_KEY": "test-secret-key-not-for-production",
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "MASTER_KEY": TEST_MASTER_KEY,
        "AUDIT_CHAIN_KEY": TEST_AUDIT_KEY,  # the test's own app writes the same chain
        "JOBS_STALE_SECONDS": 3,
        "JOBS_REAP_SECONDS": 0.5,
        "JOBS_RESEND_AFTER_SECONDS": 1,
        "IMPORT_PARALLEL_ROWS": 1000,
        "IMPORT_WORKERS": 2,
        # One queue per test, whatever else shares the Redis database (another session's tests).
        "HUEY_NAME": f"test-{tmp_path.name}-{uuid.uuid4().hex[:8]}",
    }
    if engine_name == "postgresql":
        values["REDIS_URL"] = request.getfixturevalue("redis_url")
    write_instance_config(tmp_path / "instance", **values)
    return values


@pytest.fixture
def start_gunicorn(tmp_path):
    """Start gunicorn with N sync workers on the test's instance folder; return its base URL."""
    servers: list[subprocess.Popen] = []

    def start(workers: int) -> str:
        port, instance = free_port(), tmp_path / "instance"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MASTER_KEY", "APP_ENV", "RATELIMIT_STORAGE_URI"):
            env.pop(name, None)
        with (instance / "gunicorn.log").open("ab") as log:
            servers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        str(workers),
                        f"app:create_app(instance_path={str(instance)!r})",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )
        wait_until(lambda: _answers(port), timeout=60, every=0.2)
        return f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return sock.recv(12).startswith(b"HTTP/1")
    except OSError:
        return False


class OwnPostgres:
    """A throw-away PostgreSQL cluster of this test alone (`.ci/pg-cluster`): it may be restarted at will."""

    def __init__(self):
        out = subprocess.run(
            ["bash", str(ROOT / ".ci" / "pg-cluster")], capture_output=True, text=True, check=True, timeout=120
        ).stdout
        exports = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines() if "=" in line)
        self.url, self.dir, self.bindir = exports["TEST_DATABASE_URL"], exports["PG_CLUSTER_DIR"], exports["PG_BINDIR"]

    def restart(self) -> None:
        # The server inherits pg_ctl's output: a log file, not a pipe this process would wait on forever.
        pg_ctl = [f"{self.bindir}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/server.log"]
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *pg_ctl, "-m", "fast", "-w", "restart"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )

    def stop(self) -> None:
        subprocess.run(
            ["bash", str(ROOT / ".ci" / "pg-cluster"), "stop", self.dir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )


@pytest.fixture
def own_postgres():
    if not (shutil.which("runuser") and list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))):
        missing("no PostgreSQL server binaries (apt-get install postgresql) to start a cluster of this test's own")
    if os.geteuid() != 0:
        missing("starting a throw-away PostgreSQL cluster needs root (runuser -u postgres)")
    cluster = OwnPostgres()
    yield cluster
    cluster.stop()
