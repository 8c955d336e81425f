"""`flask clients create|list|revoke`: the processor's internal services and their tokens."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from processor.clients import service
from processor.db_types import utcnow
from processor.errors import DomainError, one_line


@click.group()
def clients():
    """Manage API clients (internal services)."""


@clients.command("create")
@click.option("--name", required=True, help="Lower-case name, e.g. mailer.")
@click.option("--scopes", default="", help="Comma-separated, e.g. participants:read,messages:send.")
@click.option(
    "--purposes", default="", help="Comma-separated essential purposes, e.g. essential.service.notifications.email."
)
@click.option(
    "--kind",
    type=click.Choice(["service", "staff"]),
    default="service",
    show_default=True,
    help="staff: a support desk's token for `flask support` (no API scopes).",
)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code of where the service runs.")
@click.option(
    "--dpf-certified",
    is_flag=True,
    help="Record a DPF attestation from today without a reference; prefer `flask transfers attest --client`.",
)
@click.option(
    "--registry",
    "registries",
    multiple=True,
    help="Limit the client to this registry id (repeat for several); without it, every registry.",
)
@click.option(
    "--expires-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help=f"The token's last day (UTC), at most {service.MAX_EXPIRY_DAYS} days ahead; without it, no expiry.",
)
@with_appcontext
def create(name, scopes, purposes, country, dpf_certified, kind, registries, expires_on):
    """Create a client and print its token once; only a hash of it is kept."""
    try:
        client, token = service.create_client(
            name=name,
            scopes=scopes,
            purposes_granted=purposes,
            country=country,
            dpf_certified=dpf_certified,
            created_by="cli",
            kind=kind,
            registries=registries,
            expires_on=expires_on.date() if expires_on else None,
        )
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    decision = service.transfer_decision(client.country, client.attestations)
    if not decision.allowed:
        click.echo(f"warning: the API refuses this client's calls today: {decision.reason}", err=True)
    click.echo(f"created client {client.name}; its token (shown only now, store it in the service's secrets):")
    click.echo(token)


@clients.command("list")
@click.option("--all", "include_organizers", is_flag=True, help="Include organizers' own clients.")
@with_appcontext
def list_(include_organizers):
    """List clients: name, state, scopes, purposes, country, registries, expiry, last use."""
    now = utcnow()
    for client in service.list_clients(include_organizers=include_organizers):
        state = "revoked" if client.revoked_at else "expired" if client.expired(now) else "active"
        limit = client.registry_ids
        owner = f" organizer={client.account_id}" if client.account_id else ""
        click.echo(
            f"{client.name}\t{state}\t{client.token_hint}…\tscopes={client.scopes}\t"
            f"purposes={client.purposes}\tcountry={client.country}"
            f"{''.join(f' [{a.describe()}]' for a in client.attestations)}{owner}"
            f"{' kind=staff' if client.kind == 'staff' else ''}"
            f"\tregistries={','.join(sorted(str(r) for r in limit)) if limit is not None else 'all'}"
            f"\texpires={client.expires_at.isoformat() if client.expires_at else 'never'}"
            f"\tlast_used={client.last_used_at.isoformat() if client.last_used_at else 'never'}"
        )


@clients.command("revoke")
@click.argument("name")
@with_appcontext
def revoke(name):
    """Revoke a client: its token stops working at once."""
    try:
        client = service.revoke_client(name)
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(f"revoked client {client.name}")
