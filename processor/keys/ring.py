"""The key ring: unwraps organizer keys once, derives their subkeys once, and caches the cipher objects."""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from flask import current_app

from processor.db_types import utcnow
from processor.errors import DomainError
from processor.field_crypto import (
    FORMAT_AES_GCM,
    FORMAT_PLAIN,
    HEADER,
    CiphertextIntegrityError,
    FieldCipher,
    PlainCipher,
    SealingKeys,
    blind_index,
    derive_subkey,
    place,
    row_authenticator,
)
from processor.keys.check import verify_master_keys
from processor.keys.models import FIELDS, INDEX, data_keys, wrap_aad
from processor.keys.providers import KEY_BYTES, MasterKeyError, StaticKeyProvider


class KeysShredded(DomainError):
    status = 410
    slug = "keys-shredded"
    title = "Data destroyed"

    def __init__(self):
        super().__init__("This organizer's keys were destroyed: its participant data can no longer be read or written.")


class KeysUnavailable(DomainError):
    status = 500
    slug = "keys-unavailable"
    title = "Encryption keys unavailable"


class NoAccountKeys(DomainError):
    status = 500
    slug = "keys-missing"
    title = "Encryption keys missing"


class AccountKeys:
    """One organizer's keys for one unit of work: the write cipher, readers by version, the index key."""

    def __init__(self, ring: KeyRing, account_id: uuid.UUID, rows: dict[tuple[str, int], tuple[int, bytes]]):
        self.ring = ring
        self.account_id = account_id
        self._rows = rows
        self._by_header: dict[bytes, FieldCipher | PlainCipher] = {}
        versions = [v for purpose, v in rows if purpose == FIELDS]
        self.write = PlainCipher() if ring.plaintext else self.reader(max(versions))
        self._index_key = None if ring.plaintext else ring.index_key(account_id, rows[INDEX, 1])
        self.mac_key = None if ring.plaintext or ring.bare else ring.mac_key(account_id, rows[INDEX, 1])
        self._row_mac = None if self.mac_key is None else row_authenticator(self.mac_key)

    def reader(self, version: int) -> FieldCipher:
        row = self._rows.get((FIELDS, version))
        if row is None:
            raise KeyError(version)
        return self.ring.field_cipher(self.account_id, version, row)

    def index(self, index_form: str) -> bytes:
        return blind_index(self._index_key, index_form)

    def sealing_keys(self) -> SealingKeys:
        """The write and index subkeys, for a bulk import's worker processes (see SealingKeys)."""
        return SealingKeys.of(self.write, self._index_key, self.mac_key)

    def row_mac(self, registry_id: uuid.UUID, row_id: uuid.UUID, revision: int, index: bytes, cells) -> bytes | None:
        """The row's authenticator (None in the plaintext benchmark baseline)."""
        if self._row_mac is None:
            return None
        return self._row_mac(registry_id.bytes, row_id.bytes, revision, index, cells)

    def encrypt(self, value: str, place: bytes, row_id: uuid.UUID) -> bytes:
        return self.write.encrypt(value, place, row_id.bytes)

    def decrypt(self, blob: bytes, table: str, column: str, row_id: uuid.UUID, row: bytes | None = None) -> str:
        """Decrypt with the key version the header names; anything that does not verify raises, loudly."""
        cipher = self._by_header.get(blob[: HEADER.size]) or self._cipher_for(blob)
        if cipher is None:
            raise CiphertextIntegrityError(table, column, row_id)
        try:
            return cipher.decrypt(blob, place(table, column), row or row_id.bytes)
        except (InvalidTag, ValueError):
            raise CiphertextIntegrityError(table, column, row_id) from None

    def decrypt_cells(self, table: str, row, fields) -> dict:
        """`decrypt` each of these fields of one row (None stays None): a read's hot path, set up once per row."""
        row_id = row.id
        row_bytes, known, out = row_id.bytes, self._by_header, {}
        for column in fields:
            blob = getattr(row, column)
            if blob is None:
                out[column] = None
                continue
            cipher = known.get(blob[: HEADER.size]) or self._cipher_for(blob)
            if cipher is None:
                raise CiphertextIntegrityError(table, column, row_id)
            try:
                out[column] = cipher.decrypt(blob, place(table, column), row_bytes)
            except (InvalidTag, ValueError):
                raise CiphertextIntegrityError(table, column, row_id) from None
        return out

    def _cipher_for(self, blob: bytes):
        """The cipher the header names, remembered per header; None for a format or version that is not ours."""
        if len(blob) < HEADER.size:
            return None
        fmt, version = HEADER.unpack_from(blob)
        cipher = None
        if fmt == FORMAT_AES_GCM and (FIELDS, version) in self._rows:
            cipher = self.reader(version)
        elif fmt == FORMAT_PLAIN and self.ring.plaintext:
            cipher = PlainCipher()
        if cipher is not None:
            self._by_header[blob[: HEADER.size]] = cipher
        return cipher


