"""Sub-processors: who the processor passes processing on to, and every change, for the Art. 28(2) objection window."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from processor.accounts.models import Account
from processor.audit import record_access
from processor.db_types import UTCDateTime, utcnow
from processor.errors import Conflict, NotFound, ValidationFailed, field_errors
from processor.extensions import commit_or_conflict, db
from processor.transfers.policy import Decision, TransferPolicy, TransferRefused

log = logging.getLogger(__name__)

# GDPR Art. 28(2): organizers get this long to object to an added or replaced sub-processor.
OBJECTION_PERIOD = dt.timedelta(days=30)
ACTIONS = ("added", "removed")
LIMITS = {"name": 200, "purpose": 500}
_CURRENT = sa.text("removed_at IS NULL")


class SubProcessor(db.Model):
    __tablename__ = "subprocessors"
    __table_args__ = (
        # One current sub-processor per name; a removed one may be added again later.
        sa.Index(
            "uq_subprocessors_current_name", "name", unique=True, sqlite_where=_CURRENT, postgresql_where=_CURRENT
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(LIMITS["name"]))
    purpose: Mapped[str] = mapped_column(sa.String(LIMITS["purpose"]))
    country: Mapped[str] = mapped_column(sa.String(2))
    dpf_certified: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def transfer_today(self, policy: TransferPolicy | None = None) -> Decision:
        """Judge this sub-processor's country today (a decision may have ended since it was added)."""
        return (policy or TransferPolicy()).check(self.country, dpf_certified=self.dpf_certified)


class SubProcessorChange(db.Model):
    __tablename__ = "subprocessor_changes"
    __table_args__ = (sa.CheckConstraint("action IN ('added', 'removed')", name="action"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    subprocessor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("subprocessors.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(8))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str] = mapped_column(sa.String(64))
    subprocessor: Mapped[SubProcessor] = relationship(lazy="joined")

    @property
    def objection_deadline(self) -> dt.date:
        """The last day (UTC) an organizer may object to this change."""
        return self.changed_at.date() + OBJECTION_PERIOD

    def objection_open(self, on: dt.date | None = None) -> bool:
        return (on or utcnow().date()) <= self.objection_deadline


def list_subprocessors() -> list[SubProcessor]:
    """The current sub-processors, by name."""
    return list(
        db.session.scalars(sa.select(SubProcessor).where(SubProcessor.removed_at.is_(None)).order_by(SubProcessor.name))
    )


def list_changes(since: dt.datetime | None = None) -> list[SubProcessorChange]:
    """Every recorded addition and removal, newest first (optionally only those at or after `since`)."""
    query = sa.select(SubProcessorChange).order_by(SubProcessorChange.changed_at.desc(), SubProcessorChange.id.desc())
    if since is not None:
        query = query.where(SubProcessorChange.changed_at >= since)
    return list(db.session.scalars(query))


def _log_refused_assignment(refusal: TransferRefused, *, by: str, channel: str) -> None:
    """A sub-processor would serve every organizer: each one's access log shows the refused assignment."""

    db.session.rollback()
    for account_id in db.session.scalars(sa.select(Account.id).where(Account.status == "active")):
        record_access(
            account_id=account_id,
            actor_type="staff",
            actor=by,
            purpose="essential.service",
            destination_country=refusal.decision.country,
            allowed=False,
            channel=channel,
            reason=f"sub-processor assignment refused: {refusal.detail}",
        )
    db.session.commit()


def add_subprocessor(
    *,
    name: str,
    purpose: str,
    country: str,
    dpf_certified: bool = False,
    by: str,
    policy: TransferPolicy | None = None,
    channel: str = "cli",
) -> SubProcessor:
    """Record a new sub-processor, refused (TransferRefused) when its country may not receive data today."""
    name, purpose = (name or "").strip(), (purpose or "").strip()
    problems = {
        field: "This field is required." for field, value in (("name", name), ("purpose", purpose)) if not value
    }
    problems |= {
        field: f"At most {LIMITS[field]} characters."
        for field, value in (("name", name), ("purpose", purpose))
        if len(value) > LIMITS[field]
    }
    if problems:
        raise ValidationFailed("The sub-processor was not added.", errors=field_errors(problems))
    try:
        decision = (policy or TransferPolicy()).require(country, dpf_certified=dpf_certified)
    except TransferRefused as exc:
        log.warning(
            "sub-processor refused: rule=%s country=%s date=%s by=%s",
            exc.decision.rule,
            exc.decision.country or "-",
            exc.decision.on,
            by,
        )
        _log_refused_assignment(exc, by=by, channel=channel)
        raise
    if find_current(name) is not None:
        raise Conflict(
            f"A current sub-processor is already named {name!r}.",
            errors=field_errors({"name": "This name is taken by a current sub-processor."}),
        )
    now = utcnow()
    subprocessor = SubProcessor(
        name=name, purpose=purpose, country=decision.country, dpf_certified=bool(dpf_certified), added_at=now
    )
    db.session.add(subprocessor)
    db.session.add(SubProcessorChange(subprocessor=subprocessor, action="added", changed_at=now, changed_by=by))
    commit_or_conflict(f"A current sub-processor is already named {name!r}.")
    return subprocessor


def remove_subprocessor(name: str, *, by: str) -> SubProcessor:
    """Mark the current sub-processor called `name` as removed and record the change."""
    subprocessor = find_current(name)
    if subprocessor is None:
        raise NotFound(f"No current sub-processor is named {(name or '').strip()!r}.")
    now = utcnow()
    # Conditional on still being current, so two staff removing at once record one removal, not two.
    removed = db.session.execute(
        sa.update(SubProcessor)
        .where(SubProcessor.id == subprocessor.id, SubProcessor.removed_at.is_(None))
        .values(removed_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if removed.rowcount != 1:
        db.session.rollback()
        raise NotFound(f"{subprocessor.name!r} was removed meanwhile.")
    db.session.add(SubProcessorChange(subprocessor=subprocessor, action="removed", changed_at=now, changed_by=by))
    commit_or_conflict("The sub-processor was changed at the same time; try again.")
    return subprocessor


def find_current(name: str) -> SubProcessor | None:
    """The current sub-processor with this name, compared without regard to case."""
    return db.session.scalar(
        sa.select(SubProcessor).where(
            SubProcessor.removed_at.is_(None), sa.func.lower(SubProcessor.name) == (name or "").strip().lower()
        )
    )
