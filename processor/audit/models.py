"""Access log entries and the head of each organizer's chain."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.db_types import UTCDateTime
from processor.extensions import db

CHANNELS = ("web", "api", "cli", "support")
ACTOR_TYPES = ("account", "client", "staff")


class AccessLogEntry(db.Model):
    """One access to participant data; `entry_hash` covers every other column and the previous hash."""

    __tablename__ = "access_log"
    __table_args__ = (
        sa.UniqueConstraint("account_id", "seq"),
        sa.CheckConstraint("channel IN ('web', 'api', 'cli', 'support')", name="channel"),
        sa.CheckConstraint("actor_type IN ('account', 'client', 'staff')", name="actor_type"),
    )

    # Generated before hashing (not by the database) so that the id is covered by the hash too.
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id"))  # indexed by the unique key
    seq: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(sa.String(8))
    actor_type: Mapped[str] = mapped_column(sa.String(8))
    actor: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(sa.String(120))
    registry_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    fields: Mapped[str] = mapped_column(sa.String(500), default="")
    records: Mapped[int] = mapped_column(sa.Integer, default=0)
    destination_country: Mapped[str | None] = mapped_column(sa.String(2))
    allowed: Mapped[bool] = mapped_column(sa.Boolean)
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    entry_hash: Mapped[str] = mapped_column(sa.String(64))

    @property
    def field_list(self) -> list[str]:
        return [f for f in self.fields.split(",") if f]


class AccessLogHead(db.Model):
    """The last entry of an organizer's chain: appends lock it, and `verify` notices a removed tail."""

    __tablename__ = "access_log_heads"

    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.Integer)
    entry_hash: Mapped[str] = mapped_column(sa.String(64))


class AccessLogCheckpoint(db.Model):
    """A signed statement "the organizer's chain had `seq` entries ending in `head_hash` at `created_at`".

    The organizer keeps the downloaded copy: if the log is later cut back or deleted, that copy no longer matches.
    """

    __tablename__ = "access_log_checkpoints"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id"), index=True)
    seq: Mapped[int] = mapped_column(sa.Integer)
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(sa.String(16))
    signature: Mapped[str] = mapped_column(sa.String(100))
