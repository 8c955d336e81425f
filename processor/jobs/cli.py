"""`flask jobs worker|list|show|cancel`, and `run_and_wait` for the commands that enqueue their work."""

from __future__ import annotations

import sys
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from processor import processes
from processor.errors import DomainError, one_line
from processor.extensions import db
from processor.jobs import runner, service
from processor.jobs.transport import queue


@click.group()
def jobs():
    """Run, list, inspect and cancel queued jobs."""


@jobs.command("worker")
@click.option("--threads", default=1, show_default=True, help="Jobs run at once by this worker.")
@with_appcontext
def worker(threads):
    """Consume the job queue (and run the periodic jobs: erasure daily, upload purge hourly) until stopped."""
    removed = processes.clean_stale_seen_files()
    if removed:
        click.echo(f"deleted {removed} temporary index files left by a stopped import", err=True)
    app = current_app._get_current_object()
    threading.Thread(target=_reap_forever, args=(app,), name="jobs-reaper", daemon=True).start()
    # Threads, not processes: an import starts its own CPU pool, whose processes die with this one.
    queue().create_consumer(workers=threads, worker_type="thread", periodic=True).run()


def _reap_forever(app) -> None:
    stop = threading.Event()
    while not stop.wait(app.config.get("JOBS_REAP_SECONDS", runner.REAP_SECONDS)):
        with app.app_context():
            try:
                runner.reap_stale()
            except Exception as exc:  # the database may be restarting; try again next round
                click.echo(f"reaper: {type(exc).__name__}; retrying", err=True)
                db.session.rollback()


@jobs.command("list")
@click.option("--status", type=click.Choice(("queued", "running", "done", "failed", "cancelled")))
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def list_command(status, limit):
    """List the latest jobs, newest first."""
    for job in service.list_jobs(status=status, limit=limit):
        state = service.state(job)
        lost = " (worker lost)" if state["worker_lost"] else ""
        click.echo(
            f"{job.id}\t{job.kind}\t{job.status}{lost}\t{state['done']}/{state['total']}\t"
            f"{job.created_at:%Y-%m-%d %H:%M:%S}"
        )


@jobs.command("show")
@click.argument("job_id")
@with_appcontext
def show(job_id):
    """Show one job: status, progress, attempts, failure and result."""
    try:
        state = service.state(service.get_job(job_id))
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    for key, value in state.items():
        click.echo(f"{key}: {'' if value is None else value}")


@jobs.command("cancel")
@click.argument("job_id")
@with_appcontext
def cancel(job_id):
    """Cancel a queued job, or ask a running one to stop (what it has not committed rolls back)."""
    try:
        job = service.request_cancel(job_id)
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(f"job {job.id}: {'cancelled' if job.status == 'cancelled' else 'asked to stop'}")


def run_and_wait(kind: str, account_id=None, *, label: str, no_wait: bool, **args) -> dict | None:
    """Enqueue a job; unless `no_wait`, show a progress bar until it ends and return its result.

    A failed job ends the command with its one-line reason and exit code 1, as the command did in-process."""
    job = service.enqueue(kind, account_id, **args)
    if no_wait:
        click.echo(f"enqueued job {job.id}; follow it with `flask jobs show {job.id}`")
        return None
    with click.progressbar(length=max(job.total, 1), label=label, file=sys.stderr, show_pos=True) as bar:
        shown = {"done": 0}

        def advance(state: dict) -> None:
            if state["total"] and bar.length != state["total"]:
                bar.length = state["total"]
            bar.update(state["done"] - shown["done"])
            shown["done"] = state["done"]

        job = service.wait(job.id, progress=advance)
    if job.status != "done":
        raise click.ClickException(job.failure or f"The job ended {job.status}.")
    return job.result or {}
