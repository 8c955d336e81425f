"""`flask support view`: a signed-in staff member looks at a registry's participants for a ticket (logged)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from processor import staff
from processor.errors import DomainError, one_line
from processor.support import service


@click.group()
def support():
    """Support staff tools: staff sign in, and every access is logged for the organizer."""


@support.command("view")
@click.option("--registry", "registry_id", required=True, help="The registry id.")
@click.option("--ticket", required=True, help="The support ticket reference.")
@click.option("--reason", required=True, help="Why the data must be seen (shown to the organizer).")
@staff.cli_options
@click.option(
    "--legal-obligation",
    is_flag=True,
    help="The law requires this access to a removed (held) account; it is logged as such.",
)
@click.option("--fields", default=",".join(service.DEFAULT_FIELDS), show_default=True)
@click.option("--email", default=None, help="Show only the participant with this email.")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@with_appcontext
def view(registry_id, ticket, reason, staff_login, client_token, legal_obligation, fields, email, limit):
    """Print participants as JSON lines; the access appears in the organizer's access log."""
    try:
        actor = staff.cli_sign_in(staff_login, client_token)
        rows = service.view(
            registry_id,
            actor=actor,
            ticket=ticket,
            reason=reason,
            legal_obligation=legal_obligation,
            fields=[f.strip() for f in fields.split(",") if f.strip()],
            email=email,
            limit=limit,
        )
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    for row in rows:
        click.echo(json.dumps(row, default=str, ensure_ascii=False))
    click.echo(f"{len(rows)} participants shown; logged for the organizer under ticket {ticket}", err=True)
