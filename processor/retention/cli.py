"""`flask accounts remove|reactivate` and `flask retention status|run|return`: the life after removal."""

from __future__ import annotations

import datetime as dt

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from processor.accounts.models import Account
from processor.accounts.service import get_by_login
from processor.errors import DomainError, one_line
from processor.extensions import db
from processor.retention import service


def _now(value: str | None) -> dt.datetime | None:
    if not value:
        return None
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
@with_appcontext
def remove_account(login, yes):
    """Remove an account: its data is held 60 (free) or 90 (paid) days, then erased."""
    if not yes:
        raise click.ClickException("Removing an account stops all processing of its data; repeat with --yes.")
    try:
        due = service.remove_account(get_by_login(login))
    except DomainError as exc:
        _fail(exc)
    click.echo(f"removed {login}; its data is held until {due:%Y-%m-%d} and then erased")


@click.command("reactivate")
@click.argument("login")
@with_appcontext
def reactivate_account(login):
    """Reactivate a removed account while its data is still held."""
    try:
        service.reactivate_account(get_by_login(login))
    except DomainError as exc:
        _fail(exc)
    click.echo(f"reactivated {login}")


@click.group()
def retention():
    """Hold and erase the data of removed accounts."""


@retention.command("status")
@with_appcontext
def status():
    """List removed accounts with the end of their return window and their erasure date."""
    removed = db.session.scalars(
        sa.select(Account).where(Account.status == "removed").order_by(Account.removed_at)
    ).all()
    if not removed:
        click.echo("no removed accounts")
    for account in removed:
        click.echo(
            f"{account.login}\t{account.plan}\tremoved {account.removed_at:%Y-%m-%d}\t"
            f"return until {service.return_window_ends(account):%Y-%m-%d}\t"
            f"erase on {service.erase_due(account):%Y-%m-%d}"
        )


@retention.command("run")
@click.option("--now", "now_text", default=None, help="Judge as of this time (default: now, UTC).")
@with_appcontext
def run(now_text):
    """Erase, for good, every removed account whose hold period is over."""
    run = service.erase_due_accounts(now=_now(now_text))
    for login in run.erased:
        click.echo(f"erased {login}")
    if run.retired:
        click.echo(
            f"master key versions {', '.join(map(str, run.retired))} retired; "
            f"version {run.master_version} wraps the remaining organizers' keys"
        )
    for warning in run.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{len(run.erased)} account(s) erased")


@retention.command("return")
@click.argument("login")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="File to write (default: standard output).",
)
@with_appcontext
def return_database(login, output):
    """Return a removed account's participant database (asked for within 7 days of removal), as JSON."""
    account = get_by_login(login)
    try:
        service.check_return_allowed(account)
        with click.open_file(output, "w", encoding="utf-8") as out:
            count = service.return_participant_database(account, out)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"returned {count} participants of {login}", err=True)  # stdout may be the data itself
