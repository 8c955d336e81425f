"""`flask jobs worker|list|show|cancel`, and `run_and_wait` for the commands that enqueue their work."""

from __future__ import annotations

import faulthandler
import logging
import signal
import sys
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from processor import processes
from processor.errors import DomainError, one_line
from processor.extensions import db
from processor.jobs import runner, service
from processor.jobs.transport import queue

QUEUED_NOTICE_SECONDS = 5.0


@click.group()
def jobs():
    """Run, list, inspect and cancel queued jobs."""


@jobs.command("worker")
@click.option("--threads", default=1, show_default=True, help="Jobs run at once by this worker.")
@with_appcontext
def worker(threads):
    """Consume the job queue (and run the periodic jobs: erasure daily, upload purge hourly) until stopped."""
    # One line per job taken, done or failed (task names and job ids only, never arguments' content) on stderr,
    # where a process supervisor collects it.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(threadName)s %(name)s: %(message)s")
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 PID`: every thread's stack on stderr
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

    A failed job ends the command with its one-line reason and exit code 1, as the command did in-process; so
    does a queue that cannot be reached."""
    try:
        job = service.enqueue(kind, account_id, **args)
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    return follow(job, label=label, no_wait=no_wait)


def follow(job, *, label: str, no_wait: bool, on_interrupt: str = "detach") -> dict | None:
    """Wait for an enqueued job with a progress bar (read from the jobs table: the worker may be anywhere).

    Returns the job's result; None with `no_wait` (the job's id and how to follow it are printed). A failed or
    cancelled job exits 1 with its one-line reason. Ctrl-C exits 130 and, by `on_interrupt`, either leaves the
    job running ("detach": rotations resume anyway) or asks it to stop ("cancel": an import rolls back whole)."""
    if no_wait:
        shown = f"flask jobs show {job.id}"
        click.echo(f"enqueued job {job.id}; follow it with `{shown}`, cancel it with `flask jobs cancel {job.id}`")
        return None
    try:
        job = _wait_with_bar(job, label)
    except KeyboardInterrupt:
        _interrupted(job.id, on_interrupt)
    if job.status != "done":
        raise click.ClickException(job.failure or f"The job ended {job.status}.")
    return job.result or {}


def _wait_with_bar(job, label: str):
    notices = _Notices(job.id)
    with click.progressbar(length=max(job.total, 1), label=label, file=sys.stderr, show_pos=True) as bar:
        shown = {"done": 0}

        def advance(state: dict) -> None:
            notices.check(state)
            if state["total"] and bar.length != state["total"]:
                bar.length = state["total"]
            bar.update(state["done"] - shown["done"])
            shown["done"] = state["done"]

        return service.wait(job.id, progress=advance)


class _Notices:
    """One line each, as the waiting operator should know: no worker yet, a worker lost, the job retried."""

    def __init__(self, job_id):
        self.job_id, self.since, self.said = job_id, time.monotonic(), set()

    def _say(self, key, text: str) -> None:
        if key not in self.said:
            self.said.add(key)
            click.echo(f"\n{text}", err=True)

    def check(self, state: dict) -> None:
        attempts = state["attempts"]
        if state["status"] == "queued" and attempts == 0 and time.monotonic() - self.since > QUEUED_NOTICE_SECONDS:
            self._say("queued", "waiting for a job worker (is `flask --app app jobs worker` running?)")
        if state["worker_lost"]:
            self._say(
                ("lost", attempts),
                f"job {self.job_id}: its worker stopped (attempt {attempts}); another worker will retry it",
            )
        elif state["status"] == "queued" and attempts > 0:
            self._say(("lost", attempts), f"job {self.job_id}: {state['failure'] or 'retried'}")


def _interrupted(job_id, on_interrupt: str):
    """Ctrl-C while waiting: leave the job running, or ask it to stop; exit 130 either way."""
    try:
        db.session.rollback()
        if on_interrupt == "cancel":
            job = service.request_cancel(job_id)
            if job.status == "cancelled":
                click.echo(f"\ninterrupted: job {job_id} was cancelled before it started", err=True)
            else:
                click.echo(
                    f"\ninterrupted: job {job_id} was asked to stop; what it had not committed is rolled back "
                    f"(check with `flask jobs show {job_id}`)",
                    err=True,
                )
        else:
            click.echo(
                f"\nstopped waiting; job {job_id} keeps running: follow it with `flask jobs show {job_id}`, "
                f"cancel it with `flask jobs cancel {job_id}`",
                err=True,
            )
    except DomainError as exc:  # it ended meanwhile
        click.echo(f"\ninterrupted: {one_line(exc)}", err=True)
    raise SystemExit(130)
