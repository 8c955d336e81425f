"""`flask audit verify`: check the access log's hash chains."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from processor.accounts.models import Account
from processor.audit import checkpoints, legacy, service
from processor.extensions import db


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
@with_appcontext
def rekey_legacy(login):
    """After upgrading past s4_gate_03: re-chain entries hashed before the chain was keyed under the chain key.

    Once per log (running again changes nothing); each re-keyed log records it, with the legacy head it replaced.
    A log that does not check out (altered, cut) is left alone and reported; the command then exits 1."""
    query = sa.select(Account.id, Account.login).order_by(Account.login)
    if login:
        query = query.where(Account.login == login)
    accounts = db.session.execute(query).all()
    if login and not accounts:
        raise click.ClickException(f"no account with login {login!r}")
    rekeyed, broken = 0, []
    for account in accounts:
        result = legacy.rekey_account(account.id)
        if isinstance(result, legacy.Rekeyed):
            rekeyed += 1
            click.echo(f"{account.login}: {result.legacy} legacy entries re-keyed (legacy head {result.legacy_head})")
        elif result is not None:
            broken.append(result.describe(account.login))
            click.echo(f"NOT RE-KEYED: {broken[-1]}", err=True)
    if broken:
        raise click.ClickException(f"{len(broken)} access logs did not check out and were left as they are")
    click.echo(f"done: {rekeyed} of {len(accounts)} access logs re-keyed")
