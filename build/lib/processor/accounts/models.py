"""The organizer account."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, validates

from processor.db_types import UTCDateTime, utcnow
from processor.extensions import db

PLANS = ("free", "paid")
STATUSES = ("active", "removed", "erased")


class Account(UserMixin, db.Model):
    __tablename__ = "accounts"
    __table_args__ = (
        sa.CheckConstraint("plan IN ('free', 'paid')", name="plan"),
        sa.CheckConstraint("status IN ('active', 'removed', 'erased')", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    login: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    title: Mapped[str] = mapped_column(sa.String(200))
    plan: Mapped[str] = mapped_column(sa.String(8))
    country: Mapped[str] = mapped_column(sa.String(2))
    # Set by the server at sign-up and never changed: it is the DPA's date of conclusion.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(12), default="active")
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Bumped on password change so that other sessions of the account stop being valid.
    session_version: Mapped[int] = mapped_column(sa.Integer, default=1)

    @validates("created_at")
    def _created_at_is_write_once(self, key, value):
        if self.created_at is not None and value != self.created_at:
            raise ValueError("an account's creation date cannot be changed")
        return value

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
