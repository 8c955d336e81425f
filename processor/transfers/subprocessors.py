"""Sub-processors: who the processor passes processing on to, and every change, announced before it happens.

GDPR Art. 28(2): an added sub-processor is an *intended* change. It takes effect `SUBPROCESSOR_NOTICE_DAYS`
(default 30) days after it is announced; until then nothing is passed to it, and every active organizer is told
(its access log, its own mail through the organizer outbox, and the destinations page) and may object. An
emergency replacement (security) takes effect at once with its reason shown; removals take effect at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column, relationship

from processor.db_types import UTCDateTime, utcnow
from processor.errors import Conflict, NotFound, ValidationFailed, field_errors
from processor.extensions import commit_or_conflict, db
from processor.transfers import notices
from processor.transfers.attestations import Attestation, dpf_from_flag
from processor.transfers.policy import Decision, TransferPolicy, TransferRefused

log = logging.getLogger(__name__)

DEFAULT_NOTICE_DAYS = 30
ACTIONS = ("added", "removed")
LIMITS = {"name": 200, "purpose": 500, "address": 300, "reason": 500}
ART_28_2 = "GDPR Art. 28(2) (prior notice of an intended change of sub-processor, with a chance to object)"
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
    address: Mapped[str] = mapped_column(sa.String(LIMITS["address"]), default="", server_default="")
    purpose: Mapped[str] = mapped_column(sa.String(LIMITS["purpose"]))
    country: Mapped[str] = mapped_column(sa.String(2))
    # The service cannot run without it: an organizer who objects is offered termination instead of exclusion.
    essential: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The first day participant data may be passed to it (the day after the notice period, or at once).
    effective_on: Mapped[dt.date] = mapped_column(sa.Date)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attestations: Mapped[list[Attestation]] = relationship(lazy="selectin", order_by=Attestation.valid_from)

    @property
    def dpf_certified(self) -> bool:
        """Whether a DPF attestation is valid today (the older yes/no, read-only)."""
        today = utcnow().date()
        return any(a.kind == "dpf" and a.valid_on(today) for a in self.attestations)

    def in_effect(self, on: dt.date) -> bool:
        return self.effective_on <= on and (self.removed_at is None or on < self.removed_at.date())

    def transfer_on(self, on: dt.date | None = None, policy: TransferPolicy | None = None) -> Decision:
        """Judge a transfer to it on a day: refused before its effective day and after its removal."""
        day = on or utcnow().date()
        if day < self.effective_on:
            return _refused(
                "subprocessor-notice-period",
                day,
                self.country,
                f"{self.name} is an intended sub-processor; it takes effect on {self.effective_on}, after the "
                "notice period, and nothing is passed to it before.",
            )
        if self.removed_at is not None and day >= self.removed_at.date():
            return _refused(
                "subprocessor-removed", day, self.country, f"{self.name} was removed on {self.removed_at.date()}."
            )
        return (policy or TransferPolicy()).check(self.country, on=day, attestations=self.attestations)

    def transfer_today(self, policy: TransferPolicy | None = None) -> Decision:
        """Judge this sub-processor today (a decision may have ended since it was added)."""
        return self.transfer_on(None, policy)


class SubProcessorChange(db.Model):
    __tablename__ = "subprocessor_changes"
    __table_args__ = (sa.CheckConstraint("action IN ('added', 'removed')", name="action"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    subprocessor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("subprocessors.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(8))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str] = mapped_column(sa.String(64))
    effective_on: Mapped[dt.date] = mapped_column(sa.Date)
    # The last day (UTC) an organizer may object; None for a removal (nothing to object to).
    objection_deadline: Mapped[dt.date | None] = mapped_column(sa.Date)
    # Why it took effect at once (an emergency replacement for security); shown to organizers.
    emergency_reason: Mapped[str | None] = mapped_column(sa.String(LIMITS["reason"]))
    subprocessor: Mapped[SubProcessor] = relationship(lazy="joined")

    def objection_open(self, on: dt.date | None = None) -> bool:
        return self.objection_deadline is not None and (on or utcnow().date()) <= self.objection_deadline

    @property
    def objection_outcome(self) -> str:
        """What an objection to this change does: exclusion, or an offer of termination if the service needs it."""
        return "termination-offered" if self.subprocessor.essential else "excluded"


@dataclass(frozen=True)
class AnnexRow:
    """One sub-processor as the DPA's Annex IV lists it."""

    name: str
    address: str
    purpose: str
    country: str
    status: str  # "engaged" or "intended"
    announced_on: dt.date
    effective_on: dt.date
    transfer_basis: str  # the rule and the decision it rests on
    transfer_source: str
    transfer_allowed: bool
    condition: str
    attestation: dict | None  # kind, reference, valid_from, valid_to of the attestation the decision needs
    emergency_reason: str | None


