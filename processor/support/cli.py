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


def sign_in(staff_login: str | None, client_token: str | None) -> staff.StaffActor:
    """Authenticate the staff member (login, password, code) or the staff client (token)."""
    if client_token:
        return staff.authenticate_staff_client(client_token)
    if not staff_login:
        raise click.UsageError("Sign in: give --staff LOGIN (password and code are asked), or set STAFF_CLIENT_TOKEN.")
    password = click.prompt("Password", hide_input=True, err=True)
    code = click.prompt("Authentication code", err=True)
    return staff.authenticate_staff(staff_login, password, code)


@support.command("view")
@click.option("--registry", "registry_id", required=True, help="The registry id.")
@click.option("--ticket", required=True, help="The support ticket reference.")
@click.option("--reason", required=True, help="Why the data must be seen (shown to the organizer).")
@click.option("--staff", "staff_login", default=None, help="Your staff login; the password and code are asked for.")
@click.option(
    "--client-token",
    envvar="STAFF_CLIENT_TOKEN",
    show_envvar=True,
    default=None,
    help="Instead of --staff: the token of an API client of kind staff (best from the environment).",
)
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
        actor = sign_in(staff_login, client_token)
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
