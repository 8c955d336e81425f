"""Organizer data keys, stored only wrapped by a master key version."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.db_types import UTCDateTime, utcnow
from processor.extensions import db

FIELDS = "fields"  # versioned: `flask keys rotate-account` adds a version and re-encrypts
INDEX = "index"  # one per organizer: the blind index must stay stable for the unique constraint to work
PURPOSES = (FIELDS, INDEX)


class DataKey(db.Model):
    """One random organizer key; `wrapped` is NULL and `destroyed_at` set once it is shredded (a tombstone)."""

    __tablename__ = "data_keys"
    __table_args__ = (
        sa.UniqueConstraint("account_id", "purpose", "version"),
        sa.CheckConstraint("purpose IN ('fields', 'index')", name="purpose"),
        sa.CheckConstraint("(wrapped IS NULL) = (destroyed_at IS NOT NULL)", name="wrapped_or_destroyed"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(sa.String(8))
    version: Mapped[int] = mapped_column(sa.Integer)
    master_version: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    wrapped: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


data_keys = DataKey.__table__


def wrap_aad(account_id: uuid.UUID, purpose: str, version: int) -> bytes:
    """Bind a wrapped key to its organizer, purpose and version: it cannot be moved to another row."""
    return b"data-key|" + account_id.bytes + purpose.encode() + b"|" + version.to_bytes(4, "big")
