"""Verify master keys against the data: never run, or generate a key, over encrypted data the keys cannot open."""

from __future__ import annotations

import sqlalchemy as sa

from processor.keys.models import data_keys, wrap_aad
from processor.keys.providers import MasterKeyError, StaticKeyProvider


def encrypted_data_exists(connection: sa.Connection) -> bool:
    if not sa.inspect(connection).has_table(data_keys.name):
        return False
    return connection.execute(sa.select(data_keys.c.id).limit(1)).first() is not None


def verify_master_keys(connection: sa.Connection, provider: StaticKeyProvider) -> bool:
    """Unwrap one data key per master version in use; raise MasterKeyError saying what is wrong.

    Returns False when the schema is not migrated yet (so `flask db upgrade` can run): check again on first use.
    """
    if not sa.inspect(connection).has_table(data_keys.name):
        return False
    firsts = (
        connection.execute(
            sa.select(sa.func.min(data_keys.c.id))
            .where(data_keys.c.wrapped.is_not(None))
            .group_by(data_keys.c.master_version)
        )
        .scalars()
        .all()
    )
    if firsts and not provider.versions():
        raise MasterKeyError(
            f"Encrypted data exists but no master key is configured ({provider.source} is "
            "missing or empty). Restore the key file or MASTER_KEY; a new key would not open it."
        )
    rows = (
        connection.execute(
            sa.select(
                data_keys.c.account_id,
                data_keys.c.purpose,
                data_keys.c.version,
                data_keys.c.master_version,
                data_keys.c.wrapped,
            ).where(data_keys.c.id.in_(firsts))
        )
        if firsts
        else []
    )
    for account_id, purpose, version, master_version, wrapped in rows:
        provider.unwrap(master_version, wrapped, wrap_aad(account_id, purpose, version))
    return True
