"""The Huey instance of an app: SqliteHuey in instance/ by default, RedisHuey when REDIS_URL is set.

One generic queued task, `processor.run_job(job_id)`, runs any registered kind; the `jobs` row says which. The
queue store also holds each running job's pulse (rows done, heartbeat time): on SQLite an import's commit holds
the database's write lock for its whole transaction, so a heartbeat written there would wait for it.
"""

from __future__ import annotations

import json
import time

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.constants import EmptyData
from huey.exceptions import TaskLockedException

PERIODIC = {
    # kind: (crontab, what it is for)
    "retention.run": (crontab(minute="15", hour="3"), "erase removed accounts whose hold is over (daily)"),
    "imports.purge": (crontab(minute="5"), "delete uploads and error files past IMPORT_FILE_HOURS (hourly)"),
}


def make_queue(app: Flask) -> Huey:
    """Build the app's queue and register its tasks: the job runner and the periodic enqueuers."""
    name = app.config.get("HUEY_NAME", "processor")
    if app.config.get("REDIS_URL"):
        huey = RedisHuey(name, url=app.config["REDIS_URL"], results=False)
    else:
        huey = SqliteHuey(name, filename=app.config["HUEY_SQLITE_FILE"], results=False)

    @huey.task(name="processor.run_job")
    def run_job(job_id: str) -> None:
        from processor.jobs import runner

        with app.app_context():
            runner.execute(job_id)

    for kind, (schedule, _) in PERIODIC.items():
        huey.periodic_task(schedule, name=f"processor.periodic.{kind}")(_enqueuer(app, huey, kind))

    @huey.periodic_task(crontab(), name="processor.reap")
    def reap() -> None:
        from processor.jobs import runner

        with app.app_context():
            runner.reap_stale()

    app.extensions["jobs.run_job"] = run_job
    return huey


def _enqueuer(app: Flask, huey: Huey, kind: str):
    def enqueue_periodic() -> None:
        from processor.jobs import service

        # Every consumer runs the scheduler; the lock (shared in Redis) and the check make one job per period.
        try:
            with app.app_context(), huey.lock_task(f"periodic.{kind}"):
                service.enqueue_unless_recent(kind, within_seconds=50 * 60 if kind == "imports.purge" else 20 * 3600)
        except TaskLockedException:
            return

    enqueue_periodic.__name__ = f"enqueue_{kind.replace('.', '_')}"
    return enqueue_periodic


def queue() -> Huey:
    return current_app.extensions["huey"]


def send(job_id, *, delay: float | None = None) -> None:
    """Put a message for the job on the queue (the worker that takes it runs the job), after `delay` seconds."""
    run_job = current_app.extensions["jobs.run_job"]
    if delay:
        run_job.schedule(args=(str(job_id),), delay=delay)
    else:
        run_job(str(job_id))


def write_pulse(job_id, done: int, total: int) -> None:
    queue().storage.put_data(f"pulse:{job_id}", json.dumps({"done": done, "total": total, "at": time.time()}).encode())


def read_pulse(job_id) -> dict | None:
    raw = queue().storage.peek_data(f"pulse:{job_id}")
    if raw is EmptyData or not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def drop_pulse(job_id) -> None:
    queue().storage.pop_data(f"pulse:{job_id}")
