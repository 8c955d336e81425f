"""`flask keys ...`: rotate the master key and organizer keys online, retire master versions, crypto-shred."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from processor.accounts.service import get_by_login
from processor.errors import DomainError, one_line
from processor.keys.providers import MasterKeyError
from processor.keys.rotation import retire_master, rewrap_all, start_master_rotation
from processor.keys.shredding import finish_shredding, shred_account_keys
from processor.registries.rotation import reencrypt_account, start_account_rotation


def _fail(exc: Exception):
    raise click.ClickException(one_line(exc) if isinstance(exc, DomainError) else str(exc)) from None


@click.group()
def keys():
    """Rotate, retire and destroy encryption keys."""


@keys.command("rotate-master")
@with_appcontext
def rotate_master():
    """Add a master key version and re-wrap every organizer key under it (resumes an unfinished run).

    If a shred left the retirement of old master versions unfinished, this finishes it instead.
    """
    if _finish_pending_retirement():
        return
    try:
        target, pending = start_master_rotation()
        click.echo(f"re-wrapping {pending} organizer keys under master key version {target}")
        with click.progressbar(length=pending, label="re-wrapping", file=sys.stderr) as bar:
            rewrap_all(target, progress=bar.update)
    except (DomainError, MasterKeyError) as exc:
        _fail(exc)
    click.echo(
        f"done: master key version {target} wraps every organizer key; older versions stay until "
        "`flask keys retire-master VERSION`"
    )


def _finish_pending_retirement() -> bool:
    """Finish a retirement a shred left pending (a crash, a failure); False when nothing was pending."""
    result = finish_shredding()
    for warning in result.warnings:
        click.echo(f"WARNING: {warning}", err=True)
    if result.warnings:
        raise SystemExit(1)
    if not result.retired:
        return False
    click.echo(
        f"a shred had left old master key versions to retire: master key versions "
        f"{', '.join(map(str, result.retired))} retired; version {result.master_version} wraps every "
        "organizer key"
    )
    return True


@keys.command("rotate-account")
@click.argument("login")
@with_appcontext
def rotate_account(login):
    """Add a data-key version for one organizer and re-encrypt its fields in batches (resumable, online)."""

    try:
        account = get_by_login(login)
        target, pending = start_account_rotation(account.id)
        click.echo(f"re-encrypting {pending} participants of {account.login} under data-key version {target}")
        with click.progressbar(length=pending, label="re-encrypting", file=sys.stderr) as bar:
            reencrypt_account(account.id, target, progress=bar.update)
    except (DomainError, MasterKeyError) as exc:
        _fail(exc)
    click.echo(f"done: every field of {account.login} is encrypted under data-key version {target}")


@keys.command("retire-master")
@click.argument("version", type=int)
@with_appcontext
def retire(version):
    """Delete a master key version; refused while any organizer key still uses it."""
    try:
        retire_master(version)
    except (DomainError, MasterKeyError) as exc:
        _fail(exc)
    click.echo(f"master key version {version} is retired")


@keys.command("shred")
@click.argument("login")
@click.option(
    "--yes-destroy-all-participant-data",
    "confirmed",
    is_flag=True,
    help="Required: confirms that the organizer's participant data becomes unreadable for good.",
)
@with_appcontext
def shred(login, confirmed):
    """Destroy an organizer's keys: its participant data can never be decrypted again, not even from backups."""
    if not confirmed:
        raise click.ClickException(
            "Nothing done: shredding cannot be undone; pass --yes-destroy-all-participant-data to confirm."
        )
    try:
        account = get_by_login(login)
        result = shred_account_keys(account.id)
    except (DomainError, MasterKeyError) as exc:
        _fail(exc)
    click.echo(f"destroyed {result.destroyed} keys of {account.login}")
    if result.retired:
        click.echo(
            f"master key versions {', '.join(map(str, result.retired))} retired; "
            f"version {result.master_version} wraps the remaining organizers' keys"
        )
    for warning in result.warnings:
        click.echo(f"WARNING: {warning}", err=True)
    if result.warnings:
        raise SystemExit(1)
