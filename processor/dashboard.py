"""The dashboard's figures: how much the organizer keeps here, and which first steps are done.

Counting participant rows reads no personal data: nothing is decrypted and nothing goes through the access gate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from processor.clients.models import ServiceClient
from processor.extensions import db
from processor.registries.models import Registry, participants
from processor.subject_requests.models import OPEN_STATUSES, SubjectRequest


@dataclass(frozen=True)
class Counts:
    """What one organizer keeps here, counted."""

    registries: int
    participants: int
    open_requests: int
    api_clients: int


def counts(account_id: uuid.UUID) -> Counts:
    """Count the organizer's registries, participants, open data-subject requests and active API clients."""
    mine = sa.select(Registry.id).where(Registry.account_id == account_id)
    return Counts(
        registries=_count(sa.select(sa.func.count()).select_from(Registry).where(Registry.account_id == account_id)),
        participants=_count(
            sa.select(sa.func.count()).select_from(participants).where(participants.c.registry_id.in_(mine))
        ),
        open_requests=_count(
            sa.select(sa.func.count())
            .select_from(SubjectRequest)
            .where(SubjectRequest.account_id == account_id, SubjectRequest.status.in_(OPEN_STATUSES))
        ),
        api_clients=_count(
            sa.select(sa.func.count())
            .select_from(ServiceClient)
            .where(ServiceClient.account_id == account_id, ServiceClient.revoked_at.is_(None))
        ),
    )


def _count(query) -> int:
    return db.session.scalar(query) or 0
