"""Dry runs and commits as jobs: progress from the jobs table, failures recorded, dead workers' imports retried."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from processor import jobs
from processor.csv_import import files, run, service, tasks
from processor.extensions import db
from processor.jobs import runner
from processor.jobs.models import jobs as jobs_table
from processor.registries import service as registries

DATA = "email;first_name\r\n" + "".join(f"p{i}@example.pl;Łucja\r\n" for i in range(30))


@pytest.fixture
def imp(app, organizer, registry):
    return service.start(organizer, registry, io.BytesIO(DATA.encode()))


def test_dry_run_and_commit_run_as_jobs_and_leave_no_progress_file(app, imp, organizer, registry):
    tasks.launch(imp, organizer, "plan")
    db.session.refresh(imp)
    assert imp.status == "planned"
    job = tasks.launch(imp, organizer, "commit")
    db.session.refresh(imp)
    assert imp.status == "committed" and imp.created == 30
    assert jobs.get_job(job.id).status == "done" and jobs.get_job(job.id).result["created"] == 30
    assert [p.name for p in files.folder().iterdir() if not p.name.endswith((".upload", ".errors"))] == []


def test_an_unexpected_failure_is_recorded_without_its_message_and_nothing_is_written(
    app, imp, organizer, registry, monkeypatch
):
    service.plan(imp, organizer)

    def explode(*args, **kwargs):
        raise RuntimeError("secret@example.pl broke it")

    monkeypatch.setattr(run, "commit", explode)
    job = tasks.launch(imp, organizer, "commit")
    db.session.refresh(imp)
    assert imp.status == "failed"
    assert "incident" in imp.failure and "secret" not in imp.failure
    assert jobs.get_job(job.id).failure == imp.failure
    assert registries.list_participants(registry) == []


@pytest.mark.parametrize("app_config", [{"JOBS_IMMEDIATE": False}])
def test_a_commit_whose_worker_died_is_retried_from_scratch_and_the_page_says_so(app, imp, organizer, registry):
    service.plan(imp, organizer)
    job = tasks.launch(imp, organizer, "commit")  # queued: no worker in this test
    assert tasks.progress(imp)["waiting"] is True
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    # As a worker killed mid-commit leaves it: the job running, its heartbeat old, the import committing.
    db.session.execute(
        sa.update(jobs_table)
        .where(jobs_table.c.id == job.id)
        .values(status="running", worker="gone:1:1", attempts=1, heartbeat_at=long_ago, started_at=long_ago)
    )
    db.session.commit()
    assert tasks.progress(imp)["retrying"] is True
    assert runner.reap_stale() == [job.id]
    state = jobs.state(jobs.get_job(job.id))
    assert state["status"] == "queued" and "retried" in state["failure"]
    runner.execute(job.id)  # the next worker takes the message
    db.session.refresh(imp)
    assert imp.status == "committed" and len(registries.list_participants(registry)) == 30
    assert jobs.get_job(job.id).attempts == 2


@pytest.mark.parametrize("app_config", [{"JOBS_IMMEDIATE": False, "JOBS_MAX_ATTEMPTS": 1}])
def test_an_import_whose_worker_died_on_every_attempt_is_shown_failed_with_nothing_written(
    app, imp, organizer, registry
):
    service.plan(imp, organizer)
    job = tasks.launch(imp, organizer, "commit")
    db.session.execute(
        sa.update(jobs_table)
        .where(jobs_table.c.id == job.id)
        .values(status="running", worker="gone:1:1", attempts=1, heartbeat_at=None)
    )
    db.session.commit()
    assert runner.reap_stale() == []
    state = tasks.progress(imp)
    assert state["status"] == "failed" and "worker stopped" in state["failure"]
    assert registries.list_participants(registry) == []


def test_a_commit_without_a_dry_run_is_refused_before_starting(app, imp, organizer):
    with pytest.raises(service.Conflict):
        tasks.launch(imp, organizer, "commit")
    assert imp.status == "uploaded"
    assert jobs.list_jobs() == []
