"""`flask requests list|show|extend|carry-out`: data-subject requests for operators, each judged `--now`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from processor.accounts.service import get_by_login
from processor.errors import DomainError, one_line
from processor.jobs.cli import run_and_wait
from processor.retention.cli import parse_now
from processor.subject_requests import (
    actions,
    service,
    tasks,  # noqa: F401 (registers the deadline job)
)
from processor.subject_requests.models import KINDS
from processor.subject_requests.service import Actor

STAFF = Actor("operator (cli)", "staff")
NOW_HELP = "Judge as of this time (default: now, UTC)."


def _fail(exc: DomainError):
    raise click.ClickException(one_line(exc)) from None


def _line(request, today) -> str:
    left = request.days_left(today)
    when = f"{left} day(s) left" if left >= 0 else f"OVERDUE by {-left} day(s)"
    state = when if request.is_open else request.status
    return f"{request.id}\t{request.kind}\t{request.status}\tdue {request.due_on:%Y-%m-%d}\t{state}"


@click.group("requests")
def requests_group():
    """Data-subject requests: deadlines and carrying out."""


@requests_group.command("add")
@click.option("--account", "login", required=True, help="The organizer the request was made to.")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--staff", required=True, help="Who at the processor took the request in.")
@click.option("--now", "now_text", default=None, help="Received at this time (default: now, UTC).")
@with_appcontext
def add(login, kind, staff, now_text):
    """Record a request that reached staff; the email is asked for, so it stays out of shell history."""
    email = click.prompt("The person's email", hide_input=True)
    try:
        request = service.create_request(
            get_by_login(login).id, kind=kind, email=email, actor=Actor(staff, "staff"), now=parse_now(now_text)
        )
    except DomainError as exc:
        _fail(exc)
    click.echo(f"{request.id} recorded; due {request.due_on:%Y-%m-%d}")


@requests_group.command("list")
@click.option("--account", "login", default=None, help="Only this organizer's requests.")
@click.option("--overdue", is_flag=True, help="Only open requests past their due date.")
@click.option("--now", "now_text", default=None, help=NOW_HELP)
@with_appcontext
def list_command(login, overdue, now_text):
    """List requests with their due dates and days left."""
    today = parse_now(now_text).date()
    try:
        account_id = get_by_login(login).id if login else None
    except DomainError as exc:
        _fail(exc)
    found = service.list_requests(account_id, overdue=overdue, today=today)
    for request in found:
        click.echo(_line(request, today))
    click.echo(f"{len(found)} request(s)", err=True)


@requests_group.command("show")
@click.argument("request_id")
@click.option("--now", "now_text", default=None, help=NOW_HELP)
@with_appcontext
def show(request_id, now_text):
    """Show one request and its steps (no personal data)."""
    today = parse_now(now_text).date()
    try:
        request = service.get_request(request_id)
    except DomainError as exc:
        _fail(exc)
    click.echo(_line(request, today))
    click.echo(f"received {request.received_at:%Y-%m-%d %H:%M} via {request.channel} ({request.received_by})")
    if request.extension_reason:
        click.echo(f"extended: {request.extension_reason}")
    if request.recipients:
        click.echo(f"recipients told (Art 19): {', '.join(request.recipients)}")
    for step in service.steps_of(request):
        click.echo(f"  {step.at:%Y-%m-%d %H:%M}\t{step.actor}\t{step.action}\t{step.detail or ''}")


@requests_group.command("extend")
@click.argument("request_id")
@click.option("--reason", required=True, help="Why more time is needed (told to the person).")
@click.option("--months", type=click.IntRange(1, 2), default=2, show_default=True)
@click.option("--now", "now_text", default=None, help=NOW_HELP)
@with_appcontext
def extend(request_id, reason, months, now_text):
    """Extend a request's due date once, by up to two months."""
    try:
        request = service.extend_request(
            service.get_request(request_id), reason=reason, months=months, actor=STAFF, now=parse_now(now_text)
        )
    except DomainError as exc:
        _fail(exc)
    click.echo(f"{request.id} now due {request.due_on:%Y-%m-%d}")


@requests_group.command("carry-out")
@click.argument("request_id")
@click.option("--now", "now_text", default=None, help=NOW_HELP)
@with_appcontext
def carry_out(request_id, now_text):
    """Carry out a request the organizer has decided on (rectification needs the organizer's page or the API)."""
    try:
        request = actions.carry_out(service.get_request(request_id), actor=STAFF, now=parse_now(now_text))
    except DomainError as exc:
        _fail(exc)
    click.echo(f"{request.id} {request.kind}: done")


@requests_group.command("check-deadlines")
@click.option("--now", "now_text", default=None, help=NOW_HELP)
@click.option("--no-wait", is_flag=True, help="Enqueue the job and return; follow it with `flask jobs show`.")
@with_appcontext
def check_deadlines(now_text, no_wait):
    """Record reminders 7 days before due dates, flag overdue requests, destroy expired downloads (a job; daily)."""
    now = parse_now(now_text)
    result = run_and_wait("requests.deadlines", label="checking deadlines", no_wait=no_wait, now=now.isoformat())
    if result is None:
        return
    click.echo(
        f"{result['reminded']} reminder(s), {result['overdue']} newly overdue, "
        f"{result['downloads_destroyed']} download(s) destroyed"
    )
