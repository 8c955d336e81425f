"""Queue mail to organizers themselves (service notices), apart from the participants' outbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa

from processor.db_types import utcnow
from processor.extensions import db
from processor.messaging.models import ORGANIZER_KINDS, OrganizerMessage, organizer_outbox


def queue_organizer_notices(account_ids: Iterable[uuid.UUID], *, kind: str, subject: str, body: str) -> int:
    """Queue one message per organizer account in the current session; the caller commits."""
    if kind not in ORGANIZER_KINDS:
        raise ValueError(f"unknown organizer message kind {kind!r}")
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "account_id": account_id,
            "kind": kind,
            "subject": subject[:200],
            "body": body,
            "status": "queued",
            "created_at": now,
        }
        for account_id in account_ids
    ]
    if rows:
        db.session.execute(sa.insert(organizer_outbox), rows)
    return len(rows)


def organizer_messages(account_id: uuid.UUID) -> list[OrganizerMessage]:
    """The organizer's queued and sent notices, newest first."""
    return list(
        db.session.scalars(
            sa.select(OrganizerMessage)
            .where(OrganizerMessage.account_id == account_id)
            .order_by(OrganizerMessage.created_at.desc())
        )
    )
