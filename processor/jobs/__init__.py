"""Jobs: every long or scheduled piece of work goes through one queue (Huey) and one table (`jobs`).

    jobs.enqueue(kind, account_id, **args) -> Job     # a row in `jobs`, then a message on the queue
    @jobs.task(kind)                                  # register what a kind does: fn(ctx, **args) -> dict | None
    jobs.wait(job_id, progress=callback) -> Job       # block until the job ends (the CLI's progress bar)

The queue is SqliteHuey in instance/ by default and RedisHuey when REDIS_URL is set; `flask jobs worker` consumes
it. See runner.py for heartbeats, retries and cancelling.
"""

from flask import Flask

from processor.jobs import cli as jobs_cli
from processor.jobs.registry import JobCancelled, JobContext, task
from processor.jobs.service import JobNotFound, enqueue, get_job, latest_for, list_jobs, request_cancel, state, wait

__all__ = [
    "JobCancelled",
    "JobContext",
    "JobNotFound",
    "enqueue",
    "get_job",
    "init_app",
    "latest_for",
    "list_jobs",
    "request_cancel",
    "state",
    "task",
    "wait",
]


def init_app(app: Flask) -> None:
    """Add `flask jobs`; the queue (SqliteHuey or RedisHuey) is built on first use (`queue.queue_of`)."""
    app.cli.add_command(jobs_cli.jobs)
