"""`flask keys ...`: rotate the master key and organizer keys online, retire master versions, crypto-shred."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from processor.accounts.service import get_by_login
from processor.errors import DomainError, one_line
from processor.jobs.cli import run_and_wait
from processor.keys import tasks  # noqa: F401 (registers the key jobs)


def _fail(exc: Exception):
    raise click.ClickException(one_line(exc) if isinstance(exc, DomainError) else str(exc)) from None


@click.group()
def keys():
    """Rotate, retire and destroy encryption keys."""


NO_WAIT = click.option("--no-wait", is_flag=True, help="Enqueue the job and return; follow it with `flask jobs show`.")


@keys.command("rotate-master")
@NO_WAIT
@with_appcontext
def rotate_master(no_wait):
    """Add a master key version and re-wrap every organizer key under it (resumes an unfinished run).

    If a shred left the retirement of old master versions unfinished, this finishes it instead. Runs as a job.
    """
    result = run_and_wait("keys.rotate_master", label="re-wrapping", no_wait=no_wait)
    if result is None:
        return
    for warning in result["warnings"]:
        click.echo(f"WARNING: {warning}", err=True)
    if result["warnings"]:
        raise SystemExit(1)
    if result["warnings"]:
        raise SystemExit(1)
    if result["retired"]:
        click.echo(
            f"a shred had left old master key versions to retire: master key versions "
            f"{', '.join(map(str, result['retired']))} retired; version {result['version']} wraps every "
            "organizer key"
        )
        return
    click.echo(
        f"done: master key version {result['version']} wraps every organizer key ({result['rewrapped']} re-wrapped); "
        "older versions stay until `flask keys retire-master VERSION`"
    )


@keys.command("rotate-account")
@click.argument("login")
@NO_WAIT
@with_appcontext
def rotate_account(login, no_wait):
    """Add a data-key version for one organizer and re-encrypt its fields in batches (resumable, online; a job)."""
    try:
        account = get_by_login(login)
    except DomainError as exc:
        _fail(exc)
    result = run_and_wait("keys.rotate_account", account.id, label="re-encrypting", no_wait=no_wait)
    if result is not None:
        click.echo(
            f"done: every field of {account.login} is encrypted under data-key version {result['version']} "
            f"({result['reencrypted']} participants re-encrypted)"
        )


@keys.command("seal-legacy-rows")
@click.option("--account", "login", help="Seal only this organizer's rows (by login); default: every organizer.")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 10_000), help="Rows per commit.")
@NO_WAIT
@with_appcontext
def seal_legacy_rows(login, batch, no_wait):
    """After upgrading past s4_gate_02: give rows written before row MACs their MAC, once every cell decrypts.

    One-time and resumable (a job, in committed batches, each logged); a row whose cells do not decrypt is
    reported by id and incident and stays unsealed (withheld). Exits 1 if any row failed.
    """
    account_id = None
    if login:
        try:
            account_id = get_by_login(login).id
        except DomainError as exc:
            _fail(exc)
    result = run_and_wait("keys.seal_legacy_rows", account_id, label="sealing", no_wait=no_wait, batch=batch)
    if result is None:
        return
    for entry in result["failed"]:
        click.echo(
            f"NOT SEALED: participant {entry['id']} failed its integrity check (incident {entry['incident']})", err=True
        )
    for owner in result["shredded"]:
        click.echo(f"skipped organizer {owner}: its keys were shredded", err=True)
    click.echo(f"done: {result['sealed']} rows sealed, {len(result['failed'])} failed their integrity check")
    if result["failed"]:
        raise SystemExit(1)


@keys.command("retire-master")
@click.argument("version", type=int)
@NO_WAIT
@with_appcontext
def retire(version, no_wait):
    """Delete a master key version; refused while any organizer key still uses it (a job)."""
    if run_and_wait("keys.retire_master", label="retiring", no_wait=no_wait, version=version) is not None:
        click.echo(f"master key version {version} is retired")


@keys.command("shred")
@click.argument("login")
@click.option(
    "--yes-destroy-all-participant-data",
    "confirmed",
    is_flag=True,
    help="Required: confirms that the organizer's participant data becomes unreadable for good.",
)
@NO_WAIT
@with_appcontext
def shred(login, confirmed, no_wait):
    """Destroy an organizer's keys: its participant data can never be decrypted again, not even from backups.

    A job: the keys go at once, then one master rotation retires the versions that wrapped them."""
    if not confirmed:
        raise click.ClickException(
            "Nothing done: shredding cannot be undone; pass --yes-destroy-all-participant-data to confirm."
        )
    try:
        account = get_by_login(login)
    except DomainError as exc:
        _fail(exc)
    result = run_and_wait("keys.shred", account.id, label="shredding", no_wait=no_wait)
    if result is None:
        return
    click.echo(f"destroyed {result['destroyed']} keys of {account.login}")
    if result["retired"]:
        click.echo(
            f"master key versions {', '.join(map(str, result['retired']))} retired; "
            f"version {result['master_version']} wraps the remaining organizers' keys"
        )
    for warning in result["warnings"]:
        click.echo(f"WARNING: {warning}", err=True)
    if result["warnings"]:
        raise SystemExit(1)
