"""Crypto-shredding: destroy an organizer's keys so that none of its fields can be decrypted again, anywhere.

Two steps of very different cost:

1. `tombstone_account_keys` (per organizer, cheap): the organizer's key rows lose their wrapped key
   (`wrapped` NULL, `destroyed_at` set). On the tombstone, `master_version` keeps the newest master version
   that existed at that moment: that version and every older one may have wrapped the key in a copy of the
   database taken before, so all of them must be retired. This is the pending-retirement marker; it lives in
   the same committed row as the destruction itself, so no crash can separate the two.
2. `finish_shredding` (per run, one master rotation): while any master version up to the highest such marker
   remains, add a master version (or resume one a crashed run already added), re-wrap every remaining key
   under it and retire the marked versions. It is idempotent: with nothing pending it does nothing, and after
   a crash anywhere in between the next call picks up where the last one stopped.

`shred_account_keys` does both for one organizer (`flask keys shred`); `flask retention run` tombstones every
due account and then finishes once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa

from processor.db_types import utcnow
from processor.errors import DomainError
from processor.extensions import db
from processor.keys.models import FIELDS, data_keys
from processor.keys.providers import MasterKeyError, StaticKeyProvider
from processor.keys.ring import ring
from processor.keys.rotation import retire_master, rewrap_all

log = logging.getLogger(__name__)

COPIES_STAY_READABLE = (
    "The organizer's keys are destroyed in the database, but copies of the database taken "
    "before stay decryptable until the old master key versions are retired"
)


@dataclass
class Retirement:
    """What `finish_shredding` did: the master version now wrapping every key, the versions it retired."""

    master_version: int | None = None
    retired: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ShredResult(Retirement):
    destroyed: int = 0


def tombstone_account_keys(account_id: uuid.UUID) -> int:
    """Destroy the organizer's data keys and mark the master versions to retire; commit; return how many.

    A tombstone is written even for an organizer with no keys yet, so none are ever created for it. Copies of
    the database taken before stay readable until `finish_shredding` has run.
    """
    provider = ring().provider
    provider.reload()  # another process may have added a version: it must be retired as well
    live = db.session.scalars(
        sa.select(data_keys.c.master_version).where(
            data_keys.c.account_id == account_id, data_keys.c.wrapped.is_not(None)
        )
    ).all()
    retire_through = max([*provider.versions(), *live], default=None)
    now = utcnow()
    destroyed = db.session.execute(
        sa.update(data_keys)
        .where(data_keys.c.account_id == account_id, data_keys.c.wrapped.is_not(None))
        .values(wrapped=None, master_version=retire_through, destroyed_at=now)
    ).rowcount
    if not db.session.scalar(
        sa.select(sa.func.count()).select_from(data_keys).where(data_keys.c.account_id == account_id)
    ):
        # No keys yet: leave the tombstone anyway (no key ever existed, so no master version to retire).
        db.session.execute(
            sa.insert(data_keys).values(
                account_id=account_id, purpose=FIELDS, version=1, created_at=now, destroyed_at=now
            )
        )
    db.session.commit()
    ring().forget(account_id)
    log.warning("keys of organizer %s destroyed (%d keys)", account_id, destroyed)
    return destroyed


def pending_retirement(connection: sa.Connection, provider: StaticKeyProvider) -> int | None:
    """The newest master version a shred still needs retired, while it or an older one remains; else None."""
    through = connection.execute(
        sa.select(sa.func.max(data_keys.c.master_version)).where(data_keys.c.wrapped.is_(None))
    ).scalar()
    if through is None or not any(version <= through for version in provider.versions()):
        return None
    return through


def finish_shredding() -> Retirement:
    """Retire every master version that wrapped a destroyed key: one rotation however many were destroyed.

    Does nothing when nothing is pending. Failures (keys from MASTER_KEY, a concurrent rotation, a key that a
    concurrent writer wrapped under an old version) become warnings; the marker stays, and the next call (the
    next `flask retention run`, `flask keys shred` or `flask keys rotate-master`) finishes the work.
    """
    result = Retirement()
    provider = ring().provider
    try:
        provider.reload()
        through = pending_retirement(db.session.connection(), provider)
        if through is None:
            return result
        target = provider.current_version()
        if target <= through:
            target = provider.add_version()  # else a run that died after adding it is resumed
        rewrap_all(target)
        result.master_version = target
        for version in [v for v in provider.versions() if v <= through]:
            retire_master(version)
            result.retired.append(version)
    except (MasterKeyError, DomainError) as exc:
        detail = exc.detail if isinstance(exc, DomainError) else str(exc)
        result.warnings.append(f"{COPIES_STAY_READABLE}: {detail}")
    if result.retired:
        log.warning(
            "master key versions %s retired after shredding; version %s wraps the remaining keys",
            ", ".join(map(str, result.retired)),
            result.master_version,
        )
    return result


def shred_account_keys(account_id: uuid.UUID) -> ShredResult:
    """Destroy one organizer's keys and retire the master versions that wrapped them (one rotation).

    Retiring those master versions is what makes a copy of the database taken before unreadable: the copy holds
    the organizer's keys only wrapped by master key versions that no longer exist.
    """
    destroyed = tombstone_account_keys(account_id)
    retirement = finish_shredding()
    return ShredResult(
        destroyed=destroyed,
        master_version=retirement.master_version,
        retired=retirement.retired,
        warnings=retirement.warnings,
    )
