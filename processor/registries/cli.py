"""`flask registries create` and `flask participants export`: organizer-instructed work from the command line."""

from __future__ import annotations

import csv
import getpass
import json
import sys

import click
from flask.cli import with_appcontext

from processor.accounts.service import get_by_login
from processor.csv_safety import neutralize_row
from processor.errors import DomainError, one_line
from processor.extensions import db
from processor.registries import service
from processor.registries.models import ENCRYPTED_FIELDS, Registry

PAGE = 500


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


def _pages(registry: Registry):
    after = None
    while page := service.list_participants(registry, after=after, limit=PAGE):
        yield from page
        after = (page[-1]["updated_at"], page[-1]["id"])


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if value is None or isinstance(value, (int, dict)) else str(value)


def _write_json(registry: Registry, out) -> int:
    head = {"id": str(registry.id), "name": registry.name,
            "webinar_date": registry.webinar_date.isoformat() if registry.webinar_date else None}
    out.write('{"registry": ' + json.dumps(head, ensure_ascii=False) + ', "participants": [')
    count = 0
    for participant in _pages(registry):
        out.write(("," if count else "") + "\n  " + json.dumps(
            {key: _plain(value) for key, value in participant.items()}, ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


def _write_csv(registry: Registry, out) -> int:
    custom = list(registry.custom_field_names or [])
    standard = [f for f in ENCRYPTED_FIELDS if f != "custom_fields"]
    columns = ["id", *standard, "source", "updated_at"]
    writer = csv.writer(out)
    # A custom field named like a standard column is told apart by a prefix.
    writer.writerow(neutralize_row([*columns, *(f"custom:{n}" if n in columns else n for n in custom)]))
    count = 0
    for participant in _pages(registry):
        values = [_plain(participant[c]) for c in columns]
        values += [participant["custom_fields"].get(name) for name in custom]
        writer.writerow(neutralize_row(values))
        count += 1
    return count


@participants.command("export")
@click.option("--registry", "registry_id", required=True, help="The registry id.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@with_appcontext
def export(registry_id, fmt):
    """Write a registry, decrypted, to standard output: an export on the organizer's instruction, logged."""
    registry = db.session.get(Registry, service.as_uuid(registry_id)) if service.as_uuid(registry_id) else None
    if registry is None:
        raise click.ClickException("No such registry.")
    try:
        count = (_write_json if fmt == "json" else _write_csv)(registry, sys.stdout)
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    from processor.audit import record_access

    record_access(account_id=registry.account_id, actor_type="staff", actor=getpass.getuser(),
                  purpose="essential.service", reason="export on the organizer's instruction", registry_id=registry.id,
                  fields=ENCRYPTED_FIELDS, records=count, channel="cli")
    db.session.commit()
    click.echo(f"exported {count} participants", err=True)
