"""The job API and `flask jobs list|show|cancel`: queued jobs wait for a worker, cancels stop them, periodic
jobs are enqueued once per period."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from processor import jobs
from processor.db_types import utcnow
from processor.extensions import db
from processor.jobs import cli as jobs_cli
from processor.jobs import runner, service, transport
from processor.jobs.models import jobs as jobs_table
from processor.jobs.queue import PERIODIC, queue_of
from processor.jobs.registry import TASKS
from processor.jobs.runner import execute as run_job


@pytest.fixture
def app_config():
    return {"JOBS_IMMEDIATE": False}


@jobs.task("test.count")
def _count_task(ctx: jobs.JobContext, upto: int) -> dict:
    for n in range(1, upto + 1):
        ctx.progress(n, upto)
    return {"counted": upto}


def test_a_queued_job_runs_in_a_worker_and_records_its_result(app_ctx):
    job = jobs.enqueue("test.count", upto=3)
    assert jobs.get_job(job.id).status == "queued"
    run_job(job.id)
    done = jobs.get_job(job.id)
    assert (done.status, done.done, done.total, done.result) == ("done", 3, 3, {"counted": 3})


def test_a_cancelled_queued_job_never_runs(app_ctx, runner):
    job = jobs.enqueue("test.count", upto=3)
    result = runner.invoke(args=["jobs", "cancel", str(job.id)])
    assert result.exit_code == 0 and "cancelled" in result.output
    run_job(job.id)
    assert jobs.get_job(job.id).status == "cancelled" and jobs.get_job(job.id).result is None


def test_a_running_job_asked_to_cancel_stops_at_its_next_progress(app_ctx):
    job = jobs.enqueue("test.count", upto=3)
    service.request_cancel(job.id)  # queued: cancelled at once; a running one sees the flag in its heartbeat
    ctx = jobs.JobContext(job.id, None)
    ctx.cancelled.set()
    with pytest.raises(jobs.JobCancelled):
        ctx.progress(1, 3)


def _mark_running(job_id, worker="gone:1:1", **values) -> None:
    db.session.execute(
        sa.update(jobs_table)
        .where(jobs_table.c.id == job_id)
        .values(status="running", worker=worker, attempts=1, heartbeat_at=utcnow() - dt.timedelta(minutes=5), **values)
    )
    db.session.commit()


def test_a_cancel_reaches_a_running_job_through_the_queue_store_without_writing_the_database(app_ctx):
    job = jobs.enqueue("test.count", upto=3)
    _mark_running(job.id)
    service.request_cancel(job.id)
    # The heartbeat reads the flag from the queue store (SQLite's write lock may be held by the job itself).
    assert transport.cancel_asked(job.id)


def test_a_cancel_while_the_jobs_table_is_locked_still_reaches_the_job(app_ctx, monkeypatch):
    job = jobs.enqueue("test.count", upto=3)
    _mark_running(job.id)
    real_execute = db.session.execute

    def locked(statement, *args, **kwargs):
        if isinstance(statement, sa.Update):
            raise sa.exc.OperationalError("UPDATE jobs", {}, Exception("database is locked"))
        return real_execute(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", locked)
    assert service.request_cancel(job.id).status == "running"  # no error: the import holds SQLite's write lock
    assert transport.cancel_asked(job.id)


def test_a_running_job_asked_to_cancel_whose_worker_died_ends_cancelled_not_retried(app_ctx):
    job = jobs.enqueue("test.count", upto=3)
    _mark_running(job.id, cancel_requested=True)
    assert runner.reap_stale() == []
    stopped = jobs.get_job(job.id)
    assert stopped.status == "cancelled" and stopped.finished_at is not None
    run_job(job.id)  # a message still on the queue does not start it again
    assert jobs.get_job(job.id).status == "cancelled"


def test_list_and_show_a_job_and_a_missing_one_is_one_line(app_ctx, runner):
    job = jobs.enqueue("test.count", upto=2)
    listed = runner.invoke(args=["jobs", "list"])
    assert str(job.id) in listed.output and "queued" in listed.output
    shown = runner.invoke(args=["jobs", "show", str(job.id)])
    assert "kind: test.count" in shown.output and "status: queued" in shown.output
    missing = runner.invoke(args=["jobs", "show", "not-a-job"])
    assert missing.exit_code == 1 and missing.output.strip() == "Error: No such job."


def test_a_periodic_job_is_enqueued_once_per_period(app_ctx):
    first = service.enqueue_unless_recent("imports.purge", within_seconds=3000)
    again = service.enqueue_unless_recent("imports.purge", within_seconds=3000)
    assert first is not None and again is None


@pytest.mark.parametrize(
    ("task", "due", "not_due"),
    [
        ("processor.periodic.retention.run", dt.datetime(2026, 1, 1, 3, 15), dt.datetime(2026, 1, 1, 4, 15)),
        ("processor.periodic.imports.purge", dt.datetime(2026, 1, 1, 17, 5), dt.datetime(2026, 1, 1, 17, 6)),
        ("processor.periodic.requests.deadlines", dt.datetime(2026, 1, 1, 3, 25), dt.datetime(2026, 1, 1, 3, 15)),
    ],
)
def test_the_queue_schedules_the_daily_erasure_and_the_hourly_purge(app, task, due, not_due):
    periodic = {t.name: t for t in queue_of(app)._registry.periodic_tasks}
    assert periodic[task].validate_datetime(due) and not periodic[task].validate_datetime(not_due)


def test_periodic_runs_enqueue_registered_kinds(app):
    assert set(PERIODIC) <= set(TASKS)


def test_a_waiting_cli_is_told_once_when_no_worker_took_the_job_and_when_its_worker_stopped(monkeypatch, capsys):
    monkeypatch.setattr(jobs_cli, "QUEUED_NOTICE_SECONDS", 0)
    notices = jobs_cli._Notices("J1")
    queued = {"status": "queued", "attempts": 0, "worker_lost": False, "failure": None}
    lost = {"status": "running", "attempts": 1, "worker_lost": True, "failure": None}
    retried = {"status": "queued", "attempts": 1, "worker_lost": False, "failure": "Its worker stopped (attempt 1)"}
    for state in (queued, queued, lost, lost, retried):
        notices.check(state)
    said = capsys.readouterr().err.strip().splitlines()
    assert [line for line in said if line] == [
        "waiting for a job worker (is `flask --app app jobs worker` running?)",
        "job J1: its worker stopped (attempt 1); another worker will retry it",
    ]


def test_ctrl_c_while_waiting_leaves_a_rotation_running_and_says_how_to_cancel_it(app_ctx, monkeypatch, capsys):
    job = jobs.enqueue("test.count", upto=3)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(service, "wait", interrupted)
    with pytest.raises(SystemExit) as stopped:
        jobs_cli.follow(job, label="counting", no_wait=False)
    assert stopped.value.code == 130
    assert f"flask jobs cancel {job.id}" in capsys.readouterr().err
    assert jobs.get_job(job.id).status == "queued"  # still on the queue: a worker will run it
