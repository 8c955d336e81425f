"""`flask registries create` and `flask participants export`: organizer-instructed work from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from processor import staff
from processor.accounts.models import Account
from processor.accounts.service import get_by_login
from processor.audit import record_access
from processor.errors import DomainError, one_line
from processor.extensions import db
from processor.registries import export as exports
from processor.registries import service
from processor.registries.models import ENCRYPTED_FIELDS, Registry
from processor.transfers.policy import ATTESTATION_KINDS, TransferRefused, check_export_destination


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
@staff.cli_options
@with_appcontext
def export(registry_id, fmt, destination, attests, staff_login, client_token):
    """Write a registry, decrypted, to standard output: an export on the organizer's instruction, logged."""
    try:
        actor = staff.cli_sign_in(staff_login, client_token)  # staff sign in; the OS user names no one
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    registry = db.session.get(Registry, service.as_uuid(registry_id)) if service.as_uuid(registry_id) else None
    if registry is None:
        raise click.ClickException("No such registry.")
    destination = destination or db.session.get(Account, registry.account_id).country
    entry = {
        "account_id": registry.account_id,
        "actor_type": "staff",
        "actor": actor.name,
        "purpose": "essential.service",
        "registry_id": registry.id,
        "fields": ENCRYPTED_FIELDS,
        "channel": "cli",
    }
    try:
        service.get_registry(registry.account_id, registry.id)  # refused while the account is on hold
        check_export_destination(destination, attestations=attests)
        count = (exports.write_json if fmt == "json" else exports.write_csv)(registry, sys.stdout)
    except TransferRefused as exc:
        record_access(
            **entry, destination_country=exc.decision.country, allowed=False, reason=f"export refused: {exc.detail}"
        )
        db.session.commit()
        raise click.ClickException(one_line(exc)) from None
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    record_access(
        **entry,
        records=count,
        destination_country=destination.strip().upper(),
        reason="export on the organizer's instruction",
    )
    db.session.commit()
    click.echo(f"exported {count} participants", err=True)
