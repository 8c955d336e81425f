"""Envelope keys: versioned master keys (a provider) wrap one random data key per organizer.

This module wires the keys into the app at start-up; `check.py` holds the verification it (and the ring on first
use) relies on, so no module of the package imports back up into another that imports it.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask

from processor.config import ConfigurationError, is_development
from processor.extensions import db
from processor.keys import check
from processor.keys.providers import (
    FileKeyProvider,
    MasterKeyError,
    StaticKeyProvider,
    audit_chain_key,
    provider_for,
)
from processor.keys.ring import KeyRing
from processor.keys.shredding import pending_retirement

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Build the key ring from MASTER_KEY or the key file, and check it against the data at start-up."""
    plaintext = bool(app.config.get("BENCH_PLAINTEXT"))
    if plaintext and app.config.get("APP_ENV") == "production":
        raise ConfigurationError(
            "BENCH_PLAINTEXT stores participant data unencrypted: it is for benchmarks only and refused in production."
        )
    bare = bool(app.config.get("BENCH_GATE_BARE"))
    if bare and app.config.get("APP_ENV") == "production":
        raise ConfigurationError(
            "BENCH_GATE_BARE skips row verification and access logging: it is for benchmarks only and refused "
            "in production."
        )
    try:
        provider = provider_for(app.config)
        app.extensions["audit_chain_key"] = audit_chain_key(app.config, app.instance_path, create=is_development(app))
    except MasterKeyError as exc:
        raise ConfigurationError(f"Refusing to start: {exc}") from None
    key_ring = KeyRing(provider, plaintext=plaintext, bare=bare)
    app.extensions["key_ring"] = key_ring
    key_ring.verified = check_at_start(app, provider)
    # circle: keys.cli imports accounts and registries, whose modules import processor.keys back; at the top they
    # would run against a half-initialised package on any import of one of its modules.
    from processor.keys import cli

    app.cli.add_command(cli.keys)


def check_at_start(app: Flask, provider: StaticKeyProvider) -> bool:
    """Generate a development key over an empty database; otherwise refuse to start on missing or wrong keys."""
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                if (
                    isinstance(provider, FileKeyProvider)
                    and not provider.versions()  # no file when it was read (another process may write it now)
                    and is_development(app)
                    and not check.encrypted_data_exists(connection)
                ):
                    provider.generate(exists_ok=True)  # the web server and a worker may start together
                verified = check.verify_master_keys(connection, provider)
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
    through = pending_retirement(connection, provider)
    if through is not None:
        log.warning(
            "Shredded organizer keys may still open in database copies taken before: master key "
            "versions up to %d must be retired; run `flask retention run` or `flask keys rotate-master`.",
            through,
        )
