"""The keyed chain: how an entry is authenticated, and how an organizer's chain is checked.

Each entry's `entry_hash` is an HMAC-SHA256, under the chain key (kept outside the database, see
`keys.providers.audit_chain_key`), of its canonical JSON, which includes the previous entry's MAC. Someone who can
rewrite the log's tables but not read the key cannot forge or recompute an entry; what they can still do, cut the
tail and point the head back, or delete a whole chain, is caught by a signed checkpoint (audit/checkpoints.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from processor.audit.models import AccessLogEntry

GENESIS = "0" * 64
# Every column except the hash itself: a change to any byte of any of them changes the hash.
HASHED_COLUMNS = (
    "id",
    "account_id",
    "seq",
    "created_at",
    "channel",
    "actor_type",
    "actor",
    "purpose",
    "registry_id",
    "fields",
    "records",
    "destination_country",
    "allowed",
    "reason",
    "prev_hash",
)


def canonical(entry: AccessLogEntry) -> bytes:
    """The entry's canonical JSON (sorted keys, ISO datetimes, UUIDs as text): what its hash covers."""
    values = {}
    for column in HASHED_COLUMNS:
        value = getattr(entry, column)
        if column == "created_at":
            value = value.isoformat(timespec="microseconds")
        elif value is not None and column in ("id", "account_id", "registry_id"):
            value = str(value)
        values[column] = value
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: AccessLogEntry, key: bytes) -> str:
    """HMAC-SHA256 (hex) of the entry's canonical JSON."""
    return hmac.new(key, canonical(entry), "sha256").hexdigest()


def legacy_entry_hash(entry: AccessLogEntry) -> str:
    """The unkeyed SHA-256 (hex) entries were hashed with before the chain was keyed (s4_gate_03)."""
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which a chain stops being intact, and why."""

    entry_id: str | None
    seq: int | None
    reason: str

    def describe(self, login: str) -> str:
        where = f"entry {self.entry_id} (#{self.seq})" if self.entry_id else "the end of the log"
        return f"access log of {login}: {where}: {self.reason}"


def first_break(
    entries: Iterable[AccessLogEntry], head_seq: int | None, head_hash: str | None, key: bytes
) -> ChainBreak | None:
    """Walk entries in seq order; return the first one that was altered, removed or reordered."""
    expected_prev, expected_seq = GENESIS, 1
    for entry in entries:
        if entry.seq != expected_seq:
            missing = "missing or reordered" if entry.seq > expected_seq else "out of order"
            return ChainBreak(str(entry.id), entry.seq, f"expected #{expected_seq}: an entry is {missing}")
        if entry.prev_hash != expected_prev:
            return ChainBreak(str(entry.id), entry.seq, "previous-hash link does not match the entry before it")
        if not hmac.compare_digest(entry.entry_hash, entry_hash(entry, key)):
            return ChainBreak(str(entry.id), entry.seq, "content does not match its hash (altered)")
        expected_prev, expected_seq = entry.entry_hash, expected_seq + 1
    last_seq = expected_seq - 1
    head_seq, head_hash = (head_seq or 0), (head_hash or GENESIS)
    if head_seq != last_seq or head_hash != expected_prev:
        return ChainBreak(
            None,
            None,
            f"the chain ends at #{last_seq} but #{head_seq} was recorded last (entries removed or the tail altered)",
        )
    return None
