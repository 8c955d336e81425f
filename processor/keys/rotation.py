"""Master-key rotation: re-wrap every organizer key under a new master version, then retire old versions."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from processor.errors import Conflict, ValidationFailed
from processor.extensions import db
from processor.keys.models import data_keys
from processor.keys.ring import ring

REWRAP_BATCH = 200


class MasterVersionInUse(Conflict):
    title = "Master key version in use"


def _stale(current: int):
    return sa.and_(data_keys.c.wrapped.is_not(None), data_keys.c.master_version != current)


def stale_count(current: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(data_keys).where(_stale(current)))


def start_master_rotation(*, new_version: bool = False) -> tuple[int, int]:
    """Return (target version, keys to re-wrap): resume an unfinished rotation, else add a master version."""
    provider = ring().provider
    provider.reload()
    current = provider.current_version()
    if new_version or stale_count(current) == 0:
        current = provider.add_version()
    return current, stale_count(current)


def rewrap_all(target: int, *, progress: Callable[[int], None] = lambda n: None) -> int:
    """Re-wrap every organizer key still under another master version, in committed batches (resumable)."""
    key_ring, done = ring(), 0
    while True:
        rows = db.session.execute(
            sa.select(
                data_keys.c.id,
                data_keys.c.account_id,
                data_keys.c.purpose,
                data_keys.c.version,
                data_keys.c.master_version,
                data_keys.c.wrapped,
            )
            .where(_stale(target))
            .order_by(data_keys.c.id)
            .limit(REWRAP_BATCH)
        ).all()
        if not rows:
            return done
        for row in rows:
            key = key_ring.unwrap(row.account_id, row.purpose, row.version, (row.master_version, row.wrapped))
            master_version, wrapped = key_ring.wrap(row.account_id, row.purpose, row.version, key)
            if master_version != target:
                raise ValidationFailed(f"Master key version {target} is no longer the newest; run the rotation again.")
            # Guarded by the old version, so a concurrent shred (wrapped set to NULL) is never undone.
            db.session.execute(
                sa.update(data_keys)
                .where(
                    data_keys.c.id == row.id,
                    data_keys.c.master_version == row.master_version,
                    data_keys.c.wrapped.is_not(None),
                )
                .values(master_version=target, wrapped=wrapped)
            )
        db.session.commit()
        done += len(rows)
        progress(len(rows))


def retire_master(version: int) -> None:
    """Delete a master key version; refused while any organizer key is still wrapped by it."""
    provider = ring().provider
    provider.reload()
    if version not in provider.versions():
        raise ValidationFailed(
            f"There is no master key version {version} (versions: "
            f"{', '.join(map(str, provider.versions())) or 'none'})."
        )
    if version == provider.current_version():
        raise MasterVersionInUse(f"Master key version {version} is the current one; rotate first.")
    in_use = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(data_keys)
        .where(data_keys.c.master_version == version, data_keys.c.wrapped.is_not(None))
    )
    if in_use:
        raise MasterVersionInUse(
            f"{in_use} organizer keys are still wrapped by master key version {version}: "
            "run `flask keys rotate-master` to finish re-wrapping them first."
        )
    provider.remove_version(version)