def notice_days() -> int:
    """The notice period for an added sub-processor, in days (SUBPROCESSOR_NOTICE_DAYS)."""
    return int(current_app.config.get("SUBPROCESSOR_NOTICE_DAYS", DEFAULT_NOTICE_DAYS))  # checked at start-up


def list_subprocessors() -> list[SubProcessor]:
    """The sub-processors not removed (engaged or intended: `in_effect(day)` tells them apart), by name."""
    return list(
        db.session.scalars(sa.select(SubProcessor).where(SubProcessor.removed_at.is_(None)).order_by(SubProcessor.name))
    )


def list_changes(since: dt.datetime | None = None) -> list[SubProcessorChange]:
    """Every recorded addition and removal, newest first (optionally only those at or after `since`)."""
    query = sa.select(SubProcessorChange).order_by(SubProcessorChange.changed_at.desc(), SubProcessorChange.id.desc())
    if since is not None:
        query = query.where(SubProcessorChange.changed_at >= since)
    return list(db.session.scalars(query))


def annex_rows(on: dt.date | None = None) -> list[AnnexRow]:
    """The DPA's Annex IV on a day: sub-processors engaged or announced then, each with its transfer basis."""
    day = on or utcnow().date()
    query = sa.select(SubProcessor).where(
        SubProcessor.added_at < dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
        sa.or_(
            SubProcessor.removed_at.is_(None),
            SubProcessor.removed_at >= dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
        ),
    )
    changes = {
        c.subprocessor_id: c
        for c in db.session.scalars(sa.select(SubProcessorChange).where(SubProcessorChange.action == "added"))
    }
    rows = []
    policy = TransferPolicy()
    for sub in sorted(db.session.scalars(query), key=lambda s: s.name.lower()):
        judged_on = max(day, sub.effective_on)  # an intended one is judged on the day it takes effect
        decision = policy.check(sub.country, on=judged_on, attestations=sub.attestations)
        needed = [a for a in sub.attestations if a.kind == decision.attestation and a.valid_on(judged_on)]
        change = changes.get(sub.id)
        rows.append(
            AnnexRow(
                name=sub.name,
                address=sub.address,
                purpose=sub.purpose,
                country=sub.country,
                status="engaged" if sub.effective_on <= day else "intended",
                announced_on=sub.added_at.date(),
                effective_on=sub.effective_on,
                transfer_basis=decision.rule,
                transfer_source=decision.source,
                transfer_allowed=decision.allowed,
                condition=decision.condition,
                attestation=(
                    {
                        "kind": needed[0].kind,
                        "reference": needed[0].reference,
                        "valid_from": needed[0].valid_from,
                        "valid_to": needed[0].valid_to,
                    }
                    if needed
                    else None
                ),
                emergency_reason=change.emergency_reason if change else None,
            )
        )
    return rows


def _refused(rule: str, day: dt.date, country: str, why: str) -> Decision:
    return Decision(False, rule, f"Refused on {day} ({rule}): {why}", ART_28_2, country, day)


def _check_fields(values: dict) -> None:
    problems = {field: "This field is required." for field in ("name", "purpose") if not values.get(field)}
    problems |= {
        field: f"At most {LIMITS[field]} characters."
        for field, value in values.items()
        if value and len(value) > LIMITS[field]
    }
    if problems:
        raise ValidationFailed("The sub-processor was not added.", errors=field_errors(problems))


