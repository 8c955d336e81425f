"""Run a job in a worker: claim it, beat while it runs, record how it ended; find jobs whose worker died.

A running job's worker writes a pulse (rows done, time) every HEARTBEAT_SECONDS. A job whose pulse is older than
STALE_SECONDS lost its worker (a `kill -9`, a machine gone): any worker's reaper (every REAP_SECONDS, and each
minute from the scheduler) puts it back on the queue, up to MAX_ATTEMPTS. That is safe because every task is
either all-or-nothing (an import commits in one transaction, which the database rolled back when the worker
died: the retry starts from scratch) or resumable in committed batches (rotations pick up where they were).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid

import sqlalchemy as sa
from flask import current_app

from processor.db_types import utcnow
from processor.errors import DomainError, is_transient, one_line, storage_refusal
from processor.extensions import db
from processor.jobs import transport
from processor.jobs.models import Job, jobs
from processor.jobs.registry import TASKS, JobCancelled, JobContext

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0
STALE_SECONDS = 20.0
REAP_SECONDS = 5.0
RESEND_AFTER_SECONDS = 60.0
MAX_ATTEMPTS = 3
END_WRITE_ATTEMPTS = 6


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:120]


def execute(job_id) -> None:
    """Run one queued job to its end in this process (the queue's task, or inline when JOBS_IMMEDIATE)."""
    job_id = uuid.UUID(str(job_id))
    me = worker_name()
    now = utcnow()
    claimed = db.session.execute(
        sa.update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == "queued", jobs.c.cancel_requested.is_(False))
        .values(status="running", worker=me, attempts=jobs.c.attempts + 1, started_at=now, heartbeat_at=now)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        transport.forget_sent(job_id)  # no longer queued: nothing to send again
        return  # cancelled before it started, or another worker has it
    job = db.session.get(Job, job_id)
    ctx = JobContext(job.id, job.account_id, attempt=job.attempts, total=job.total)
    beat = _Heartbeat(current_app._get_current_object(), ctx)
    beat.start()
    status, failure, result = "done", None, None
    try:
        result = TASKS[job.kind](ctx, **(job.args or {}))
    except JobCancelled as exc:
        status, failure = "cancelled", exc.detail
    except DomainError as exc:
        status, failure = "failed", one_line(exc)
    except Exception as exc:  # the message may quote data: the page gets an incident id, the log the type
        status, failure = _judge(exc, job)
    finally:
        beat.stop()
    _record_end(job_id, me, ctx, status, failure, result)


def _judge(exc: Exception, job: Job) -> tuple[str, str | None]:
    """How an unexpected exception ends a job: a clear refusal (full, read-only), a retry, or an incident."""
    refusal = storage_refusal(exc)
    if refusal:
        log.warning("job %s (%s): the database refused to write", job.id, job.kind)
        return "failed", refusal
    if is_transient(exc):
        # The database went away (a restart, a failover): what the task had not committed is rolled back, and
        # every task is safe to run again, so the job goes back on the queue.
        log.warning("job %s (%s): database unavailable (%s); retrying", job.id, job.kind, type(exc).__name__)
        return "retry", None
    incident = uuid.uuid4().hex[:12]
    log.error("incident %s: job %s (%s) stopped by %s", incident, job.id, job.kind, type(exc).__name__)
    return "failed", f"An unexpected error stopped the job (incident {incident}); quote it to support."


def _record_end(job_id, me: str, ctx: JobContext, status: str, failure: str | None, result: dict | None) -> None:
    """Write how the job ended; while the database is down, keep trying a while, then leave it to the reaper."""
    for attempt in range(END_WRITE_ATTEMPTS):
        try:
            db.session.rollback()
            if status == "retry":
                _requeue(job_id, me, ctx.attempt, "The database was unavailable; the job was retried.")
                return
            db.session.execute(
                sa.update(jobs)
                .where(jobs.c.id == job_id, jobs.c.worker == me)
                .values(
                    status=status,
                    failure=failure[:500] if failure else None,
                    result=result,
                    done=ctx.done,
                    total=max(ctx.total, ctx.done),
                    heartbeat_at=utcnow(),
                    finished_at=utcnow(),
                )
            )
            db.session.commit()
            transport.drop_pulse(job_id)
            return
        except (sa.exc.OperationalError, sa.exc.InterfaceError):
            time.sleep(min(2**attempt, 5))
    log.warning("job %s: its end could not be recorded; the reaper will retry it", job_id)


def _requeue(job_id, worker: str, attempts: int, reason: str) -> bool:
    """Put a running job back on the queue (or fail it after MAX_ATTEMPTS); False if another worker took it.

    A job asked to stop is not retried: it ends cancelled (what it had not committed was rolled back)."""
    running = sa.and_(jobs.c.id == job_id, jobs.c.status == "running", jobs.c.worker == worker)
    stopped = db.session.execute(
        sa.update(jobs)
        .where(running, jobs.c.cancel_requested.is_(True))
        .values(status="cancelled", failure="Cancelled; its worker stopped before the job ended.", finished_at=utcnow())
    ).rowcount
    if stopped:
        db.session.commit()
        return False
    again = attempts < current_app.config.get("JOBS_MAX_ATTEMPTS", MAX_ATTEMPTS)
    values = (
        {"status": "queued", "failure": reason}
        if again
        else {
            "status": "failed",
            "failure": "Its worker stopped on every attempt; nothing more is tried.",
            "finished_at": utcnow(),
        }
    )
    taken = db.session.execute(sa.update(jobs).where(running).values(**values)).rowcount
    db.session.commit()
    if taken and again:
        transport.send(job_id, delay=current_app.config.get("JOBS_RETRY_DELAY_SECONDS", 1))
    return bool(taken and again)


class _Heartbeat(threading.Thread):
    """Write the job's pulse every HEARTBEAT_SECONDS and notice a cancel request."""

    def __init__(self, app, ctx: JobContext):
        super().__init__(name=f"job-heartbeat-{ctx.job_id}", daemon=True)
        self.app, self.ctx, self._stopped = app, ctx, threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            while not self._stopped.is_set():
                try:
                    self._beat()
                except Exception as exc:  # a database restart: keep beating into the queue store
                    log.warning("job %s: heartbeat not written (%s)", self.ctx.job_id, type(exc).__name__)
                    db.session.rollback()
                self._stopped.wait(HEARTBEAT_SECONDS)
            db.session.remove()

    def _beat(self) -> None:
        transport.write_pulse(self.ctx.job_id, self.ctx.done, self.ctx.total)
        if transport.cancel_asked(self.ctx.job_id):
            self.ctx.cancelled.set()
        if db.engine.dialect.name == "sqlite":
            # An import's commit holds SQLite's only write lock: the pulse in the queue store is the heartbeat,
            # and the cancel flag is read without writing.
            cancel = db.session.scalar(sa.select(jobs.c.cancel_requested).where(jobs.c.id == self.ctx.job_id))
        else:
            cancel = db.session.execute(
                sa.update(jobs)
                .where(jobs.c.id == self.ctx.job_id, jobs.c.status == "running")
                .values(heartbeat_at=utcnow(), done=self.ctx.done, total=self.ctx.total)
                .returning(jobs.c.cancel_requested)
            ).scalar()
        db.session.commit()
        if cancel:
            self.ctx.cancelled.set()

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=HEARTBEAT_SECONDS * 5)


