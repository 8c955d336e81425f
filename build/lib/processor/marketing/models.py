"""Each change of an organizer's marketing consent, kept as evidence (the latest one is in force)."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.db_types import UTCDateTime, utcnow
from processor.extensions import db

SOURCES = ("account-page", "unsubscribe-link")


class MarketingConsent(db.Model):
    __tablename__ = "marketing_consents"
    __table_args__ = (
        sa.Index("ix_marketing_consents_account_recorded", "account_id", "recorded_at"),
        sa.CheckConstraint("source IN ('account-page', 'unsubscribe-link')", name="source"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"))
    opted_in: Mapped[bool] = mapped_column(sa.Boolean)
    source: Mapped[str] = mapped_column(sa.String(20))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
