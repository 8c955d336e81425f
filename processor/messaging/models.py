"""Organizer instructions to message participants, and the outbox of messages queued under them."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.db_types import UTCDateTime, utcnow
from processor.extensions import db

# The only kinds of message a participant can receive (DOMAIN rule 4): each serves a webinar they registered for.
KINDS = ("invitation", "reminder", "follow_up", "certificate", "recording_link")
KIND_LABELS = {
    "invitation": "Invitation",
    "reminder": "Reminder",
    "follow_up": "Follow-up",
    "certificate": "Certificate of attendance",
    "recording_link": "Link to the recording",
}
_KIND_CHECK = "kind IN ({})".format(", ".join(f"'{k}'" for k in KINDS))


class Instruction(db.Model):
    """The organizer's documented instruction to send one kind of message to a registry's participants."""

    __tablename__ = "message_instructions"
    __table_args__ = (sa.CheckConstraint(_KIND_CHECK, name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"))
    registry_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("registries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(db.Model):
    """A message accepted for delivery (delivery itself is another system's job); no address is stored."""

    __tablename__ = "message_outbox"
    __table_args__ = (sa.CheckConstraint(_KIND_CHECK, name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    instruction_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("message_instructions.id", ondelete="CASCADE"), index=True
    )
    registry_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("registries.id", ondelete="CASCADE"))
    participant_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    kind: Mapped[str] = mapped_column(sa.String(20))
    client_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("service_clients.id"))
    status: Mapped[str] = mapped_column(sa.String(12), default="queued")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


outbox = OutboxMessage.__table__


ORGANIZER_KINDS = ("subprocessor-change",)


class OrganizerMessage(db.Model):
    """Mail to an organizer's own account address (never to participants); delivery looks the address up."""

    __tablename__ = "organizer_outbox"
    __table_args__ = (sa.CheckConstraint("kind IN ('subprocessor-change')", name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(12), default="queued")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


organizer_outbox = OrganizerMessage.__table__
