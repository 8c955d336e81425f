"""Envelope keys: versioned master keys (a provider) wrap one random data key per organizer."""

from __future__ import annotations

from flask import Flask

from processor.config import ConfigurationError


def init_app(app: Flask) -> None:
    """Build the key ring from MASTER_KEY or the key file, and check it against the data at start-up."""
    from processor.config import is_development
    from processor.keys.check import check_at_start
    from processor.keys.providers import MasterKeyError, audit_chain_key, provider_for
    from processor.keys.ring import KeyRing

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
