"""An import's plan and outcome, and the column mappings saved per registry; no personal data in either."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.db_types import UTCDateTime, utcnow
from processor.extensions import db

STATUSES = ("uploaded", "planning", "planned", "committing", "committed", "failed", "discarded")


class Import(db.Model):
    """One file's way through the wizard: upload, mapping, dry run (the plan), commit, report.

    The uploaded file and its error report live encrypted under instance/imports/ (see vault.py); `file_key`
    is their key, cleared when the files are deleted. Column names and reasons are not personal data.
    """

    __tablename__ = "imports"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('uploaded', 'planning', 'planned', 'committing', 'committed', 'failed', 'discarded')",
            name="status",
        ),
        sa.CheckConstraint("on_duplicate IN ('skip', 'update', 'fail')", name="on_duplicate"),
        sa.Index("ix_imports_account_created", "account_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"))
    registry_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("registries.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(sa.String(8), default="web")
    status: Mapped[str] = mapped_column(sa.String(12), default="uploaded")
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    file_size: Mapped[int] = mapped_column(sa.BigInteger)
    file_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary(32))
    encoding: Mapped[str] = mapped_column(sa.String(32))
    delimiter: Mapped[str] = mapped_column(sa.String(1))
    sep_line: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # The file's name as uploaded (shown in the list); a workbook's sheet; whether row 1 is a header (else `header`
    # holds "Column 1" ..., never the first participant); lines before the table and the report layout they belong to.
    file_name: Mapped[str | None] = mapped_column(sa.String(255))
    file_kind: Mapped[str] = mapped_column(sa.String(8), default="csv", server_default="csv")
    sheet: Mapped[str | None] = mapped_column(sa.String(100))
    sheets: Mapped[list | None] = mapped_column(sa.JSON)  # a workbook's sheet names, to switch to another
    header_row: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    skip_lines: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    layout: Mapped[str | None] = mapped_column(sa.String(32))
    # strict: a bad optional value rejects the row (the behaviour before warnings) instead of being left empty.
    strict: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    header: Mapped[list] = mapped_column(sa.JSON)
    mapping: Mapped[list] = mapped_column(sa.JSON)
    on_duplicate: Mapped[str] = mapped_column(sa.String(8), default="skip")
    rows_total: Mapped[int | None] = mapped_column(sa.Integer)
    created: Mapped[int | None] = mapped_column(sa.Integer)
    updated: Mapped[int | None] = mapped_column(sa.Integer)
    skipped: Mapped[int | None] = mapped_column(sa.Integer)
    errors: Mapped[int | None] = mapped_column(sa.Integer)
    warnings: Mapped[int | None] = mapped_column(sa.Integer)  # rows imported with a value left empty
    # The first errors and warnings ({line, column, reason}) for the page; the report file has them all.
    first_errors: Mapped[list] = mapped_column(sa.JSON, default=list)
    first_warnings: Mapped[list | None] = mapped_column(sa.JSON, default=list)
    plan_digest: Mapped[str | None] = mapped_column(sa.String(64))
    failure: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    planned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    committed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def counts(self) -> dict:
        return {
            "created": self.created or 0,
            "updated": self.updated or 0,
            "skipped": self.skipped or 0,
            "errors": self.errors or 0,
            "warnings": self.warnings or 0,
        }


class SavedMapping(db.Model):
    """The organizer's mapping for a header row, reused when a file with the same columns comes again."""

    __tablename__ = "import_mappings"
    __table_args__ = (sa.UniqueConstraint("registry_id", "header_digest"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    registry_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("registries.id", ondelete="CASCADE"))
    header_digest: Mapped[str] = mapped_column(sa.String(64))
    mapping: Mapped[list] = mapped_column(sa.JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


imports = Import.__table__
