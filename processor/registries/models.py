"""Registries and their participants; every personal field is stored only as ciphertext."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.db_types import UTCDateTime, utcnow
from processor.extensions import db
from processor.registries.fields import ENCRYPTED_FIELDS, PARTICIPANTS_TABLE, SOURCES, TEXT_FIELDS

__all__ = [
    "ENCRYPTED_FIELDS",
    "SOURCES",
    "TEXT_FIELDS",
    "ChangeCounter",
    "Participant",
    "ParticipantChange",
    "ParticipantDeletion",
    "Registry",
    "changes",
    "counters",
    "deletions",
    "participants",
]


class Registry(db.Model):
    """One organizer's set of participants (a webinar or a list); its name is the organizer's, not personal."""

    __tablename__ = "registries"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    webinar_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    # Names of the custom fields (their values are encrypted per participant).
    custom_field_names: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Participant(db.Model):
    """A participant: ciphertext columns, the email's blind index, and plain bookkeeping."""

    __tablename__ = PARTICIPANTS_TABLE
    __table_args__ = (
        # Refuses a duplicate email in one registry even between concurrent transactions.
        sa.UniqueConstraint("registry_id", "email_index"),
        sa.Index("ix_participants_registry_updated", "registry_id", "updated_at", "id"),
        # Key rotation walks one organizer's registries by (key version, id): its cost follows that organizer's rows.
        sa.Index("ix_participants_registry_key_version", "registry_id", "key_version", "id"),
        # The change feed pages through one change (one writing transaction) by id.
        sa.Index("ix_participants_change_txn_id", "change_txn", "id"),
        sa.CheckConstraint("source IN ('manual', 'import', 'api')", name="source"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)  # generated before encryption (AAD)
    registry_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("registries.id", ondelete="CASCADE"))
    email_index: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    # The oldest data-key version among the row's fields: what a key rotation still has to re-encrypt.
    key_version: Mapped[int] = mapped_column(sa.Integer)
    # Bumped by every write, so a re-encryption batch never overwrites a concurrent change.
    revision: Mapped[int] = mapped_column(sa.Integer, default=1)
    email: Mapped[bytes] = mapped_column(sa.LargeBinary)
    first_name: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    last_name: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    phone: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    company: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    job_title: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    country: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    custom_fields: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    registered_at: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    joined_at: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    left_at: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    minutes_attended: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    lawful_basis: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    source: Mapped[str] = mapped_column(sa.String(8))
    import_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The writing transaction, given its place in the organizer's change feed when it commits (ParticipantChange).
    change_txn: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # HMAC over the registry, id, revision, blind index and every cell (field_crypto.row_mac); reads verify it.
    row_mac: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32))


class ParticipantDeletion(db.Model):
    """A deletion marker, so synchronising clients learn which participants are gone (no personal data)."""

    __tablename__ = "participant_deletions"
    __table_args__ = (sa.Index("ix_participant_deletions_registry_deleted", "registry_id", "deleted_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    registry_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("registries.id", ondelete="CASCADE"))
    deleted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    change_txn: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)


class ChangeCounter(db.Model):
    """The last change sequence number given out for one organizer; locked from stamping to commit."""

    __tablename__ = "change_counters"

    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(sa.BigInteger)


class ParticipantChange(db.Model):
    """One committed writing transaction's place in its organizer's change feed (numbers in commit order)."""

    __tablename__ = "participant_changes"

    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    txn: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    committed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


participants = Participant.__table__
deletions = ParticipantDeletion.__table__
changes = ParticipantChange.__table__
counters = ChangeCounter.__table__
