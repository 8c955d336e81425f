"""Master-key providers: the small interface a KMS or Vault can stand in for, and the file/env providers."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from processor.secret_files import create_once

KEY_BYTES = 32
NONCE_BYTES = 12


class MasterKeyError(RuntimeError):
    """The master keys are missing, malformed, wrong, or cannot be changed where they are kept."""


class KeyProvider(Protocol):
    """Wraps and unwraps data keys under versioned master keys it never hands out."""

    source: str

    def versions(self) -> list[int]: ...

    def current_version(self) -> int: ...

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[int, bytes]: ...

    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes: ...

    def add_version(self) -> int: ...

    def remove_version(self, version: int) -> None: ...

    def reload(self) -> None: ...


def parse_keys(text: str, source: str) -> dict[int, bytes]:
    """Read `VERSION:BASE64` entries (lines or commas; `#` comments); a bare base64 key is version 1."""
    keys = {}
    entries = [e.strip() for line in text.splitlines() for e in line.split("#", 1)[0].split(",")]
    for entry in filter(None, entries):
        version_text, _, encoded = entry.rpartition(":")
        try:
            version = int(version_text) if version_text else 1
            key = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            raise MasterKeyError(f"{source}: an entry is not VERSION:BASE64 (32 random bytes).") from None
        if len(key) != KEY_BYTES or version < 1:
            raise MasterKeyError(f"{source}: master key version {version} must be 32 bytes, version >= 1.")
        if version in keys:
            raise MasterKeyError(f"{source}: master key version {version} appears twice.")
        keys[version] = key
    return keys


def format_keys(keys: dict[int, bytes]) -> str:
    lines = [
        "# Master keys, VERSION:BASE64 of 32 random bytes. The highest version wraps new data keys.",
        "# Back this file up apart from the database. Never edit a key; retire versions with the CLI.",
    ]
    lines += [f"{v}:{base64.b64encode(keys[v]).decode()}" for v in sorted(keys)]
    return "\n".join(lines) + "\n"


class StaticKeyProvider:
    """Master keys held in memory; wrapping is AES-256-GCM with the caller's associated data."""

    def __init__(self, keys: dict[int, bytes], source: str = "MASTER_KEY"):
        self.source = source
        self._keys = dict(keys)
        self._aeads = {v: AESGCM(k) for v, k in self._keys.items()}

    def versions(self) -> list[int]:
        return sorted(self._keys)

    def current_version(self) -> int:
        if not self._keys:
            raise MasterKeyError(
                f"No master key is configured ({self.source}): set MASTER_KEY or create the "
                "key file (APP_ENV=development generates one when no encrypted data exists)."
            )
        return max(self._keys)

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[int, bytes]:
        version = self.current_version()
        nonce = os.urandom(NONCE_BYTES)
        return version, nonce + self._aeads[version].encrypt(nonce, data_key, aad)

    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes:
        if version not in self._aeads:
            self.reload()
        if version not in self._aeads:
            raise MasterKeyError(
                f"Master key version {version} is not in {self.source}; data keys wrapped by it "
                "cannot be opened. Restore that version (it was retired or the file is wrong)."
            )
        try:
            return self._aeads[version].decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except InvalidTag:
            raise MasterKeyError(
                f"Master key version {version} in {self.source} is not the key that wrapped the "
                "organizer keys: the key file or MASTER_KEY is wrong."
            ) from None

    def add_version(self) -> int:
        raise MasterKeyError(
            f"Master keys from {self.source} cannot be changed by the service: add a new "
            "VERSION:BASE64 entry there and restart."
        )

    def remove_version(self, version: int) -> None:
        raise MasterKeyError(
            f"Master keys from {self.source} cannot be changed by the service: remove version "
            f"{version} there and restart."
        )

    def reload(self) -> None:
        """Nothing to reload: the keys came from configuration."""

    def _replace(self, keys: dict[int, bytes]) -> None:
        self._keys = dict(keys)
        self._aeads = {v: AESGCM(k) for v, k in self._keys.items()}


class FileKeyProvider(StaticKeyProvider):
    """Master keys in a 0600 file (instance/master.keys); new versions are appended by `flask keys`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        super().__init__({}, source=f"key file {self.path}")
        self.reload()

    def exists(self) -> bool:
        return self.path.exists()

    def _stamp(self) -> int | None:
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def reload(self) -> None:
        self._stamp_seen = self._stamp()
        self._replace(parse_keys(self.path.read_text(), self.source) if self._stamp_seen is not None else {})

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[int, bytes]:
        # Another process (`flask keys rotate-master`) may have added a version: new keys go under the newest.
        if self._stamp() != self._stamp_seen:
            self.reload()
        return super().wrap(data_key, aad)

    def generate(self, *, exists_ok: bool = False) -> int:
        """Create the key file with a first random master key; never overwrite an existing one (refused, or with
        `exists_ok` the one another process created a moment ago is used)."""
        created = not self.path.exists() and create_once(
            self.path, format_keys({1: secrets.token_bytes(KEY_BYTES)}).encode()
        )
        if not created and not exists_ok:
            raise MasterKeyError(f"{self.source} exists; it is never overwritten.")
        self.reload()
        return self.current_version()

    def add_version(self) -> int:
        self.reload()
        keys = dict(self._keys)
        version = max(keys, default=0) + 1
        keys[version] = secrets.token_bytes(KEY_BYTES)
        self._write(keys)
        return version

    def remove_version(self, version: int) -> None:
        self.reload()
        keys = {v: k for v, k in self._keys.items() if v != version}
        self._write(keys)

    def _write(self, keys: dict[int, bytes]) -> None:
        # Write a sibling file, then rename: a crash never leaves a half-written key file.
        temporary = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(format_keys(keys))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        self._replace(keys)


def provider_for(config: dict) -> StaticKeyProvider:
    """MASTER_KEY (environment or config) wins over the key file."""
    if config.get("MASTER_KEY"):
        return StaticKeyProvider(parse_keys(config["MASTER_KEY"], "MASTER_KEY"), source="MASTER_KEY")
    return FileKeyProvider(config["MASTER_KEY_FILE"])


AUDIT_KEY_FILE = "audit_chain.key"


def audit_chain_key(config: dict, instance_path: str, *, create: bool) -> bytes | None:
    """The access log's chain key: AUDIT_CHAIN_KEY (base64 of 32 bytes, environment or config) or the 0600 file
    instance/audit_chain.key, created when `create` (development and testing). Never in the database, so someone
    who can rewrite the log's tables cannot recompute its MACs. None when missing in production: the service
    starts, and every access-log append (so every use of participant data) refuses until it is installed."""
    configured = config.get("AUDIT_CHAIN_KEY")
    if configured:
        key = base64.b64decode(configured)
        if len(key) != KEY_BYTES:
            raise MasterKeyError("AUDIT_CHAIN_KEY must be the base64 of 32 random bytes.")
        return key
    path = Path(config.get("AUDIT_CHAIN_KEY_FILE") or Path(instance_path) / AUDIT_KEY_FILE)
    if not path.exists():
        if not create:
            return None
        create_once(path, base64.b64encode(os.urandom(KEY_BYTES)) + b"\n")  # or another process just did
    key = base64.b64decode(path.read_text().strip())
    if len(key) != KEY_BYTES:
        raise MasterKeyError(f"{path.name} must hold the base64 of 32 random bytes.")
    return key
