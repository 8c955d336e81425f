"""Reads of participant data by a client: through the gate, sparse, paginated."""

from __future__ import annotations

import uuid

from processor.access import Actor, gate
from processor.api import paging
from processor.clients.models import ServiceClient
from processor.errors import ValidationFailed


class WatermarkRefused(ValidationFailed):
    def __init__(self):
        super().__init__(
            "updated_since is no longer taken: a time watermark misses rows committed late. Follow "
            "GET /api/v1/registries/{id}/changes with its cursor instead.",
            errors=[{"parameter": "updated_since", "detail": "Use GET .../changes?cursor=..."}],
        )


class EmailInQuery(ValidationFailed):
    def __init__(self):
        super().__init__(
            "Email look-ups are not taken in the URL (it would land in access logs): "
            "POST /api/v1/registries/{id}/participants/search with a JSON body {purpose, email, fields}.",
            errors=[{"parameter": "email", "detail": "Use POST .../participants/search with a JSON body."}],
        )


def refuse_retired_parameters(args) -> None:
    """Refuse the query parameters that were retired: an email look-up, a time watermark."""
    if "email" in args:
        raise EmailInQuery()
    if "updated_since" in args:
        raise WatermarkRefused()


def read_page(
    client: ServiceClient,
    registry_id: uuid.UUID,
    *,
    purpose: str,
    fields: list[str],
    page_size: int,
    page_token: str | None = None,
) -> dict:
    """One page of participants, with deletion markers for a sync."""
    actor = Actor.client(client)
    registry = gate.open_registry(actor, registry_id)
    fingerprint = paging.query_fingerprint(
        registry=registry.id,
        client=client.id,
        purpose=purpose,
        fields=",".join(fields),
    )
    after = paging.read_token(page_token, fingerprint) if page_token else None
    bad: list[dict] = []
    rows, deleted = gate.read_page(
        actor,
        registry,
        purpose=purpose,
        fields=fields,
        after=after,
        limit=page_size,
        reason="purpose granted; transfer allowed",
        bad=bad,
    )
    # The keyset continues after the last row read, handed out or withheld (rows come in keyset order).
    last = max([*rows[-1:], *bad], key=lambda r: (r["updated_at"], r["id"]), default=None)
    next_token = paging.make_token(last, fingerprint) if len(rows) + len(bad) == page_size else None
    return {"participants": rows, "next_page_token": next_token, "deleted": deleted, "unreadable": bad}


def read_changes(
    client: ServiceClient,
    registry_id: uuid.UUID,
    *,
    purpose: str,
    fields: list[str],
    page_size: int,
    cursor: str | None = None,
) -> dict:
    """One page of the change feed: rows written and ids deleted after `cursor`, and the cursor to poll with."""
    actor = Actor.client(client)
    registry = gate.open_registry(actor, registry_id)
    fingerprint = paging.query_fingerprint(feed=registry.id, client=client.id, purpose=purpose, fields=",".join(fields))
    after = paging.read_cursor(cursor, fingerprint) if cursor else None
    bad: list[dict] = []
    rows, deleted, last = gate.read_changes(
        actor, registry, purpose=purpose, fields=fields, after=after, limit=page_size, bad=bad
    )
    last = last or after or (0, uuid.UUID(int=0))
    return {
        "participants": rows,
        "deleted": deleted,
        "cursor": paging.make_cursor(last, fingerprint),
        "more": len(rows) + len(deleted) + len(bad) == page_size,
        "unreadable": bad,
    }


def search(client: ServiceClient, registry_id: uuid.UUID, *, purpose: str, fields: list[str], email: str) -> dict:
    """The participant with this email, if any (the email came in the request body, never the URL)."""
    actor = Actor.client(client)
    registry = gate.open_registry(actor, registry_id)
    match = gate.find(actor, registry, email, purpose=purpose, fields=fields)
    return {"participants": [match] if match else [], "next_page_token": None, "deleted": []}


def read_one(
    client: ServiceClient, registry_id: uuid.UUID, participant_id: uuid.UUID, *, purpose: str, fields: list[str]
) -> dict:
    actor = Actor.client(client)
    registry = gate.open_registry(actor, registry_id)
    return gate.read_one(actor, registry, participant_id, purpose=purpose, fields=fields)
