"""`kill -9` of a CLI import run in the CLI's own process (JOBS_IMMEDIATE) mid-run: no process of its tree
survives (the forkserver, the pool) to keep the organizer's subkeys, nothing is written, and the next job worker
deletes the temporary index file it left."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from processor.extensions import db
from processor.processes import SEEN_PREFIX, clean_stale_seen_files
from processor.registries import service as registries
from processor.registries.models import participants
from tests.conftest import TEST_MASTER_KEY
from tests.runtime.conftest import ROOT, Worker, alive, wait_until, write_instance_config

pytestmark = pytest.mark.timeout(180)
ROWS = 60_000


@pytest.fixture
def app_config(database_url, tmp_path):
    settings = {
        "SECRET_KEY": "test-secret-key-not-for-production",
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "MASTER_KEY": TEST_MASTER_KEY,
        "IMPORT_PARALLEL_ROWS": 1000,
        "IMPORT_WORKERS": 2,
        # The CLI runs its import job in its own process (the one-off mode; by default a worker runs it, see
        # test_cli_import_worker.py): what this test kills is the process that holds the pool.
        "JOBS_IMMEDIATE": True,
    }
    write_instance_config(tmp_path / "instance", **settings)
    return {}


def test_kill_9_of_a_cli_import_leaves_no_process_nothing_written_and_its_temp_file_is_cleaned(
    app_ctx, make_account, tmp_path
):
    organizer = make_account("ada", country="PL")
    registry = registries.create_registry(organizer.id, "Big webinar", dt.date(2026, 12, 1))
    source = tmp_path / "people.csv"
    source.write_text("email;first_name\n" + "".join(f"k{i}@example.pl;Ola\n" for i in range(ROWS)))
    instance = tmp_path / "instance"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MASTER_KEY", "APP_ENV"):
        env.pop(name, None)
    factory = f"app:create_app(instance_path={str(instance)!r})"
    command = [sys.executable, "-m", "flask", "--app", factory, "participants", "import", "--registry"]
    cli = subprocess.Popen(
        [*command, str(registry.id), str(source)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    probe = Worker.__new__(Worker)
    probe.process = cli
    tree = wait_until(lambda: len(t := probe.tree()) >= 3 and t, timeout=60)
    wait_until(lambda: list(Path(tempfile.gettempdir()).glob(f"{SEEN_PREFIX}{cli.pid}-*")), timeout=60)
    cli.send_signal(signal.SIGKILL)
    cli.wait(timeout=10)
    wait_until(lambda: not any(alive(pid) for pid in tree), timeout=10)
    db.session.rollback()
    where = participants.c.registry_id == registry.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(participants).where(where)) == 0
    assert clean_stale_seen_files() >= 1
    assert list(Path(tempfile.gettempdir()).glob(f"{SEEN_PREFIX}{cli.pid}-*")) == []
