"""`flask support view`: staff look at a registry's participants for a support ticket (logged)."""

from __future__ import annotations

import getpass
import json

import click
from flask.cli import with_appcontext

from processor.errors import DomainError, one_line
from processor.support import service


@click.group()
def support():
    """Support staff tools (every access is logged for the organizer)."""


@support.command("view")
@click.option("--registry", "registry_id", required=True, help="The registry id.")
@click.option("--ticket", required=True, help="The support ticket reference.")
@click.option("--reason", required=True, help="Why the data must be seen (shown to the organizer).")
@click.option("--staff", default=getpass.getuser, show_default="your system user", help="Who is looking.")
@click.option("--fields", default=",".join(service.DEFAULT_FIELDS), show_default=True)
@click.option("--email", default=None, help="Show only the participant with this email.")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@with_appcontext
def view(registry_id, ticket, reason, staff, fields, email, limit):
    """Print participants as JSON lines; the access appears in the organizer's access log."""
    try:
        rows = service.view(
            registry_id,
            ticket=ticket,
            reason=reason,
            staff=staff,
            fields=[f.strip() for f in fields.split(",") if f.strip()],
            email=email,
            limit=limit,
        )
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    for row in rows:
        click.echo(json.dumps(row, default=str, ensure_ascii=False))
    click.echo(f"{len(rows)} participants shown; logged for the organizer under ticket {ticket}", err=True)
