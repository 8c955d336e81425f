"""The change feed's order: each writing transaction gets the organizer's next sequence number as it commits.

A row written (or a deletion marker left) carries its transaction's id, `change_txn`. Just before the commit,
`stamp` takes the organizer's counter row (UPDATE: a row lock on PostgreSQL, the database lock on SQLite), adds
one, and records (organizer, number, transaction) in `participant_changes`. The lock is held until the commit, so
numbers become visible in commit order: once a reader sees number k, every smaller number is committed or
abandoned, and a cursor "after k" can never skip a row that commits later. The lock is taken only at the very
end: a 100,000-row import holds it for its commit, not for its whole run, and pays one statement per transaction
(rows carry the transaction id, written with each batch at no cost per row).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from processor.db_types import utcnow
from processor.registries.models import changes, counters

_KEY = "participant_change_txns"


def txn_for(connection: sa.Connection, account_id: uuid.UUID) -> uuid.UUID:
    """The id this transaction's writes of the organizer's participants carry (made on first use)."""
    pending = connection.info.setdefault(_KEY, {})
    txn = pending.get(account_id)
    if txn is None:
        txn = pending[account_id] = uuid.uuid4()
    return txn


def stamp(connection: sa.Connection) -> None:
    """Give each organizer written in this transaction its next change number; call it just before commit."""
    pending = connection.info.pop(_KEY, None)
    if not pending:
        return
    insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert
    now = utcnow()
    for account_id, txn in sorted(pending.items()):  # a fixed order: two transactions never wait on each other
        connection.execute(insert(counters).values(account_id=account_id, seq=0).on_conflict_do_nothing())
        seq = connection.execute(
            sa.update(counters)
            .where(counters.c.account_id == account_id)
            .values(seq=counters.c.seq + 1)
            .returning(counters.c.seq)
        ).scalar_one()
        connection.execute(sa.insert(changes).values(account_id=account_id, seq=seq, txn=txn, committed_at=now))


def forget(connection) -> None:
    """A rolled-back transaction's ids are never stamped (nothing of it was kept)."""
    connection.info.pop(_KEY, None)


@sa.event.listens_for(Session, "before_commit")
def _stamp_session(session) -> None:
    """Every commit of the ORM session stamps what it wrote (the gate's units, the pages, tests' set-up)."""
    for connection in _connections(session):
        stamp(connection)


def _connections(session: Session) -> list[sa.Connection]:
    transaction = session.get_transaction()
    # SessionTransaction keeps its connections privately; SQLAlchemy offers no public list of them.
    return [] if transaction is None else [conn for conn, *_ in transaction._connections.values()]


@sa.event.listens_for(sa.engine.Engine, "rollback")
def _forget_on_rollback(connection) -> None:
    forget(connection)