def add_subprocessor(
    *,
    name: str,
    purpose: str,
    country: str,
    address: str = "",
    essential: bool = False,
    attestations: list[Attestation] | tuple = (),
    dpf_certified: bool = False,
    emergency_reason: str | None = None,
    replaces: str | None = None,
    by: str,
    policy: TransferPolicy | None = None,
    channel: str = "cli",
) -> SubProcessor:
    """Announce a new sub-processor, effective after the notice period (or at once, with a reason, in an emergency).

    Refused (TransferRefused) when its country may not receive data on the day it would take effect.
    """
    name, purpose, address = (name or "").strip(), (purpose or "").strip(), (address or "").strip()
    reason = (emergency_reason or "").strip() or None
    _check_fields({"name": name, "purpose": purpose, "address": address, "reason": reason})
    now = utcnow()
    if dpf_certified:
        attestations = [*attestations, dpf_from_flag(now.date(), by)]
    effective_on = now.date() if reason else now.date() + dt.timedelta(days=notice_days())
    try:
        decision = (policy or TransferPolicy()).require(country, on=effective_on, attestations=attestations)
    except TransferRefused as exc:
        log.warning(
            "sub-processor refused: rule=%s country=%s date=%s by=%s",
            exc.decision.rule,
            exc.decision.country or "-",
            exc.decision.on,
            by,
        )
        notices.log_refused_assignment(exc, by=by, channel=channel)
        raise
    if find_current(name) is not None:
        raise Conflict(
            f"A current sub-processor is already named {name!r}.",
            errors=field_errors({"name": "This name is taken by a current sub-processor."}),
        )
    replaced = None
    if replaces:
        if not reason:
            raise ValidationFailed(
                "Only an emergency replacement takes effect at once; otherwise add the new one and remove the old "
                "one when it takes effect.",
                errors=field_errors({"reason": "Give the reason for the emergency replacement."}),
            )
        replaced = find_current(replaces)
        if replaced is None:
            raise NotFound(f"No current sub-processor is named {replaces.strip()!r}.")
    subprocessor = SubProcessor(
        name=name,
        address=address,
        purpose=purpose,
        country=decision.country,
        essential=bool(essential),
        added_at=now,
        effective_on=effective_on,
        attestations=list(attestations),
    )
    days = notice_days()
    change = SubProcessorChange(
        subprocessor=subprocessor,
        action="added",
        changed_at=now,
        changed_by=by,
        effective_on=effective_on,
        objection_deadline=now.date() + dt.timedelta(days=max(days - 1, 0)),
        emergency_reason=reason,
    )
    db.session.add_all([subprocessor, change])
    if replaced is not None:
        _remove(replaced, by=by, now=now, reason=f"replaced at once by {name}: {reason}", channel=channel)
    db.session.flush()
    notices.notify_organizers(change, channel=channel, decision=decision)
    commit_or_conflict(f"A current sub-processor is already named {name!r}.")
    return subprocessor


def _remove(subprocessor: SubProcessor, *, by: str, now: dt.datetime, reason: str | None, channel: str) -> None:
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
    change = SubProcessorChange(
        subprocessor=subprocessor,
        action="removed",
        changed_at=now,
        changed_by=by,
        effective_on=now.date(),
        emergency_reason=reason,
    )
    db.session.add(change)
    db.session.flush()
    notices.notify_organizers(change, channel=channel)


def remove_subprocessor(name: str, *, by: str, channel: str = "cli") -> SubProcessor:
    """Remove the current sub-processor called `name` at once, record the change and tell the organizers."""
    subprocessor = find_current(name)
    if subprocessor is None:
        raise NotFound(f"No current sub-processor is named {(name or '').strip()!r}.")
    _remove(subprocessor, by=by, now=utcnow(), reason=None, channel=channel)
    commit_or_conflict("The sub-processor was changed at the same time; try again.")
    return subprocessor


def find_current(name: str) -> SubProcessor | None:
    """The current sub-processor with this name, compared without regard to case."""
    return db.session.scalar(
        sa.select(SubProcessor).where(
            SubProcessor.removed_at.is_(None), sa.func.lower(SubProcessor.name) == (name or "").strip().lower()
        )
    )
