"""The organizer account, its login sessions and its two-factor recovery codes."""

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
# `staff` accounts are the processor's own people (support, sub-processor list); they always sign in with TOTP.
ROLES = ("organizer", "staff")


class Account(UserMixin, db.Model):
    __tablename__ = "accounts"
    __table_args__ = (
        sa.CheckConstraint("plan IN ('free', 'paid')", name="plan"),
        sa.CheckConstraint("status IN ('active', 'removed', 'erased')", name="status"),
        sa.CheckConstraint("role IN ('organizer', 'staff')", name="role"),
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
    role: Mapped[str] = mapped_column(sa.String(12), default="organizer", server_default="organizer")
    # Set by the server at sign-up and never changed: it is the DPA's date of conclusion.
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(12), default="active")
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Bumped on password change, reset and removal so that every session of the account stops being valid.
    session_version: Mapped[int] = mapped_column(sa.Integer, default=1)
    # Base32 TOTP secret; two-factor sign-in is on once `totp_enabled_at` is set (after a first correct code).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The last 30-second step a code was accepted for: a code is good once, never replayed within its window.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    @validates("created_at")
    def _created_at_is_write_once(self, key, value):
        if self.created_at is not None and value != self.created_at:
            raise ValueError("an account's creation date cannot be changed")
        return value

    def get_id(self) -> str:
        """Flask-Login's id for the cookie: account, session version and the server-side session."""
        return f"{self.id}:{self.session_version}:{getattr(self, 'login_session_id', '')}"

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"

    @property
    def two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class LoginSession(db.Model):
    """One signed-in browser: the cookie names it, logout ends it here, so a replayed cookie is refused."""

    __tablename__ = "login_sessions"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(db.Model):
    """A one-time two-factor recovery code, stored only as a hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
