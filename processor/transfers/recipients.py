"""Whether one organizer's participant data may go to a sub-processor on a day.

A sub-processor receives an organizer's data only from its effective day, until its removal, in an allowed
destination with the attestations its decision needs, and never when the organizer objected and was excluded.
"""

from __future__ import annotations

import datetime as dt
import uuid

from processor.db_types import utcnow
from processor.transfers.objections import excluded_subprocessors
from processor.transfers.policy import Decision, TransferPolicy, TransferRefused
from processor.transfers.subprocessors import ART_28_2, SubProcessor, list_subprocessors


def check_subprocessor(
    subprocessor: SubProcessor, account_id: uuid.UUID | None = None, on: dt.date | None = None
) -> Decision:
    """Judge passing this organizer's data (or anyone's, without an account) to the sub-processor on a day."""
    day = on or utcnow().date()
    if account_id is not None and subprocessor.id in excluded_subprocessors(account_id):
        rule = "subprocessor-objection"
        why = f"the organizer objected to {subprocessor.name} and is excluded: its data is never passed to it."
        return Decision(False, rule, f"Refused on {day} ({rule}): {why}", ART_28_2, subprocessor.country, day)
    return subprocessor.transfer_on(day)


def require_subprocessor(
    subprocessor: SubProcessor, account_id: uuid.UUID | None = None, on: dt.date | None = None
) -> Decision:
    """Return the allowing decision, or raise TransferRefused naming the rule."""
    decision = check_subprocessor(subprocessor, account_id, on)
    if not decision.allowed:
        raise TransferRefused(decision)
    return decision


def recipients_for(account_id: uuid.UUID, on: dt.date | None = None) -> list[tuple[SubProcessor, Decision]]:
    """Every current sub-processor with the decision for this organizer's data on the day."""
    excluded = excluded_subprocessors(account_id)
    day = on or utcnow().date()
    policy = TransferPolicy()
    return [
        (sub, check_subprocessor(sub, account_id, day) if sub.id in excluded else sub.transfer_on(day, policy))
        for sub in list_subprocessors()
    ]
