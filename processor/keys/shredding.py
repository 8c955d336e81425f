"""Crypto-shredding: destroy an organizer's keys so that none of its fields can be decrypted again, anywhere."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa

from processor.db_types import utcnow
from processor.errors import DomainError
from processor.extensions import db
from processor.keys.models import FIELDS, data_keys
from processor.keys.providers import MasterKeyError
from processor.keys.ring import ring
from processor.keys.rotation import retire_master, rewrap_all, start_master_rotation

log = logging.getLogger(__name__)


@dataclass
class ShredResult:
    destroyed: int
    master_version: int | None = None
    retired: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def shred_account_keys(account_id: uuid.UUID) -> ShredResult:
    """Destroy the organizer's data keys (a tombstone stays) and retire the master versions that wrapped them.

    Retiring those master versions is what makes a copy of the database taken before unreadable: the copy holds
    the organizer's keys only wrapped by master key versions that no longer exist.
    """
    now = utcnow()
    destroyed = db.session.execute(
        sa.update(data_keys).where(data_keys.c.account_id == account_id, data_keys.c.wrapped.is_not(None))
        .values(wrapped=None, master_version=None, destroyed_at=now)).rowcount
    if not db.session.scalar(sa.select(sa.func.count()).select_from(data_keys)
                             .where(data_keys.c.account_id == account_id)):
        # No keys yet: leave the tombstone anyway, so none are ever created for this organizer.
        db.session.execute(sa.insert(data_keys).values(account_id=account_id, purpose=FIELDS, version=1,
                                                       created_at=now, destroyed_at=now))
    db.session.commit()
    ring().forget(account_id)
    log.warning("keys of organizer %s destroyed (%d keys)", account_id, destroyed)
    result = ShredResult(destroyed=destroyed)
    try:
        old_versions = ring().provider.versions()
        result.master_version, _ = start_master_rotation(new_version=True)
        rewrap_all(result.master_version)
        for version in old_versions:
            retire_master(version)
            result.retired.append(version)
    except (MasterKeyError, DomainError) as exc:
        detail = exc.detail if isinstance(exc, DomainError) else str(exc)
        result.warnings.append(f"The organizer's keys are destroyed in the database, but copies of the database "
                               f"taken before stay decryptable until the old master key versions are retired: "
                               f"{detail}")
    return result
