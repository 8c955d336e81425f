"""Seal rows written before row MACs (migration s4_gate_02): a one-time, resumable pass in committed batches.

Each row's cells are decrypted first (AES-GCM authenticates every cell with its column and row), so a row whose
cells were tampered with is never sealed as valid: it is reported and stays withheld.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa

from processor.access import Actor, gate
from processor.extensions import db
from processor.keys.ring import KeysShredded
from processor.registries.models import Registry, participants

BATCH = 500
SEALER = Actor.system("seal-legacy-rows")


def _unsealed(account_id: uuid.UUID | None):
    where = participants.c.row_mac.is_(None)
    if account_id is not None:
        registries = sa.select(Registry.id).where(Registry.account_id == account_id).scalar_subquery()
        where = sa.and_(where, participants.c.registry_id.in_(registries))
    return where


def unsealed_count(account_id: uuid.UUID | None = None) -> int:
    """Rows still without a MAC (of one organizer, or of all)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(participants).where(_unsealed(account_id)))


def seal_legacy_rows(
    account_id: uuid.UUID | None = None,
    *,
    batch_size: int = BATCH,
    progress: Callable[[int], None] = lambda n: None,
) -> dict:
    """Walk the rows without a MAC by id, one committed and logged batch at a time; return what was sealed, the
    rows that failed their check (id, incident) and the organizers skipped because their keys were shredded.

    A row is sealed only if its revision is unchanged and it still has no MAC, so a concurrent edit (which writes
    its own MAC) is never overwritten. A failed row stays unsealed and is reported again by the next run."""
    statement = (
        sa.update(participants)
        .where(
            participants.c.id == sa.bindparam("p_id"),
            participants.c.revision == sa.bindparam("p_revision"),
            participants.c.row_mac.is_(None),
        )
        .values(row_mac=sa.bindparam("v_row_mac"))
    )
    owner = sa.select(Registry.account_id).where(Registry.id == participants.c.registry_id).scalar_subquery()
    sealed, bad, shredded, after = 0, [], set(), None
    while True:
        connection = db.session.connection()
        query = sa.select(participants, owner.label("account_id")).where(_unsealed(account_id))
        if after is not None:
            query = query.where(participants.c.id > after)
        rows = connection.execute(query.order_by(participants.c.id).limit(batch_size)).all()
        if not rows:
            db.session.commit()
            return {"sealed": sealed, "failed": bad, "shredded": sorted(map(str, shredded))}
        by_account: dict[uuid.UUID, list] = {}
        for row in rows:
            by_account.setdefault(row.account_id, []).append(row)
        for owner_id, batch in by_account.items():
            try:
                updates, failed = gate.seal_batch(SEALER, connection, owner_id, batch)
            except KeysShredded:
                shredded.add(owner_id)  # its data can never be read again: nothing to seal
                continue
            if updates:
                connection.execute(statement, updates)
            sealed += len(updates)
            bad.extend({"id": str(entry["id"]), "incident": entry["incident"]} for entry in failed)
        db.session.commit()
        after = rows[-1].id
        progress(len(rows))
