"""The return package of a held account, and a staff export, are produced by a real `flask jobs worker`, not by
the CLI that asks for them: the CLI waits for the job and writes the result (SQLite with SqliteHuey, PostgreSQL +
Redis)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import zipfile

import pytest

from processor import jobs
from processor.registries import service as registries
from processor.retention import exits
from processor.retention import service as retention
from tests.processor import people
from tests.runtime.conftest import ROOT

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def app_config(worker_settings):
    return {**{k: v for k, v in worker_settings.items() if k != "DATABASE_URL"}, "JOBS_IMMEDIATE": False}


def test_the_cli_waits_for_the_worker_to_prepare_the_return_package_then_writes_it(
    app_ctx, make_account, tmp_path, start_worker
):
    organizer = make_account("ada", plan="free")
    registry = registries.create_registry(organizer.id, "Spring", dt.date(2026, 12, 1))
    people.add_participant(registry, {"email": "zofia@example.com", "last_name": "Żółkiewska"})
    retention.remove_account(organizer)
    worker = start_worker()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MASTER_KEY", "APP_ENV"):
        env.pop(name, None)
    target = tmp_path / "back.zip"
    factory = f"app:create_app(instance_path={str(tmp_path / 'instance')!r})"
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", factory, "retention", "return", "ada", "-o", str(target)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as archive:
        assert "Żółkiewska" in "".join(archive.read(name).decode() for name in archive.namelist())
    job = exits.return_job(organizer)
    assert (job.status, job.result) == ("done", {"participants": 1})
    assert job.worker.split(":")[1] == str(worker.process.pid)  # the worker made it, not the CLI


def test_a_staff_export_is_written_by_the_worker_and_only_the_waiting_cli_reads_it(
    app_ctx, make_account, tmp_path, start_worker, staff_env
):
    organizer = make_account("ada", plan="free")
    registry = registries.create_registry(organizer.id, "Spring", dt.date(2026, 12, 1))
    people.add_participant(registry, {"email": "zofia@example.com", "last_name": "Żółkiewska"})
    worker = start_worker()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **staff_env}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MASTER_KEY", "APP_ENV"):
        env.pop(name, None)
    factory = f"app:create_app(instance_path={str(tmp_path / 'instance')!r})"
    args = ["participants", "export", "--registry", str(registry.id), "--reason", "organizer request SUP-7"]
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", factory, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["participants"][0]["last_name"] == "Żółkiewska"
    [job] = jobs.list_jobs(account_id=organizer.id)
    assert (job.kind, job.status, job.result["count"]) == ("registries.export", "done", 1)
    assert job.worker.split(":")[1] == str(worker.process.pid)
    assert list((tmp_path / "instance" / "exports").iterdir()) == []
