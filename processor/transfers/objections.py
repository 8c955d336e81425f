"""Organizers' objections to an added sub-processor, accepted while its notice period runs (Art. 28(2)).

An objection excludes the organizer from that sub-processor (its data is never passed to it), or, where the
service cannot run without it (`SubProcessor.essential`), offers the organizer termination of the contract.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.accounts.models import Account
from processor.audit import record_access
from processor.db_types import UTCDateTime, utcnow
from processor.errors import Conflict, NotFound, ValidationFailed
from processor.extensions import commit_or_conflict, db
from processor.transfers.subprocessors import SubProcessorChange

REASON_LIMIT = 1000
OUTCOMES = ("excluded", "termination-offered")


class Objection(db.Model):
    __tablename__ = "subprocessor_objections"
    __table_args__ = (
        sa.UniqueConstraint("change_id", "account_id"),
        sa.CheckConstraint("outcome IN ('excluded', 'termination-offered')", name="outcome"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    change_id: Mapped[int] = mapped_column(sa.ForeignKey("subprocessor_changes.id"))
    # The objection is the organizer's own data: it goes when the account is erased.
    account_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(REASON_LIMIT))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(sa.String(24), default="excluded", server_default="excluded")


def object_to_change(
    *, change_id: int, account_id: uuid.UUID, reason: str, now: dt.datetime | None = None, channel: str = "web"
) -> Objection:
    """Record the organizer's objection to an addition, refused once the window has closed or if already made."""
    now = now or utcnow()
    change = db.session.get(SubProcessorChange, change_id)
    if change is None:
        raise NotFound("No such sub-processor change.")
    reason = (reason or "").strip()
    if len(reason) > REASON_LIMIT:
        raise ValidationFailed(
            "The objection was not recorded.",
            errors=[{"field": "reason", "pointer": "#/reason", "detail": f"At most {REASON_LIMIT} characters."}],
        )
    if change.action != "added":
        raise Conflict("A removal takes effect at once; there is nothing to object to.")
    if not change.objection_open(now.date()):
        raise Conflict(f"The window to object to this change closed on {change.objection_deadline}.")
    sub = change.subprocessor
    objection = Objection(
        change_id=change.id, account_id=account_id, reason=reason, created_at=now, outcome=change.objection_outcome
    )
    db.session.add(objection)
    effect = (
        f"the service cannot run without {sub.name}: termination of the contract offered"
        if objection.outcome == "termination-offered"
        else f"participant data is never passed to {sub.name}"
    )
    with db.session.no_autoflush:  # a second objection must fail on commit, as a Conflict, not inside the log write
        record_access(
            account_id=account_id,
            actor_type="account",
            actor="organizer",
            purpose="essential.service",
            destination_country=sub.country,
            channel=channel,
            reason=f"objection to sub-processor {sub.name} recorded: {effect}",
        )
    commit_or_conflict("You have already objected to this change.")
    return objection


def objections_by(account_id: uuid.UUID) -> dict[int, Objection]:
    """The organizer's objections, by the change they object to."""
    rows = db.session.scalars(sa.select(Objection).where(Objection.account_id == account_id))
    return {objection.change_id: objection for objection in rows}


def excluded_subprocessors(account_id: uuid.UUID) -> set[uuid.UUID]:
    """The sub-processors this organizer objected to and is excluded from."""
    query = (
        sa.select(SubProcessorChange.subprocessor_id)
        .join(Objection, Objection.change_id == SubProcessorChange.id)
        .where(Objection.account_id == account_id, Objection.outcome == "excluded")
    )
    return set(db.session.scalars(query))


def objections_by_change() -> dict[int, list[tuple[str, Objection]]]:
    """Every objection with the objecting organizer's login, grouped by change, oldest first (for staff)."""
    query = (
        sa.select(Account.login, Objection)
        .join(Account, Account.id == Objection.account_id)
        .order_by(Objection.created_at)
    )
    grouped: dict[int, list[tuple[str, Objection]]] = {}
    for login, objection in db.session.execute(query):
        grouped.setdefault(objection.change_id, []).append((login, objection))
    return grouped
