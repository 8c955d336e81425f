"""Start-up and first-use checks: never run, and never generate a key, over encrypted data the keys cannot open."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask

from processor.config import ConfigurationError, is_development
from processor.keys.models import data_keys, wrap_aad
from processor.keys.providers import FileKeyProvider, MasterKeyError, StaticKeyProvider

log = logging.getLogger(__name__)


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


def check_at_start(app: Flask, provider: StaticKeyProvider) -> bool:
    """Generate a development key over an empty database; otherwise refuse to start on missing or wrong keys."""
    from processor.extensions import db

    with app.app_context():
        try:
            with db.engine.connect() as connection:
                if (
                    isinstance(provider, FileKeyProvider)
                    and not provider.exists()
                    and is_development(app)
                    and not encrypted_data_exists(connection)
                ):
                    provider.generate()
                verified = verify_master_keys(connection, provider)
                if verified:
                    _warn_pending_retirement(connection, provider)
                return verified
        except MasterKeyError as exc:
            db.engine.dispose()  # the app is never returned: close its pool now
            raise ConfigurationError(f"Refusing to start: {exc}") from None


def _warn_pending_retirement(connection: sa.Connection, provider: StaticKeyProvider) -> None:
    """Say so when shredded keys still have a master version that could open them in an older database copy.

    Not finished here: every worker and every `flask` command starts the app, and rotating the master key is
    one operator's job (`flask retention run`, `flask keys rotate-master` or `flask keys shred` finish it).
    """
    from processor.keys.shredding import pending_retirement

    through = pending_retirement(connection, provider)
    if through is not None:
        log.warning(
            "Shredded organizer keys may still open in database copies taken before: master key "
            "versions up to %d must be retired; run `flask retention run` or `flask keys rotate-master`.",
            through,
        )