def last_beat(job: Job) -> dt.datetime | None:
    """The newest sign of life of a running job: its pulse in the queue store, or its heartbeat in the table."""
    pulse = transport.read_pulse(job.id)
    pulsed = dt.datetime.fromtimestamp(pulse["at"], dt.UTC) if pulse else None
    return max((t for t in (pulsed, job.heartbeat_at) if t is not None), default=None)


def is_stale(job: Job, now: dt.datetime | None = None) -> bool:
    beat = last_beat(job)
    stale = current_app.config.get("JOBS_STALE_SECONDS", STALE_SECONDS)
    return job.status == "running" and (beat is None or ((now or utcnow()) - beat).total_seconds() > stale)


def reap_stale(now: dt.datetime | None = None) -> list[uuid.UUID]:
    """Put running jobs whose worker stopped beating back on the queue (or fail them after MAX_ATTEMPTS), and
    send again the messages of queued jobs that the queue store lost."""
    resend_lost(now)
    retried = []
    for job in db.session.scalars(sa.select(Job).where(Job.status == "running")).all():
        if not is_stale(job, now):
            continue
        log.warning("job %s (%s): worker %s stopped beating", job.id, job.kind, job.worker)
        if _requeue(
            job.id, job.worker, job.attempts, f"Its worker stopped (attempt {job.attempts}); the job was retried."
        ):
            retried.append(job.id)
    return retried


def resend_lost(now: dt.datetime | None = None) -> list[uuid.UUID]:
    """Queued jobs (older than RESEND_AFTER_SECONDS) whose message the queue store no longer holds: send it again.

    The jobs table is the record of accepted work; the queue store (Redis, or the SqliteHuey file) only carries
    messages, and a Redis restarted without persistence forgets them. A job sent twice runs once: `execute` claims
    it with a conditional UPDATE, and the second message finds it no longer queued."""
    after = current_app.config.get("JOBS_RESEND_AFTER_SECONDS", RESEND_AFTER_SECONDS)
    before = (now or utcnow()) - dt.timedelta(seconds=after)
    queued = db.session.scalars(
        sa.select(jobs.c.id)
        .where(jobs.c.status == "queued", jobs.c.created_at < before, jobs.c.cancel_requested.is_(False))
        .order_by(jobs.c.created_at)
        .limit(500)
    ).all()
    db.session.commit()  # end the read before talking to the queue store
    lost = [job_id for job_id in queued if not transport.message_kept(job_id)]
    for job_id in lost:
        log.warning("job %s: its message is no longer in the queue store; sent again", job_id)
        transport.send(job_id)
    return lost