class KeyRing:
    """Per-app cache of cipher objects per (organizer, key version); the hot path derives nothing."""

    def __init__(self, provider: StaticKeyProvider, *, plaintext: bool = False, bare: bool = False):
        self.provider = provider
        self.plaintext = plaintext
        # Benchmark only (BENCH_GATE_BARE): no row MACs and no access log, to measure what the gate costs.
        self.bare = bare
        self._ciphers: dict[tuple[uuid.UUID, int], FieldCipher] = {}
        self._index_keys: dict[uuid.UUID, bytes] = {}
        self._mac_keys: dict[uuid.UUID, bytes] = {}
        self._lock = threading.Lock()
        self.verified = False

    def for_account(self, connection: sa.Connection, account_id: uuid.UUID) -> AccountKeys:
        """Load the organizer's key rows (one small query); refuse if they were shredded or never made."""
        if not self.verified:
            try:
                self.verified = verify_master_keys(connection, self.provider)
            except MasterKeyError as exc:
                raise KeysUnavailable(str(exc)) from None
        result = connection.execute(
            sa.select(data_keys.c.purpose, data_keys.c.version, data_keys.c.master_version, data_keys.c.wrapped).where(
                data_keys.c.account_id == account_id
            )
        )
        rows = {}
        for purpose, version, master_version, wrapped in result:
            if wrapped is None:
                self.forget(account_id)
                raise KeysShredded()
            rows[purpose, version] = (master_version, wrapped)
        if (INDEX, 1) not in rows or not any(p == FIELDS for p, _ in rows):
            raise NoAccountKeys("The organizer has no data keys yet; create a registry first.")
        return AccountKeys(self, account_id, rows)

    def field_cipher(self, account_id: uuid.UUID, version: int, row: tuple[int, bytes]) -> FieldCipher:
        cipher = self._ciphers.get((account_id, version))
        if cipher is None:
            root = self.unwrap(account_id, FIELDS, version, row)
            cipher = FieldCipher(account_id, version, derive_subkey(root, b"fields", account_id, version))
            with self._lock:
                self._ciphers[account_id, version] = cipher
        return cipher

    def mac_key(self, account_id: uuid.UUID, row: tuple[int, bytes]) -> bytes:
        """The organizer's row-MAC subkey, derived from its index key (version 1, like the index: never rotated
        with the field keys, so a rotation need not re-MAC rows it does not touch)."""
        key = self._mac_keys.get(account_id)
        if key is None:
            key = derive_subkey(self.unwrap(account_id, INDEX, 1, row), b"row-mac", account_id, 1)
            with self._lock:
                self._mac_keys[account_id] = key
        return key

    def index_key(self, account_id: uuid.UUID, row: tuple[int, bytes]) -> bytes:
        key = self._index_keys.get(account_id)
        if key is None:
            key = derive_subkey(self.unwrap(account_id, INDEX, 1, row), b"blind-index", account_id, 1)
            with self._lock:
                self._index_keys[account_id] = key
        return key

    def unwrap(self, account_id: uuid.UUID, purpose: str, version: int, row: tuple[int, bytes]) -> bytes:
        master_version, wrapped = row
        try:
            return self.provider.unwrap(master_version, wrapped, wrap_aad(account_id, purpose, version))
        except MasterKeyError as exc:
            raise KeysUnavailable(str(exc)) from None

    def wrap(self, account_id: uuid.UUID, purpose: str, version: int, key: bytes) -> tuple[int, bytes]:
        try:
            return self.provider.wrap(key, wrap_aad(account_id, purpose, version))
        except MasterKeyError as exc:
            raise KeysUnavailable(str(exc)) from None

    def new_key_row(self, account_id: uuid.UUID, purpose: str, version: int) -> dict:
        """A fresh random key, wrapped, as a data_keys row to insert."""
        master_version, wrapped = self.wrap(account_id, purpose, version, secrets.token_bytes(KEY_BYTES))
        return {
            "account_id": account_id,
            "purpose": purpose,
            "version": version,
            "master_version": master_version,
            "wrapped": wrapped,
            "created_at": utcnow(),
        }

    def forget_all(self) -> None:
        """Drop every cached key, so the next use unwraps afresh."""
        with self._lock:
            self._index_keys.clear()
            self._mac_keys.clear()
            self._ciphers.clear()

    def forget(self, account_id: uuid.UUID) -> None:
        """Drop an organizer's cached keys (after shredding)."""
        with self._lock:
            self._index_keys.pop(account_id, None)
            self._mac_keys.pop(account_id, None)
            for cached in [k for k in self._ciphers if k[0] == account_id]:
                del self._ciphers[cached]


def ring() -> KeyRing:
    return current_app.extensions["key_ring"]


def ensure_account_keys(connection: sa.Connection, account_id: uuid.UUID) -> None:
    """Create the organizer's first keys unless they exist; never re-create shredded ones."""
    existing = (
        connection.execute(sa.select(data_keys.c.wrapped).where(data_keys.c.account_id == account_id)).scalars().all()
    )
    if any(wrapped is None for wrapped in existing):
        raise KeysShredded()
    if existing:
        return
    key_ring = ring()
    connection.execute(
        sa.insert(data_keys), [key_ring.new_key_row(account_id, INDEX, 1), key_ring.new_key_row(account_id, FIELDS, 1)]
    )


def keys_for(connection: sa.Connection, account_id: uuid.UUID) -> AccountKeys:
    """The organizer's keys, readers included: for the gate (processor.access) only."""
    return ring().for_account(connection, account_id)


@dataclass(frozen=True)
class WriteKeys:
    """What writing needs and nothing that reads: the write cipher, the blind index, the import's subkeys."""

    write: FieldCipher | PlainCipher
    sealing: SealingKeys
    index: Callable[[str], bytes]
    row_mac: Callable[..., bytes | None]


def write_keys_for(connection: sa.Connection, account_id: uuid.UUID) -> WriteKeys:
    """The organizer's keys for sealing new values (registries, imports): they cannot decrypt a stored field."""
    keys = ring().for_account(connection, account_id)
    return WriteKeys(keys.write, keys.sealing_keys(), keys.index, keys.row_mac)
