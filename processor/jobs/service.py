"""Enqueue, read, wait for and cancel jobs; every read works from any process on any machine."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app

from processor.db_types import utcnow
from processor.errors import Conflict, DomainError, NotFound
from processor.extensions import db
from processor.jobs import runner, transport
from processor.jobs.models import ACTIVE, Job, jobs
from processor.jobs.registry import TASKS

log = logging.getLogger(__name__)


class JobNotFound(NotFound):
    def __init__(self):
        super().__init__("No such job.")


class QueueUnavailable(DomainError):
    """The job queue's store (Redis, or the SqliteHuey file) could not take the message."""

    status = 503
    slug = "queue-unavailable"
    title = "The job queue is unavailable"

    def __init__(self):
        super().__init__(
            "The job queue cannot be reached (Redis down or the queue file unwritable); nothing was started. "
            "Try again when it is back."
        )


def enqueue(
    kind: str, account_id: uuid.UUID | None = None, *, subject_id: uuid.UUID | None = None, total: int = 0, **args
) -> Job:
    """Record a job and put it on the queue; with JOBS_IMMEDIATE (tests, one-off scripts) run it here and now.

    `args` are passed to the task as keywords: ids and options only (JSON), never personal data."""
    if kind not in TASKS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(
        id=uuid.uuid4(),
        kind=kind,
        account_id=account_id,
        subject_id=subject_id,
        args=args,
        status="queued",
        total=total,
    )
    db.session.add(job)
    db.session.commit()
    if current_app.config.get("JOBS_IMMEDIATE"):
        runner.execute(job.id)
        db.session.refresh(job)
    else:
        try:
            transport.send(job.id)
        except Exception as exc:  # redis.ConnectionError, sqlite3.OperationalError ...: the store is down
            log.warning("job %s could not be queued: %s", job.id, type(exc).__name__)
            job.status, job.failure, job.finished_at = "failed", QueueUnavailable().detail, utcnow()
            db.session.commit()
            raise QueueUnavailable() from None
    return job


def enqueue_unless_recent(kind: str, *, within_seconds: float) -> Job | None:
    """Enqueue a service-wide job unless one of its kind is active or began within the period (periodic runs)."""
    since = utcnow() - dt.timedelta(seconds=within_seconds)
    recent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(jobs)
        .where(jobs.c.kind == kind, sa.or_(jobs.c.status.in_(ACTIVE), jobs.c.created_at >= since))
    )
    return None if recent else enqueue(kind)


def get_job(job_id, *, account_id: uuid.UUID | None = None) -> Job:
    """One job; with account_id, only that organizer's (another's id is simply not found)."""
    try:
        job = db.session.get(Job, uuid.UUID(str(job_id)), populate_existing=True)
    except ValueError:
        job = None
    if job is None or (account_id is not None and job.account_id != account_id):
        raise JobNotFound()
    return job


def latest_for(subject_id: uuid.UUID) -> Job | None:
    """The newest job working on a record (an import...), if any."""
    return db.session.scalar(
        sa.select(Job).where(Job.subject_id == subject_id).order_by(Job.created_at.desc()).limit(1)
    )


def list_jobs(*, account_id: uuid.UUID | None = None, status: str | None = None, limit: int = 50) -> list[Job]:
    query = sa.select(Job).order_by(Job.created_at.desc()).limit(limit)
    if account_id is not None:
        query = query.where(Job.account_id == account_id)
    if status:
        query = query.where(Job.status == status)
    return list(db.session.scalars(query))


def request_cancel(job_id) -> Job:
    """Cancel a queued job now; ask a running one to stop at its next batch (its uncommitted work rolls back)."""
    job = get_job(job_id)
    if job.status not in ACTIVE:
        raise Conflict(f"The job is {job.status}; there is nothing to cancel.")
    transport.ask_to_cancel(job.id)  # seen by the job's heartbeat even while SQLite's write lock is held
    try:
        db.session.execute(
            sa.update(jobs)
            .where(jobs.c.id == job.id, jobs.c.status == "queued")
            .values(status="cancelled", failure="Cancelled before it started.", finished_at=utcnow())
        )
        db.session.execute(sa.update(jobs).where(jobs.c.id == job.id).values(cancel_requested=True))
        db.session.commit()
    except sa.exc.OperationalError:
        # SQLite: the running import still holds the only write lock past the busy timeout. The flag in the queue
        # store is enough: the job sees it at its next heartbeat, rolls back and records itself cancelled.
        db.session.rollback()
        log.warning("job %s: cancel flag set in the queue store; the jobs table was busy", job.id)
    return get_job(job.id)


def state(job: Job) -> dict:
    """What a page or the CLI shows: status, rows done of total, failure, times, and whether its worker is lost."""
    done, total = job.done, job.total
    if job.status == "running":
        pulse = transport.read_pulse(job.id)
        if pulse:
            done, total = max(done, pulse["done"]), max(total, pulse["total"])
    return {
        "id": str(job.id),
        "kind": job.kind,
        "status": job.status,
        "done": done,
        "total": total,
        "attempts": job.attempts,
        "failure": job.failure,
        "worker_lost": runner.is_stale(job),
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "result": job.result,
    }


def wait(
    job_id, *, progress: Callable[[dict], None] | None = None, poll: float = 0.5, timeout: float | None = None
) -> Job:
    """Block until the job is done, failed or cancelled, calling `progress(state)` as it moves."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        db.session.rollback()  # a fresh snapshot each poll
        job = get_job(job_id)
        if progress is not None:
            progress(state(job))
        if job.status not in ACTIVE:
            return job
        if deadline is not None and time.monotonic() > deadline:
            return job
        time.sleep(poll)
