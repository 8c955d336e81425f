"""At erasure, the kept access log's free-text reasons are reduced to their category, and the chain re-sealed.

A reason is `category: free text` (a support ticket's stated reason, a request's extension reason, a refusal's
detail): the free text may name participants, so after erasure only the part before the first colon stays. The
entries are hashed with their reason, so the organizer's chain is re-hashed from the first changed entry, and a
closing entry records that it was done and the head hash it replaced: `flask audit verify` still checks the chain.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from processor.audit import record_access
from processor.audit.models import AccessLogEntry, AccessLogHead
from processor.audit.service import reseal_chain
from processor.extensions import db


def category_of(reason: str | None) -> str | None:
    """The reason's category: the text before the first colon (a reason without one is a fixed text)."""
    if reason is None or ":" not in reason:
        return reason
    return reason.split(":", 1)[0].strip() + ": (reduced at erasure)"


def reduce_reasons(account_id: uuid.UUID, now: dt.datetime) -> int:
    """Reduce the organizer's reasons to their category, re-hash the chain, and log that; return entries changed."""
    head = db.session.get(AccessLogHead, account_id)
    if head is None:
        return 0
    entries = db.session.scalars(
        sa.select(AccessLogEntry).where(AccessLogEntry.account_id == account_id).order_by(AccessLogEntry.seq)
    ).all()
    first, changed = None, 0
    for n, entry in enumerate(entries):
        reduced = category_of(entry.reason)
        if reduced != entry.reason:
            entry.reason, changed = reduced, changed + 1
            first = n if first is None else first
    if first is None:
        return 0
    replaced_head = reseal_chain(head, entries, first)
    record_access(
        account_id=account_id,
        actor_type="staff",
        actor="retention",
        purpose="essential.legal_obligation",
        channel="cli",
        reason=f"account erased: {changed} free-text reason(s) reduced to their category; chain re-sealed "
        f"(replaced head {replaced_head})",
    )
    return changed
