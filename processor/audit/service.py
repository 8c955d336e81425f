"""Append to and read the access log; check that each organizer's chain is intact."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from processor.accounts.models import Account
from processor.audit.chain import GENESIS, ChainBreak, entry_hash, first_break
from processor.audit.models import ACTOR_TYPES, CHANNELS, AccessLogEntry, AccessLogHead
from processor.db_types import utcnow
from processor.errors import DomainError
from processor.extensions import db

log = logging.getLogger(__name__)

PAGE_SIZE = 100


class ChainKeyMissing(DomainError):
    status = 503
    slug = "audit-chain-key-missing"
    title = "The access log cannot be written"


def chain_key() -> bytes:
    """The chain's MAC key, loaded at start-up from outside the database (processor.keys.init_app)."""
    key = current_app.extensions.get("audit_chain_key")
    if key is None:
        log.error(
            "no access-log chain key: set AUDIT_CHAIN_KEY or create instance/audit_chain.key (base64 of 32 random "
            "bytes, mode 0600); participant data stays unavailable until then"
        )
        raise ChainKeyMissing("Participant data is unavailable right now; support has been told.")
    return key


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
    connection: sa.Connection | None = None,
) -> AccessLogEntry:
    """Append one chained entry to the organizer's log in the current session, or in the transaction of
    `connection` (a bulk import's own); the caller commits."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if actor_type not in ACTOR_TYPES:
        raise ValueError(f"unknown actor type {actor_type!r}")
    account_id = uuid.UUID(str(account_id))
    session = db.session if connection is None else Session(bind=connection)
    _lock_chain(session, account_id)
    head = session.scalar(
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
    entry.entry_hash = entry_hash(entry, chain_key())
    head.seq, head.entry_hash = entry.seq, entry.entry_hash
    session.add(entry)
    if connection is not None:
        session.flush()  # into the connection's transaction, which its owner commits
    return entry


def _lock_chain(session: Session, account_id: uuid.UUID) -> None:
    """Hold the organizer's chain until the caller's transaction ends, on both engines, before reading its head.

    Inserting the genesis head (nothing when it exists) is a write: on SQLite it takes the database's write lock
    (waiting its turn, busy_timeout) before the head is read, so two appends never read the same head; on
    PostgreSQL it makes sure the row exists, and FOR UPDATE then locks it, the first append of an organizer
    included.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(AccessLogHead.__table__)
        .values(account_id=account_id, seq=0, entry_hash=GENESIS)
        .on_conflict_do_nothing(index_elements=["account_id"])
    )


def reseal_chain(head: AccessLogHead, entries: list, start: int) -> str:
    """Re-hash `entries[start:]` (in seq order) under the chain key, each linked to the one before, and point the
    head at the last; return the head hash this replaced. The caller logs that it was done and commits."""
    replaced, prev = head.entry_hash, entries[start - 1].entry_hash if start else GENESIS
    key = chain_key()
    for entry in entries[start:]:
        entry.prev_hash = prev
        entry.entry_hash = prev = entry_hash(entry, key)
    head.entry_hash = prev
    db.session.flush()
    return replaced


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
        return first_break(entries, head.seq if head else None, head.entry_hash if head else None, chain_key())
    finally:
        entries.close()  # the walk may stop early; free PostgreSQL's server-side cursor


def verify_all(login: str | None = None, check=verify_account) -> tuple[int, list[tuple[str, ChainBreak]]]:
    """Check every organizer's chain (or one); return how many were checked and the breaks found."""
    query = sa.select(Account.id, Account.login).order_by(Account.login)
    if login:
        query = query.where(Account.login == login)
    accounts = db.session.execute(query).all()
    breaks = [(row.login, found) for row in accounts if (found := check(row.id))]
    return len(accounts), breaks
