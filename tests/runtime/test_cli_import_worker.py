"""`flask participants import` enqueues its import and a real `flask jobs worker` runs it (SQLite with its
SqliteHuey queue, PostgreSQL with Redis): the CLI waits and prints the outcome, `--no-wait` returns a job id,
a refusal in the worker exits 1 with its one-line reason, Ctrl-C cancels, and a worker killed mid-import is
reported to the waiting CLI while the job is retried from scratch."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from processor import jobs
from processor.csv_import.models import Import
from processor.extensions import db
from processor.registries import service as registries
from processor.registries.models import participants
from tests.runtime.conftest import ROOT, alive, wait_until, write_instance_config

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def app_config(worker_settings):
    return {**{k: v for k, v in worker_settings.items() if k != "DATABASE_URL"}, "JOBS_IMMEDIATE": False}


@pytest.fixture
def registry(app_ctx, make_account):
    organizer = make_account("ada", country="PL")
    return registries.create_registry(organizer.id, "Webinar", dt.date(2026, 12, 1))


_STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_cli_left_behind():
    """A test that fails before it reads a CLI's output still stops that CLI and closes its pipes."""
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def _cli(tmp_path: Path, *args: str, stderr=subprocess.PIPE) -> subprocess.Popen:
    instance = tmp_path / "instance"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MASTER_KEY", "APP_ENV"):
        env.pop(name, None)
    factory = f"app:create_app(instance_path={str(instance)!r})"
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", factory, "participants", "import", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    _STARTED.append(process)
    return process


def _csv(tmp_path: Path, rows: int, prefix: str = "p") -> Path:
    path = tmp_path / f"{prefix}-{rows}.csv"
    path.write_text("email;first_name;phone\n" + "".join(f"{prefix}{i}@example.pl;Łucja;12\n" for i in range(rows)))
    return path


def _count(registry) -> int:
    db.session.rollback()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(participants).where(participants.c.registry_id == registry.id)
    )


def _job_of_cli(registry) -> jobs.models.Job:
    db.session.rollback()
    imp = db.session.scalar(sa.select(Import).where(Import.registry_id == registry.id, Import.channel == "cli"))
    return imp and jobs.latest_for(imp.id)


def test_the_cli_import_runs_in_the_worker_and_prints_its_outcome_report_and_json(
    app_ctx, registry, tmp_path, start_worker
):
    worker = start_worker()
    report = tmp_path / "report.csv"
    cli = _cli(tmp_path, "--registry", str(registry.id), str(_csv(tmp_path, 1500)), "--json", "--report", str(report))
    out, err = cli.communicate(timeout=180)
    assert cli.returncode == 0, err
    outcome = json.loads(out)
    assert (outcome["created"], outcome["warning_count"], len(outcome["warnings"])) == (1500, 1500, 1500)
    assert outcome["warnings"][0]["line"] == 2 and outcome["errors"] == []
    assert _count(registry) == 1500
    assert report.read_text(encoding="utf-8-sig").count("imported, value left empty") == 1500
    job = _job_of_cli(registry)
    assert job.kind == "imports.file" and job.status == "done"
    assert job.worker.split(":")[1] == str(worker.process.pid)  # the worker ran it, not the CLI
    db.session.refresh(imp := db.session.get(Import, job.subject_id))
    assert (imp.status, imp.created, imp.file_key) == ("committed", 1500, None)  # staged files and key gone
    assert list((tmp_path / "instance" / "imports").glob(f"{imp.id}*")) == []


def test_no_wait_prints_the_job_id_and_the_job_completes_once_a_worker_runs(app_ctx, registry, tmp_path, start_worker):
    cli = _cli(tmp_path, "--registry", str(registry.id), str(_csv(tmp_path, 300)), "--no-wait")
    out, err = cli.communicate(timeout=60)
    assert cli.returncode == 0, err
    job_id = re.search(r"enqueued job ([0-9a-f-]{36})", out).group(1)
    assert f"flask jobs show {job_id}" in out
    assert jobs.get_job(job_id).status == "queued" and _count(registry) == 0
    start_worker()
    finished = wait_until(lambda: (j := jobs.get_job(job_id)).status in ("done", "failed") and j, timeout=120)
    assert finished.status == "done", finished.failure
    assert finished.result["created"] == 300 and _count(registry) == 300


def test_an_import_the_worker_refuses_exits_1_with_its_one_line_reason(
    app_ctx, registry, tmp_path, start_worker, worker_settings
):
    write_instance_config(tmp_path / "instance", **worker_settings, IMPORT_MAX_ROWS=100)
    start_worker()
    cli = _cli(tmp_path, "--registry", str(registry.id), str(_csv(tmp_path, 150)))
    _, err = cli.communicate(timeout=120)
    assert cli.returncode == 1
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "100" in lines[0], err
    assert "Traceback" not in err and _count(registry) == 0
    assert _job_of_cli(registry).status == "failed"


def test_ctrl_c_while_waiting_cancels_the_import_and_nothing_is_written(app_ctx, registry, tmp_path, start_worker):
    rows = 150_000  # long enough that the cancel (seen by the heartbeat within 2 s) comes before the last batch
    start_worker()
    cli = _cli(tmp_path, "--registry", str(registry.id), str(_csv(tmp_path, rows)))
    wait_until(lambda: (j := _job_of_cli(registry)) is not None and jobs.state(j)["done"] > 0, timeout=120)
    cli.send_signal(signal.SIGINT)
    _, err = cli.communicate(timeout=60)
    assert cli.returncode == 130, err
    assert "asked to stop" in err or "cancelled" in err
    job = wait_until(lambda: (j := _job_of_cli(registry)).status not in ("queued", "running") and j, timeout=60)
    # All or nothing: cancelled with nothing written, or (a Ctrl-C landing after the last batch on a slow
    # machine) the whole import committed, as docs/operations.md says.
    assert (job.status, _count(registry)) in {("cancelled", 0), ("done", rows)}
    if job.status == "cancelled":
        assert db.session.get(Import, job.subject_id).status == "failed"


def test_a_worker_killed_mid_import_is_reported_to_the_waiting_cli_and_the_retry_commits_all(
    app_ctx, registry, tmp_path, start_worker, engine_name
):
    if engine_name != "postgresql":
        pytest.skip("the kill test runs on PostgreSQL (its heartbeat is in the table; SQLite's in the local queue)")
    rows = 150_000  # long enough that the kill always lands before the last batch
    worker = start_worker()
    errors = tmp_path / "cli.err"
    with errors.open("w") as stderr:
        cli = _cli(tmp_path, "--registry", str(registry.id), str(_csv(tmp_path, rows)), stderr=stderr)
    wait_until(lambda: (j := _job_of_cli(registry)) is not None and jobs.state(j)["done"] > 0, timeout=120)
    tree = worker.tree()
    worker.kill()
    wait_until(lambda: not any(alive(pid) for pid in tree), timeout=10)
    assert _count(registry) == 0
    wait_until(lambda: "worker stopped" in errors.read_text(), timeout=30)
    assert cli.poll() is None  # still waiting for the retry
    start_worker()
    out, _ = cli.communicate(timeout=180)
    assert cli.returncode == 0, errors.read_text()
    assert f"{rows} were created" in out
    job = _job_of_cli(registry)
    assert (job.status, job.attempts) == ("done", 2)
    assert _count(registry) == rows
