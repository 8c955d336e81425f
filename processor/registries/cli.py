"""`flask registries create` and `flask participants export`: organizer-instructed work from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from processor import staff
from processor.access import Actor, gate
from processor.accounts.models import Account
from processor.accounts.service import get_by_login
from processor.errors import DomainError, one_line
from processor.extensions import db
from processor.registries import export as exports
from processor.registries import service
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
    """Write a registry, decrypted, to standard output: an export on the organizer's instruction, logged."""
    reason = (reason or "").strip()
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise click.ClickException(f"--reason: say why, in {MIN_REASON}-{MAX_REASON} characters.")
    try:
        signed_in = staff.cli_sign_in(staff_login, client_token)  # staff sign in; the OS user names no one
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    bad: list[dict] = []
    # The staff member who signed in is the actor; the export leaves on the organizer's instruction (the reason).
    exporter = Actor("staff", signed_in.name, "cli", attestations=tuple(attests), reason=reason)
    try:
        registry = gate.open_registry(exporter, registry_id)
        destination = destination or db.session.get(Account, registry.account_id).country
        count = gate.export(
            exporter,
            registry,
            exports.write_json if fmt == "json" else exports.write_csv,
            sys.stdout,
            destination=destination.strip().upper(),
            reason=reason,
            bad=bad,
        )
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(f"exported {count} participants", err=True)
    for row in bad:
        click.echo(
            f"withheld participant {row['id']}: failed its integrity check (incident {row['incident']})", err=True
        )
    if bad:
        raise click.ClickException(f"{len(bad)} participants failed their integrity check and were not exported.")
