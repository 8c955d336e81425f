"""The Huey instance of an app: SqliteHuey in instance/ by default, RedisHuey when REDIS_URL is set.

One generic queued task, `processor.run_job(job_id)`, runs any registered kind; the `jobs` row says which.
Sending messages and the pulses of running jobs are in transport.py.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask

from processor.jobs import runner, service

if TYPE_CHECKING:
    from huey import Huey

PERIODIC = {
    # kind: (crontab's minute and hour, what it is for)
    "retention.run": ({"minute": "15", "hour": "3"}, "erase removed accounts whose hold is over (daily)"),
    "imports.purge": ({"minute": "5"}, "delete uploads and error files past IMPORT_FILE_HOURS (hourly)"),
    "requests.deadlines": (
        {"minute": "25", "hour": "3"},
        "remind 7 days before data-subject request due dates, flag overdue ones, destroy expired downloads (daily)",
    ),
}

_building = threading.Lock()


def queue_of(app: Flask) -> Huey:
    """The app's queue, built on first use: a process that never enqueues, reads a pulse or consumes (an import's
    child, a page that shows no job) does not load Huey and the redis client (7 MB, a tenth of a second)."""
    huey = app.extensions.get("huey")
    if huey is None:
        with _building:
            huey = app.extensions.get("huey")
            if huey is None:
                huey = app.extensions["huey"] = make_queue(app)
    return huey


def make_queue(app: Flask) -> Huey:
    """Build the app's queue and register its tasks: the job runner and the periodic enqueuers."""
    # lazy: huey (and the redis client its storage imports) loads with the first queue, see queue_of
    from huey import RedisHuey, SqliteHuey, crontab

    name = app.config.get("HUEY_NAME", "processor")
    if app.config.get("REDIS_URL"):
        huey = RedisHuey(name, url=app.config["REDIS_URL"], results=False)
    else:
        path = Path(app.config["HUEY_SQLITE_FILE"])
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))  # owner only, like the database beside it
        huey = SqliteHuey(name, filename=str(path), results=False)

    @huey.task(name="processor.run_job")
    def run_job(job_id: str) -> None:
        with app.app_context():
            runner.execute(job_id)

    for kind, (schedule, _) in PERIODIC.items():
        huey.periodic_task(crontab(**schedule), name=f"processor.periodic.{kind}")(_enqueuer(app, huey, kind))

    @huey.periodic_task(crontab(), name="processor.reap")
    def reap() -> None:
        with app.app_context():
            runner.reap_stale()

    app.extensions["jobs.run_job"] = run_job
    return huey


def _enqueuer(app: Flask, huey: Huey, kind: str):
    # lazy: see queue_of
    from huey.exceptions import TaskLockedException

    def enqueue_periodic() -> None:
        # Every consumer runs the scheduler; the lock (shared in Redis) and the check make one job per period.
        try:
            with app.app_context(), huey.lock_task(f"periodic.{kind}"):
                service.enqueue_unless_recent(kind, within_seconds=50 * 60 if kind == "imports.purge" else 20 * 3600)
        except TaskLockedException:
            return

    enqueue_periodic.__name__ = f"enqueue_{kind.replace('.', '_')}"
    return enqueue_periodic
