"""`flask audit verify`: check the access log's hash chains."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from processor.audit import service


@click.group()
def audit():
    """Inspect the access log."""


@audit.command("verify")
@click.option("--account", "login", help="Check only this organizer's log (by login).")
@with_appcontext
def verify(login):
    """Exit non-zero, naming the first bad entry, if any entry was altered, removed or reordered."""
    checked, breaks = service.verify_all(login)
    if login and not checked:
        raise click.ClickException(f"no account with login {login!r}")
    for account_login, found in breaks:
        click.echo(found.describe(account_login), err=True)
    if breaks:
        raise click.ClickException(
            f"{len(breaks)} of {checked} access logs are broken; first: {breaks[0][1].describe(breaks[0][0])}"
        )
    click.echo(f"{checked} access logs intact")
