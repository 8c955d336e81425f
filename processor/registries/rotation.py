"""Data-key rotation for one organizer: a new key version, then resumable re-encryption batches online."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa

from processor.extensions import db
from processor.keys.models import FIELDS, data_keys
from processor.keys.ring import KeysShredded, keys_for, ring
from processor.registries.models import ENCRYPTED_FIELDS, Registry, participants
from processor.registries.rows import PLACES, TABLE

BATCH = 500


def _latest_version(account_id: uuid.UUID) -> int:
    rows = db.session.execute(
        sa.select(data_keys.c.version, data_keys.c.wrapped).where(
            data_keys.c.account_id == account_id, data_keys.c.purpose == FIELDS
        )
    ).all()
    if any(wrapped is None for _, wrapped in rows):
        raise KeysShredded()
    return max((version for version, _ in rows), default=0)


def _behind(account_id: uuid.UUID, version: int):
    registries = sa.select(Registry.id).where(Registry.account_id == account_id).scalar_subquery()
    return sa.and_(participants.c.registry_id.in_(registries), participants.c.key_version < version)


def pending_count(account_id: uuid.UUID, version: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(participants).where(_behind(account_id, version)))


def start_account_rotation(account_id: uuid.UUID) -> tuple[int, int]:
    """Return (target version, rows to re-encrypt): resume an unfinished rotation, else add a key version."""
    latest = _latest_version(account_id)
    if latest and pending_count(account_id, latest):
        return latest, pending_count(account_id, latest)
    latest += 1
    db.session.execute(sa.insert(data_keys).values(ring().new_key_row(account_id, FIELDS, latest)))
    db.session.commit()
    return latest, pending_count(account_id, latest)


def reencrypt_account(
    account_id: uuid.UUID, target: int, *, progress: Callable[[int], None] = lambda n: None, batch_size: int = BATCH
) -> int:
    """Re-encrypt the organizer's rows still under older key versions, one committed batch at a time.

    Each row is written back only if its revision is unchanged, so a concurrent edit is never overwritten;
    a skipped row is picked up again by the next pass. Reads and writes go on meanwhile.
    """
    statement = (
        sa.update(participants)
        .where(participants.c.id == sa.bindparam("p_id"), participants.c.revision == sa.bindparam("p_revision"))
        .values(
            {
                **{f: sa.bindparam(f"v_{f}") for f in ENCRYPTED_FIELDS},
                "key_version": target,
                "revision": participants.c.revision + 1,
            }
        )
    )
    done = 0
    registry_ids = db.session.scalars(sa.select(Registry.id).where(Registry.account_id == account_id)).all()
    while True:
        # Rows skipped by a concurrent edit stay behind the target: another pass picks them up.
        walked = sum(
            _reencrypt_registry(registry_id, account_id, target, statement, progress, batch_size)
            for registry_id in registry_ids
        )
        done += walked
        if walked == 0 or not pending_count(account_id, target):
            db.session.commit()
            return done


def _reencrypt_registry(registry_id, account_id, target, statement, progress, batch_size: int) -> int:
    """Walk one registry's rows under older versions by keyset on (key_version, id): each batch seeks in the
    index that leads with the registry and the key version, so the cost follows the organizer's rows only."""
    done, after = 0, None
    while True:
        connection = db.session.connection()
        query = sa.select(participants).where(
            participants.c.registry_id == registry_id, participants.c.key_version < target
        )
        if after is not None:
            query = query.where(sa.tuple_(participants.c.key_version, participants.c.id) > sa.tuple_(*after))
        rows = connection.execute(query.order_by(participants.c.key_version, participants.c.id).limit(batch_size)).all()
        if not rows:
            return done
        keys = keys_for(connection, account_id)
        if keys.write.version != target:
            raise RuntimeError(f"key version {keys.write.version} is newer than the rotation target {target}")
        updates = []
        for row in rows:
            update, row_bytes = {"p_id": row.id, "p_revision": row.revision}, row.id.bytes
            for field in ENCRYPTED_FIELDS:
                blob = getattr(row, field)
                update[f"v_{field}"] = (
                    None
                    if blob is None
                    else keys.write.encrypt(
                        keys.decrypt(blob, TABLE, field, row.id, row_bytes), PLACES[field], row_bytes
                    )
                )
            updates.append(update)
        connection.execute(statement, updates)
        db.session.commit()
        after = (rows[-1].key_version, rows[-1].id)
        done += len(rows)
        progress(len(rows))
