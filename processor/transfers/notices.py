"""Tell every active organizer of a sub-processor change: an access-log entry and mail to its own address.

Participants never get these: the mail goes through the organizer outbox (`processor.messaging.organizer`).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa

from processor.accounts.models import Account
from processor.audit import record_access
from processor.extensions import db
from processor.messaging.organizer import queue_organizer_notices
from processor.transfers.policy import Decision, TransferRefused

if TYPE_CHECKING:  # the models import this module to announce their changes
    from processor.transfers.subprocessors import SubProcessorChange


def active_accounts() -> list[uuid.UUID]:
    """The organizers a change concerns: every active account."""
    return list(db.session.scalars(sa.select(Account.id).where(Account.status == "active")))


def log_refused_assignment(refusal: TransferRefused, *, by: str, channel: str) -> None:
    """A sub-processor would serve every organizer: each one's access log shows the refused assignment."""
    db.session.rollback()
    for account_id in active_accounts():
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


def notify_organizers(change: SubProcessorChange, *, channel: str, decision: Decision | None = None) -> None:
    """Tell every active organizer of a change: an access-log entry and a message to its own address."""
    sub = change.subprocessor
    if change.action == "removed":
        subject = f"Sub-processor removed: {sub.name}"
        summary = f"sub-processor removed at once: {sub.name} ({sub.country})"
        lines = [
            f"{sub.name} ({sub.purpose}, {sub.country}) no longer processes your participants' data "
            f"from {change.effective_on}."
        ]
    else:
        when = "at once" if change.emergency_reason else f"on {change.effective_on}"
        subject = (
            f"{'Emergency sub-processor change' if change.emergency_reason else 'Intended sub-processor'}: {sub.name}"
        )
        summary = (
            f"sub-processor change announced: {sub.name} ({sub.country}, {sub.purpose}) takes effect {when}; "
            f"objections until {change.objection_deadline}"
        )
        consequence = (
            f"the service cannot run without {sub.name}, so an objection offers you termination of the contract"
            if sub.essential
            else f"if you object, your participants' data is never passed to {sub.name}"
        )
        lines = [
            f"{sub.name}, {sub.address or 'address not given'}, will process participant data for: {sub.purpose}.",
            f"Country: {sub.country}. Transfer basis: {decision.reason if decision else '-'}",
            f"It takes effect {when}.",
            *(
                [f"It took effect at once for this reason: {change.emergency_reason}"]
                if change.emergency_reason
                else []
            ),
            f"You may object until {change.objection_deadline} on the page 'Where your participants' data goes'; "
            f"{consequence}.",
        ]
    accounts = active_accounts()
    for account_id in accounts:
        record_access(
            account_id=account_id,
            actor_type="staff",
            actor=change.changed_by,
            purpose="essential.service",
            destination_country=sub.country,
            channel=channel,
            reason=summary,
        )
    queue_organizer_notices(accounts, kind="subprocessor-change", subject=subject, body="\n".join(lines))
