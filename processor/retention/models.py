"""An account's exit: its return code, the return asked for, and the sealed return package that outlives erasure."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.db_types import UTCDateTime
from processor.extensions import db


class AccountExit(db.Model):
    """Kept after erasure, like the access log: no participant data, only what the return needs, for 7 days.

    `login_digest` (an HMAC of the login) finds the exit once the profile is scrubbed; `return_code_hash` proves
    the organizer. Both go, with the package's key, when the package is destroyed.
    """

    __tablename__ = "account_exits"

    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id"), primary_key=True)
    login_digest: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    return_code_hash: Mapped[str | None] = mapped_column(sa.String(255))
    removed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    return_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    early_erasure_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    package_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32))
    # The key of a return package prepared by a job during the hold (package.held_path), until it is downloaded.
    held_package_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32))
    package_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    package_downloaded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    package_destroyed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
