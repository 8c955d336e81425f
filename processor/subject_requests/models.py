"""A data-subject request, its steps, and the participant rows it restricts; the person's email only as ciphertext."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.db_types import UTCDateTime, utcnow
from processor.extensions import db

KINDS = ("access", "portability", "rectification", "erasure", "restriction", "objection")
CHANNELS = ("page", "api", "staff")
STATUSES = ("open", "extended", "done", "refused")
OPEN_STATUSES = ("open", "extended")


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=column)


class SubjectRequest(db.Model):
    """One person's request to one organizer; `email` is encrypted under the organizer's keys, found by its index."""

    __tablename__ = "subject_requests"
    __table_args__ = (
        _one_of("kind", KINDS),
        _one_of("channel", CHANNELS),
        _one_of("status", STATUSES),
        sa.Index("ix_subject_requests_account_due", "account_id", "status", "due_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"))
    # The registry an internal service relayed the request for (None when the organizer or staff took it in).
    registry_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    kind: Mapped[str] = mapped_column(sa.String(16))
    channel: Mapped[str] = mapped_column(sa.String(8))
    received_by: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[bytes] = mapped_column(sa.LargeBinary)
    email_index: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[dt.date] = mapped_column(sa.Date)
    extension_reason: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(8), default="open")
    refusal_reason: Mapped[str | None] = mapped_column(sa.String(500))
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Art 19: the recipients (API clients, sub-processors) that received the person's data, named on the request.
    recipients: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The access/portability download: encrypted on disk under this key, until fetched or expired.
    download_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32))
    download_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_left(self, today: dt.date) -> int:
        return (self.due_on - today).days


class RequestStep(db.Model):
    """One thing done on a request, by whom and when; the text names no person."""

    __tablename__ = "subject_request_steps"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"))
    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("subject_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(40))
    detail: Mapped[str | None] = mapped_column(sa.String(1000))


class ParticipantRestriction(db.Model):
    """A participant row restricted (Art 18) or objected to (Art 21): left out of API reads, messages and exports."""

    __tablename__ = "participant_restrictions"

    participant_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    registry_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("registries.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("subject_requests.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


restrictions = ParticipantRestriction.__table__
