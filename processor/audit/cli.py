"""`flask audit verify`: check the access log's hash chains."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from processor.audit import checkpoints, service


@click.group()
def audit():
    """Inspect the access log."""


@audit.command("verify")
@click.option("--account", "login", help="Check only this organizer's log (by login).")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.File("r"),
    help="A signed checkpoint (downloaded from the access-log page or the API): prove the log contains and extends it.",
)
@with_appcontext
def verify(login, checkpoint_file):
    """Exit non-zero, naming the first bad entry, if any entry was altered, removed or reordered, or if the log
    no longer contains the checkpoint given."""
    if checkpoint_file is not None:
        try:
            document = json.load(checkpoint_file)
        except ValueError:
            raise click.ClickException("the checkpoint file is not JSON") from None
        found = checkpoints.check(document if isinstance(document, dict) else {})
        if found:
            raise click.ClickException(f"checkpoint not borne out: {found.describe('the organizer')}")
        click.echo(f"the log contains checkpoint #{document['seq']} and extends it intact")
        return
    checked, breaks = service.verify_all(login, check=checkpoints.verify_with_stored)
    if login and not checked:
        raise click.ClickException(f"no account with login {login!r}")
    for account_login, found in breaks:
        click.echo(found.describe(account_login), err=True)
    if breaks:
        raise click.ClickException(
            f"{len(breaks)} of {checked} access logs are broken; first: {breaks[0][1].describe(breaks[0][0])}"
        )
    click.echo(f"{checked} access logs intact")
