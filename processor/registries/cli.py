"""`flask registries create` and `flask participants export`: organizer-instructed work from the command line."""

from __future__ import annotations

import shutil
import sys

import click
from flask.cli import with_appcontext

from processor import jobs, staff
from processor.access import Actor, gate
from processor.accounts.models import Account
from processor.accounts.service import get_by_login
from processor.errors import DomainError, one_line
from processor.extensions import db
from processor.jobs.cli import follow
from processor.registries import export_jobs, service
from processor.transfers.policy import ATTESTATION_KINDS

MIN_REASON, MAX_REASON = 10, 400


@click.group()
def registries():
    """Manage participant registries."""


@registries.command("create")
@click.option("--account", "login", required=True, help="The organizer's login.")
@click.option("--name", required=True)
@click.option("--webinar-date", default=None, help="YYYY-MM-DD")
@with_appcontext
def create(login, name, webinar_date):
    """Create a registry; the last line printed is its id."""
    try:
        registry = service.create_registry(get_by_login(login).id, name, webinar_date)
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(f"created registry {registry.name!r} for {login}")
    click.echo(str(registry.id))


@click.group()
def participants():
    """Work with the participants of a registry."""


@participants.command("export")
@click.option("--registry", "registry_id", required=True, help="The registry id.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option(
    "--destination",
    default=None,
    help="ISO code of the country the export goes to (default: the organizer's account country).",
)
@click.option(
    "--attests",
    multiple=True,
    type=click.Choice(ATTESTATION_KINDS),
    help="A scope attestation the recipient holds today, if its country's decision needs one (repeatable).",
)
@click.option(
    "--reason",
    required=True,
    help="Why, on whose instruction (e.g. 'request of 2026-11-30, ticket SUP-12'); logged for the organizer.",
)
@staff.cli_options
@with_appcontext
def export(registry_id, fmt, destination, attests, reason, staff_login, client_token):
    """Write a registry, decrypted, to standard output: an export on the organizer's instruction, logged.

    A job writes it, sealed for this command alone (see export_jobs.py); Ctrl-C cancels it."""
    reason = (reason or "").strip()
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise click.ClickException(f"--reason: say why, in {MIN_REASON}-{MAX_REASON} characters.")
    try:
        signed_in = staff.cli_sign_in(staff_login, client_token)  # staff sign in; the OS user names no one
        # The staff member who signed in is the actor; the export leaves on the organizer's instruction (the reason).
        exporter = Actor("staff", signed_in.name, "cli", attestations=tuple(attests), reason=reason)
        registry = gate.open_registry(exporter, registry_id)
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    destination = (destination or db.session.get(Account, registry.account_id).country).strip().upper()
    private, recipient = export_jobs.new_recipient()  # the private half never leaves this process
    job = jobs.enqueue(
        export_jobs.EXPORT_JOB,
        registry.account_id,
        subject_id=registry.id,
        total=service.count_participants(registry),
        registry_id=str(registry.id),
        fmt=fmt,
        destination=destination,
        reason=reason,
        staff=signed_in.name,
        attests=list(attests),
        recipient=recipient,
    )
    try:
        try:
            result = follow(job, label="exporting", no_wait=False, on_interrupt="cancel")
        finally:
            _print_export(job.id, private)  # all of it, or what was handed out before a failure (logged so)
    finally:
        export_jobs.delete(job.id)
    count, bad = result["count"], result["bad"]
    click.echo(f"exported {count} participants", err=True)
    for row in bad:
        click.echo(
            f"withheld participant {row['id']}: failed its integrity check (incident {row['incident']})", err=True
        )
    if bad:
        raise click.ClickException(f"{len(bad)} participants failed their integrity check and were not exported.")


def _print_export(job_id, private) -> None:
    db.session.rollback()
    sealed = export_jobs.open_export(job_id, private)
    if sealed is None:
        return
    with sealed:
        sys.stdout.flush()
        shutil.copyfileobj(sealed, sys.stdout.buffer)
        sys.stdout.buffer.flush()
