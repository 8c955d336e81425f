"""Organizers' objections to a sub-processor change, accepted while its 30-day window is open (Art. 28(2))."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.accounts.models import Account
from processor.db_types import UTCDateTime, utcnow
from processor.errors import Conflict, NotFound, ValidationFailed
from processor.extensions import commit_or_conflict, db
from processor.transfers.subprocessors import SubProcessorChange

REASON_LIMIT = 1000


class Objection(db.Model):
    __tablename__ = "subprocessor_objections"
    __table_args__ = (sa.UniqueConstraint("change_id", "account_id"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    change_id: Mapped[int] = mapped_column(sa.ForeignKey("subprocessor_changes.id"))
    # The objection is the organizer's own data: it goes when the account is erased.
    account_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(REASON_LIMIT))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def object_to_change(
    *, change_id: int, account_id: uuid.UUID, reason: str, now: dt.datetime | None = None
) -> Objection:
    """Record the organizer's objection to one change, refused once the window has closed or if already made."""
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
    if not change.objection_open(now.date()):
        raise Conflict(f"The window to object to this change closed on {change.objection_deadline}.")
    objection = Objection(change_id=change.id, account_id=account_id, reason=reason, created_at=now)
    db.session.add(objection)
    commit_or_conflict("You have already objected to this change.")
    return objection


def objections_by(account_id: uuid.UUID) -> dict[int, Objection]:
    """The organizer's objections, by the change they object to."""
    rows = db.session.scalars(sa.select(Objection).where(Objection.account_id == account_id))
    return {objection.change_id: objection for objection in rows}


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
