"""Reads of participant data by a client: checked, sparse, paginated and logged."""

from __future__ import annotations

import datetime as dt
import uuid

from processor.api import access, paging
from processor.clients.models import ServiceClient
from processor.registries import service as registries


def read_page(
    client: ServiceClient,
    registry_id: uuid.UUID,
    *,
    purpose: str,
    fields: list[str],
    page_size: int,
    page_token: str | None = None,
    email: str | None = None,
    updated_since: dt.datetime | None = None,
) -> dict:
    """One page of participants (or the one matching `email`), with deletion markers for a sync."""
    registry = access.open_registry(client, registry_id)
    access.authorize(client, registry, purpose=purpose, fields=fields)
    next_token, deleted = None, []
    if email:
        match = registries.find_by_email(registry, email, fields=fields)
        rows = [match] if match else []
    else:
        fingerprint = paging.query_fingerprint(
            registry=registry.id,
            client=client.id,
            purpose=purpose,
            fields=",".join(fields),
            updated_since=updated_since.isoformat() if updated_since else "",
        )
        after = paging.read_token(page_token, fingerprint) if page_token else None
        rows = registries.list_participants(
            registry, fields=fields, after=after, limit=page_size, updated_since=updated_since
        )
        if len(rows) == page_size:
            next_token = paging.make_token(rows[-1], fingerprint)
        if updated_since is not None and page_token is None:
            deleted = registries.list_deletions(registry, since=updated_since)
    access.record_use(client, registry, purpose=purpose, fields=fields, records=len(rows))
    return {"participants": rows, "next_page_token": next_token, "deleted": deleted}


def read_one(
    client: ServiceClient, registry_id: uuid.UUID, participant_id: uuid.UUID, *, purpose: str, fields: list[str]
) -> dict:
    registry = access.open_registry(client, registry_id)
    access.authorize(client, registry, purpose=purpose, fields=fields)
    participant = registries.get_participant(registry, participant_id, fields=fields)
    access.record_use(client, registry, purpose=purpose, fields=fields, records=1)
    return participant
