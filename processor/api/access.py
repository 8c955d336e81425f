"""A client's view of the gate: which registries it sees, and its uses checked and logged by `processor.access`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa

from processor.access import Actor, gate
from processor.accounts.models import Account
from processor.clients.models import ServiceClient
from processor.errors import DomainError
from processor.extensions import db
from processor.registries.models import Registry


def visible_registries(client: ServiceClient) -> list[Registry]:
    """The registries the client may see: its organizer's, or every one for an internal service; only the chosen
    ones when it is limited to some."""
    query = (
        sa.select(Registry)
        .join(Account, Account.id == Registry.account_id)
        .where(Account.status == "active")
        .order_by(Registry.created_at, Registry.id)
    )
    if client.account_id is not None:
        query = query.where(Registry.account_id == client.account_id)
    if (allowed := client.registry_ids) is not None:
        query = query.where(Registry.id.in_(allowed)) if allowed else query.where(sa.false())
    return list(db.session.scalars(query))


def open_registry(client: ServiceClient, registry_id: uuid.UUID) -> Registry:
    """The registry if the client may see it; otherwise 404, so existence does not leak."""
    return gate.open_registry(Actor.client(client), registry_id)


def authorize(client: ServiceClient, registry: Registry, *, purpose: str, fields: Iterable[str] = ()) -> None:
    """Apply the gate's rules for a message or other use the caller logs itself; a refusal is logged first."""
    gate.require(Actor.client(client), registry, op="message", purpose=purpose, fields=fields)


def log_refusal(client: ServiceClient, registry: Registry, *, purpose: str, fields: Iterable[str], reason: str) -> None:
    """Log a refused use and commit at once: the request fails, the trace must stay."""
    refusal = DomainError(reason.partition(": ")[2] or reason)
    refusal.extra["rule"] = reason.partition(": ")[0]
    gate.refuse(
        Actor.client(client), registry.account_id, refusal, purpose=purpose, fields=fields, registry_id=registry.id
    )


def record_use(
    client: ServiceClient,
    registry: Registry,
    *,
    purpose: str,
    fields: Iterable[str],
    records: int,
    reason: str = "purpose granted; transfer allowed",
) -> None:
    """Log an allowed use with what was handed out, in the work's transaction, and commit both."""
    gate.log(
        Actor.client(client),
        registry.account_id,
        purpose=purpose,
        fields=fields,
        records=records,
        allowed=True,
        reason=reason,
        registry_id=registry.id,
    )
    db.session.commit()
