"""Re-key access-log entries written before the chain was keyed (s4_gate_03): once, after checking them.

Before s4_gate_03 an entry's hash was an unkeyed SHA-256 of its canonical JSON; after it, an HMAC under the chain
key. An upgraded log is a legacy prefix followed by keyed entries (the first keyed one links to the legacy head).
Each organizer's chain is walked first: every link must hold, legacy entries must match their unkeyed hash and
come only before keyed ones. Then the whole chain is re-hashed under the key (as retention does at erasure) and an
entry records that it was re-keyed, on which date, and the legacy head it replaced. A chain that does not check
out is left as it is and reported.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from processor.audit import checkpoints
from processor.audit.chain import GENESIS, ChainBreak, entry_hash, legacy_entry_hash
from processor.audit.models import AccessLogCheckpoint, AccessLogEntry, AccessLogHead
from processor.audit.service import chain_key, record_access, reseal_chain
from processor.db_types import utcnow
from processor.extensions import db

ACTOR = "system:audit-rekey"


@dataclass(frozen=True)
class Rekeyed:
    legacy: int  # entries that were hashed without the key
    legacy_head: str  # the last of them's old hash


def _legacy_prefix(entries: list, head: AccessLogHead, key: bytes) -> int | ChainBreak:
    """How many leading entries carry the unkeyed hash, once the whole chain checks out; else where it breaks."""
    prev, legacy, keyed_seen = GENESIS, 0, False
    for n, entry in enumerate(entries, start=1):
        if entry.seq != n or entry.prev_hash != prev:
            return ChainBreak(
                str(entry.id), entry.seq, "an entry is missing, reordered or not linked to the one before"
            )
        if hmac.compare_digest(entry.entry_hash, entry_hash(entry, key)):
            keyed_seen = True
        elif not keyed_seen and hmac.compare_digest(entry.entry_hash, legacy_entry_hash(entry)):
            legacy += 1
        else:
            return ChainBreak(str(entry.id), entry.seq, "content does not match its hash, keyed or legacy (altered)")
        prev = entry.entry_hash
    if head.seq != len(entries) or head.entry_hash != prev:
        return ChainBreak(None, None, "the head does not point at the last entry (entries removed or tail altered)")
    return legacy


def rekey_account(account_id: uuid.UUID) -> Rekeyed | ChainBreak | None:
    """Re-key the organizer's legacy entries and log it (committed); None when there are none."""
    head = db.session.get(AccessLogHead, account_id)
    if head is None:
        return None
    entries = db.session.scalars(
        sa.select(AccessLogEntry).where(AccessLogEntry.account_id == account_id).order_by(AccessLogEntry.seq)
    ).all()
    legacy = _legacy_prefix(entries, head, chain_key())
    if not isinstance(legacy, int) or legacy == 0:
        db.session.rollback()
        return legacy or None
    legacy_head = entries[legacy - 1].entry_hash
    replaced = reseal_chain(head, entries, 0)
    record_access(
        account_id=account_id,
        actor_type="staff",
        actor=ACTOR,
        purpose="essential.service.security",
        channel="cli",
        reason=f"access log re-keyed: entries #1-#{legacy} were hashed without the chain key and are re-chained "
        f"under it on {utcnow():%Y-%m-%d}; legacy head {legacy_head}, replaced head {replaced}",
    )
    had_checkpoint = db.session.scalar(
        sa.select(sa.func.count()).select_from(AccessLogCheckpoint).where(AccessLogCheckpoint.account_id == account_id)
    )
    db.session.commit()
    if had_checkpoint:
        checkpoints.issue(account_id)  # the kept ones signed the old hashes; sign the re-keyed head
    return Rekeyed(legacy, legacy_head)
