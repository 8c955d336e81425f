"""`flask audit verify`: check the access log's hash chains."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from processor.accounts.models import Account
from processor.audit import (
    checkpoints,
    service,
    tasks,  # noqa: F401 (registers the re-key job)
)
from processor.extensions import db
from processor.jobs.cli import run_and_wait


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


@audit.command("rekey-legacy")
@click.option("--account", "login", help="Re-key only this organizer's log (by login).")
@click.option("--no-wait", is_flag=True, help="Enqueue the job and return; follow it with `flask jobs show`.")
@with_appcontext
def rekey_legacy(login, no_wait):
    """After upgrading past s4_gate_03: re-chain entries hashed before the chain was keyed under the chain key.

    Once per log (running again changes nothing); each re-keyed log records it, with the legacy head it replaced.
    A log that does not check out (altered, cut) is left alone and reported; the command then exits 1. A job."""
    account_id = None
    if login:
        account_id = db.session.scalar(sa.select(Account.id).where(Account.login == login))
        if account_id is None:
            raise click.ClickException(f"no account with login {login!r}")
    result = run_and_wait("audit.rekey_legacy", account_id, label="re-keying", no_wait=no_wait)
    if result is None:
        return
    for line in result["rekeyed"]:
        click.echo(line)
    for line in result["broken"]:
        click.echo(f"NOT RE-KEYED: {line}", err=True)
    if result["broken"]:
        raise click.ClickException(f"{len(result['broken'])} access logs did not check out and were left as they are")
    click.echo(f"done: {len(result['rekeyed'])} of {result['checked']} access logs re-keyed")
