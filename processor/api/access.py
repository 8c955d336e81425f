"""Decide and record each use of participant data by a client: registry visibility, purpose, transfer."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import sqlalchemy as sa

from processor import purposes
from processor.accounts.models import Account
from processor.audit import record_access
from processor.clients.models import ServiceClient
from processor.extensions import db
from processor.registries.models import Registry
from processor.registries.service import RegistryNotFound, require_active_account
from processor.transfers.policy import TransferPolicy, TransferRefused, today


def visible_registries(client: ServiceClient) -> list[Registry]:
    """The registries the client may see: its organizer's, or every one for an internal service."""
    query = (
        sa.select(Registry)
        .join(Account, Account.id == Registry.account_id)
        .where(Account.status == "active")
        .order_by(Registry.created_at, Registry.id)
    )
    if client.account_id is not None:
        query = query.where(Registry.account_id == client.account_id)
    return list(db.session.scalars(query))


def open_registry(client: ServiceClient, registry_id: uuid.UUID) -> Registry:
    """The registry if the client may see it; otherwise 404, so existence does not leak."""
    registry = db.session.get(Registry, registry_id)
    if registry is None or not client.may_see(registry.account_id):
        raise RegistryNotFound()
    require_active_account(registry.account_id)
    return registry


def _log(
    client: ServiceClient,
    registry: Registry,
    *,
    purpose: str,
    fields: Iterable[str],
    records: int,
    allowed: bool,
    reason: str,
) -> None:
    record_access(
        account_id=registry.account_id,
        actor_type="client",
        actor=client.name,
        purpose=purpose,
        registry_id=registry.id,
        fields=tuple(fields),
        records=records,
        destination_country=client.country,
        allowed=allowed,
        reason=reason,
        channel="api",
    )


def authorize(
    client: ServiceClient, registry: Registry, *, purpose: str, fields: Iterable[str] = (), on: dt.date | None = None
) -> None:
    """Apply the purpose policy and the transfer rule; a refusal is logged (and committed) before it is raised."""
    decision = purposes.decide_participant_use(purpose, client.purpose_list)
    try:
        if not decision.allowed:
            raise purposes.PurposeRefused(decision.reason, rule=decision.rule)
        TransferPolicy().require(client.country, on=on or today(), attestations=client.attestations)
    except (purposes.PurposeRefused, TransferRefused) as refusal:
        log_refusal(
            client, registry, purpose=purpose, fields=fields, reason=f"{refusal.extra['rule']}: {refusal.detail}"
        )
        raise


def log_refusal(client: ServiceClient, registry: Registry, *, purpose: str, fields: Iterable[str], reason: str) -> None:
    """Log a refused use and commit at once: the request fails, the trace must stay."""
    db.session.rollback()  # nothing else of the failing request may be persisted with it
    _log(client, registry, purpose=purpose, fields=fields, records=0, allowed=False, reason=reason)
    db.session.commit()


def record_use(
    client: ServiceClient,
    registry: Registry,
    *,
    purpose: str,
    fields: Iterable[str],
    records: int,
    reason: str = "purpose granted; transfer allowed",
) -> None:
    """Log an allowed use with what was handed out, and commit."""
    _log(client, registry, purpose=purpose, fields=fields, records=records, allowed=True, reason=reason)
    db.session.commit()
