"""The jobs table: every long or scheduled piece of work, its progress and its outcome, readable from any machine."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.db_types import UTCDateTime, utcnow
from processor.extensions import db

STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = ("queued", "running")


class Job(db.Model):
    """One unit of queued work. `args` holds ids and options only, never personal data (it is logged and listed)."""

    __tablename__ = "jobs"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'cancelled')", name="status"),
        sa.Index("ix_jobs_account_created", "account_id", "created_at"),
        sa.Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # The organizer the work is for (None for service-wide work such as the erasure run); no foreign key, so
    # the record of an erasure job outlives the account it erased.
    account_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # The record the job works on (an import...), so its page finds the job.
    subject_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    done: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(sa.String(120))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Why a job stopped, or was retried, as shown to the organizer; no exception text (it may quote data).
    failure: Mapped[str | None] = mapped_column(sa.String(500))
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


jobs = Job.__table__
