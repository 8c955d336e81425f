"""The one rule for restricted participants (Art 18, Art 21): API reads, messages and exports leave them out.

Every read path that hands participant data to anyone but the organizer's own pages calls `without_restricted`
(a query) or `restricted_ids` (a set of ids). When `processor/access/`, the single gate for participant data,
lands, this check moves into it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa

from processor.extensions import db
from processor.registries.models import participants
from processor.subject_requests.models import restrictions


def without_restricted(query: sa.Select) -> sa.Select:
    """Add to a query over `participants` the condition that leaves restricted rows out."""
    return query.where(~sa.exists().where(restrictions.c.participant_id == participants.c.id))


def restricted_ids(ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these participant ids are restricted."""
    ids = list(ids)
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        found.update(
            db.session.scalars(
                sa.select(restrictions.c.participant_id).where(
                    restrictions.c.participant_id.in_(ids[start : start + 500])
                )
            )
        )
    return found
