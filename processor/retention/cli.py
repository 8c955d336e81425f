"""`flask accounts remove|reactivate` and `flask retention status|run|return`: the life after removal."""

from __future__ import annotations

import datetime as dt

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from processor.accounts.models import Account
from processor.accounts.service import find_by_login, get_by_login
from processor.db_types import utcnow
from processor.errors import DomainError, one_line
from processor.extensions import db
from processor.jobs.cli import follow, run_and_wait
from processor.retention import (
    exits,
    service,
    tasks,  # noqa: F401 (registers the erasure and return-package jobs)
)


def parse_now(value: str | None) -> dt.datetime:
    """The `--now` option: an ISO date or time (UTC when it names no zone), or the current time."""
    if not value:
        return utcnow()
    try:
        day = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD or an ISO 8601 time", param_hint="--now") from None
    return day if day.tzinfo else day.replace(tzinfo=dt.UTC)


def _fail(exc: DomainError):
    raise click.ClickException(one_line(exc)) from None


@click.command("remove")
@click.argument("login")
@click.option("--yes", is_flag=True, help="Confirm: the account's data will only be held, then erased.")
@click.option("--now", "now_text", default=None, help="Judge as of this time (default: now, UTC).")
@with_appcontext
def remove_account(login, yes, now_text):
    """Remove an account: its data is held 60 (free) or 90 (paid) days, then erased."""
    if not yes:
        raise click.ClickException("Removing an account stops all processing of its data; repeat with --yes.")
    try:
        removal = service.remove_account(get_by_login(login), now=parse_now(now_text), operator="operator (cli)")
    except DomainError as exc:
        _fail(exc)
    click.echo(f"removed {login}; its data is held until {removal.erase_on:%Y-%m-%d} and then erased")
    click.echo(f"return code (give it to the organizer; it is not shown again): {removal.return_code}")


@click.command("reactivate")
@click.argument("login")
@with_appcontext
def reactivate_account(login):
    """Reactivate a removed account while its data is still held."""
    try:
        service.reactivate_account(get_by_login(login), operator="operator (cli)")
    except DomainError as exc:
        _fail(exc)
    click.echo(f"reactivated {login}")


@click.group()
def retention():
    """Hold and erase the data of removed accounts."""


@retention.command("status")
@with_appcontext
def status():
    """List removed accounts with their erasure date and the end of their return window."""
    removed = db.session.scalars(
        sa.select(Account).where(Account.status == "removed").order_by(Account.removed_at)
    ).all()
    if not removed:
        click.echo("no removed accounts")
    for account in removed:
        click.echo(
            f"{account.login}\t{account.plan}\tremoved {account.removed_at:%Y-%m-%d}\t"
            f"erase on {service.erase_due(account):%Y-%m-%d}\t"
            f"return until {service.return_window_ends(account):%Y-%m-%d}"
        )


@retention.command("run")
@click.option("--now", "now_text", default=None, help="Judge as of this time (default: now, UTC).")
@click.option("--no-wait", is_flag=True, help="Enqueue the job and return; follow it with `flask jobs show`.")
@with_appcontext
def run(now_text, no_wait):
    """Erase every removed account whose hold is over; destroy return packages past their 7 days (a job; daily too)."""
    now = parse_now(now_text)
    result = run_and_wait("retention.run", label="erasing", no_wait=no_wait, now=now.isoformat())
    if result is None:
        return
    for login in result["erased"]:
        click.echo(f"erased {login}")
    if result["retired"]:
        click.echo(
            f"master key versions {', '.join(map(str, result['retired']))} retired; "
            f"version {result['master_version']} wraps the remaining organizers' keys"
        )
    for warning in result["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{len(result['erased'])} account(s) erased; {result['packages_destroyed']} return package(s) destroyed")


@retention.command("return")
@click.argument("login")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="File to write the ZIP to (default: standard output).",
)
@click.option("--now", "now_text", default=None, help="Judge as of this time (default: now, UTC).")
@click.option(
    "--no-wait",
    is_flag=True,
    help="During the hold: enqueue the package's preparation and return; run the command again to download it.",
)
@with_appcontext
def return_database(login, output, now_text, no_wait):
    """Return a participant database (every registry as CSV, in a ZIP): during the hold (a job prepares it) or
    within 7 days after erasure (the package sealed at erasure). Handed out once."""
    now = parse_now(now_text)
    # After erasure the login is scrubbed: the exit's login digest finds the account (until its package is gone).
    account = service.find_erased_for_return(login) or find_by_login(login)
    if account is None:
        raise click.ClickException(f"No removed or recently erased account with login {login!r}.")
    try:
        if account.status == "removed" and not exits.held_package_ready(account):
            job = exits.request_return(account, now=now)
            if follow(job, label="preparing", no_wait=no_wait) is None:
                click.echo(f"when the job is done, run `flask retention return {login} -o FILE` to download it")
                return
            db.session.rollback()  # see what the worker committed
        data = exits.return_database(account, by="retention (cli)", channel="cli", now=now)
    except DomainError as exc:
        _fail(exc)
    with click.open_file(output, "wb") as out:
        out.write(data)
    click.echo(f"returned the participant database of {login} ({len(data)} bytes)", err=True)
