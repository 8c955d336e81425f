"""Append to and read the access log; check that each organizer's chain is intact."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from processor.accounts.models import Account
from processor.audit.chain import GENESIS, ChainBreak, entry_hash, first_break
from processor.audit.models import ACTOR_TYPES, CHANNELS, AccessLogEntry, AccessLogHead
from processor.db_types import utcnow
from processor.extensions import db

PAGE_SIZE = 100


def record_access(
    *,
    account_id: uuid.UUID,
    actor_type: str,
    actor: str,
    purpose: str,
    registry_id: uuid.UUID | None = None,
    fields: Iterable[str] = (),
    records: int = 0,
    destination_country: str | None = None,
    allowed: bool = True,
    reason: str | None = None,
    channel: str = "web",
) -> AccessLogEntry:
    """Append one hash-chained entry to the organizer's log in the current session; the caller commits."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if actor_type not in ACTOR_TYPES:
        raise ValueError(f"unknown actor type {actor_type!r}")
    account_id = uuid.UUID(str(account_id))
    _lock_chain(account_id)
    head = db.session.scalar(
        sa.select(AccessLogHead)
        .where(AccessLogHead.account_id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    entry = AccessLogEntry(
        id=uuid.uuid4(),
        account_id=account_id,
        seq=head.seq + 1,
        created_at=utcnow(),
        channel=channel,
        actor_type=actor_type,
        actor=actor[:200],
        purpose=purpose[:120],
        registry_id=uuid.UUID(str(registry_id)) if registry_id else None,
        fields=",".join(fields),
        records=int(records),
        destination_country=destination_country,
        allowed=bool(allowed),
        reason=reason[:500] if reason else None,
        prev_hash=head.entry_hash,
    )
    entry.entry_hash = entry_hash(entry)
    head.seq, head.entry_hash = entry.seq, entry.entry_hash
    db.session.add(entry)
    return entry


def _lock_chain(account_id: uuid.UUID) -> None:
    """Hold the organizer's chain until the caller's transaction ends, on both engines, before reading its head.

    Inserting the genesis head (nothing when it exists) is a write: on SQLite it takes the database's write lock
    (waiting its turn, busy_timeout) before the head is read, so two appends never read the same head; on
    PostgreSQL it makes sure the row exists, and FOR UPDATE then locks it, the first append of an organizer
    included.
    """
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(
        insert(AccessLogHead.__table__)
        .values(account_id=account_id, seq=0, entry_hash=GENESIS)
        .on_conflict_do_nothing(index_elements=["account_id"])
    )


def list_entries(account_id: uuid.UUID, *, before_seq: int | None = None, limit: int = PAGE_SIZE) -> list:
    """The organizer's entries, newest first; `before_seq` continues from an earlier page."""
    query = sa.select(AccessLogEntry).where(AccessLogEntry.account_id == account_id)
    if before_seq is not None:
        query = query.where(AccessLogEntry.seq < before_seq)
    return list(db.session.scalars(query.order_by(AccessLogEntry.seq.desc()).limit(limit)))


def verify_account(account_id: uuid.UUID) -> ChainBreak | None:
    """Return the first break in one organizer's chain, or None when it is intact."""
    head = db.session.get(AccessLogHead, account_id)
    entries = db.session.scalars(
        sa.select(AccessLogEntry)
        .where(AccessLogEntry.account_id == account_id)
        .order_by(AccessLogEntry.seq, AccessLogEntry.id)
        .execution_options(yield_per=1000)
    )
    try:
        return first_break(entries, head.seq if head else None, head.entry_hash if head else None)
    finally:
        entries.close()  # the walk may stop early; free PostgreSQL's server-side cursor


def verify_all(login: str | None = None) -> tuple[int, list[tuple[str, ChainBreak]]]:
    """Check every organizer's chain (or one); return how many were checked and the breaks found."""
    query = sa.select(Account.id, Account.login).order_by(Account.login)
    if login:
        query = query.where(Account.login == login)
    accounts = db.session.execute(query).all()
    breaks = [(row.login, found) for row in accounts if (found := verify_account(row.id))]
    return len(accounts), breaks
