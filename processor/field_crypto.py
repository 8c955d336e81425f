"""The encrypted field format and the blind index.

A stored field is `format (1 byte) | key version (4 bytes) | nonce (12 bytes) | AES-256-GCM ciphertext+tag`.
The associated data is the 5-byte header, the organizer id, `table|column` and the row id, so a ciphertext
copied to another organizer, table, column or row fails its integrity check instead of decrypting.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import struct
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from processor.exceptions import DomainError

log = logging.getLogger(__name__)

FORMAT_PLAIN = 0  # benchmark baseline only; refused when reading in normal operation
FORMAT_AES_GCM = 1
HEADER = struct.Struct(">BI")
NONCE_BYTES = 12
_NONCE_END = HEADER.size + NONCE_BYTES


class CiphertextIntegrityError(DomainError):
    """A stored value failed its integrity check: tampered, moved, or not ours. Logged without plaintext."""

    status = 500
    slug = "integrity-check-failed"
    title = "Stored data failed its integrity check"

    def __init__(self, table: str, column: str, row_id: uuid.UUID):
        incident = uuid.uuid4().hex[:12]
        log.error("incident %s: integrity check failed for %s.%s of row %s", incident, table, column, row_id)
        super().__init__(
            f"A stored value could not be read (incident {incident}). Quote the incident id when "
            "you contact support; other records are unaffected.",
            extra={"incident": incident},
        )


def row_mac(
    key: bytes, registry_id: bytes, row_id: bytes, revision: int, index: bytes, cells: tuple[bytes | None, ...]
) -> bytes:
    """HMAC-SHA256 binding a participant row together: its registry, id, revision, blind index and every field's
    ciphertext or its absence.

    The message is fixed-size parts, then every length (-1 for NULL) in one struct, then the bytes: no two rows
    share an encoding, and it costs one struct call, one join and one HMAC per row. The fields' AES-GCM already
    binds each cell to its organizer, column and row; this adds what a cell cannot know: which registry the row is
    in, which index points at it, which cells are NULL, and which revision each cell belongs to. A whole row put
    back as an older complete version (all cells, revision and MAC) still verifies: nothing inside the row can
    tell that it is not the newest one.
    """
    return row_authenticator(key)(registry_id, row_id, revision, index, cells)


def row_authenticator(key: bytes) -> Callable[[bytes, bytes, int, bytes, tuple[bytes | None, ...]], bytes]:
    """`row_mac` under one key, for many rows: the HMAC is keyed once and copied per row, which takes half the
    time of a one-shot `hmac.digest` (that one sets the key up again on every call)."""
    keyed = hmac.new(key, digestmod=hashlib.sha256).copy

    def mac(registry_id: bytes, row_id: bytes, revision: int, index: bytes, cells: tuple[bytes | None, ...]) -> bytes:
        lengths = _lengths(len(cells)).pack(revision, len(index), *[-1 if c is None else len(c) for c in cells])
        one = keyed()
        one.update(b"".join((registry_id, row_id, lengths, index, *filter(None, cells))))
        return one.digest()

    return mac


_LENGTHS: dict[int, struct.Struct] = {}


def _lengths(count: int) -> struct.Struct:
    try:
        return _LENGTHS[count]
    except KeyError:
        return _LENGTHS.setdefault(count, struct.Struct(f">QH{count}i"))


def derive_subkey(root: bytes, purpose: bytes, account_id: uuid.UUID, version: int) -> bytes:
    """Derive a 256-bit subkey for one purpose from an organizer's random data key (HKDF-SHA256)."""
    info = b"processor/" + purpose + b"/" + account_id.bytes + version.to_bytes(4, "big")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(root)


def key_version_of(blob: bytes) -> int:
    return HEADER.unpack_from(blob)[1]


class _RandomPool:
    """Fresh random values of `size` bytes from the OS CSPRNG, drawn in blocks: one getrandom() call per 1,024.

    Each value is handed out once. `deque.popleft` is atomic, so threads never share one; the pool is emptied in
    a forked child, so two processes never draw the same pre-generated values.
    """

    BLOCK = 1024

    def __init__(self, size: int):
        self.size = size
        self._pool: deque[bytes] = deque()
        os.register_at_fork(after_in_child=self._pool.clear)

    def take(self) -> bytes:
        try:
            return self._pool.popleft()
        except IndexError:
            size = self.size
            block = os.urandom(size * self.BLOCK)
            self._pool.extend(block[i : i + size] for i in range(size, len(block), size))
            return block[:size]


_nonces = _RandomPool(NONCE_BYTES)
_row_ids = _RandomPool(16)


def new_row_id_bytes() -> bytes:
    """The 16 bytes of a new time-ordered UUID (version 7, RFC 9562) for a row: the Unix time in milliseconds, then
    74 random bits, without a system call per row nor a UUID object the bulk path does not need.

    Time-ordered, because every index of the participants table that holds the id (the primary key, the
    registry's paging and rotation indexes) then grows at its end: a 200,000-row import writes each B-tree
    sequentially instead of at random pages, a third less of the insert's CPU on SQLite (random UUIDs scatter
    index writes on PostgreSQL the same way). The time an id shows is the row's `created_at`, which the row
    stores anyway; the 74 random bits keep ids unguessable and unique across processes.
    """
    raw = bytearray(_row_ids.take())
    raw[:6] = (time.time_ns() // 1_000_000).to_bytes(6, "big")
    raw[6] = raw[6] & 0x0F | 0x70  # version 7
    raw[8] = raw[8] & 0x3F | 0x80  # variant RFC 4122 (RFC 9562)
    return bytes(raw)


class FieldCipher:
    """Encrypt and decrypt one organizer's fields under one data-key version (AES-256-GCM, random nonces).

    `place` is the column's associated-data bytes (see `place()`); `row` is the row id's 16 bytes.
    """

    __slots__ = ("_aads", "_aead", "_header", "_key", "_prefix", "account_id", "version")

    def __init__(self, account_id: uuid.UUID, version: int, key: bytes):
        self.account_id = account_id
        self.version = version
        self._key = key
        self._aead = AESGCM(key)
        self._header = HEADER.pack(FORMAT_AES_GCM, version)
        self._prefix = self._header + account_id.bytes
        self._aads: dict[tuple[bytes, ...], tuple[bytes, ...]] = {}  # places -> the associated data before the row

    def encrypt(self, value: str, place: bytes, row: bytes) -> bytes:
        nonce = _nonces.take()
        return self._header + nonce + self._aead.encrypt(nonce, value.encode(), self._prefix + place + row)

    def encrypt_each(
        self, texts: Iterable[str | None], places: tuple[bytes, ...], row: bytes
    ) -> tuple[bytes | None, ...]:
        """`encrypt` each text of one row at the place in the same position, None staying None: the bulk path,
        set up once per row (the associated data up to the row id once per set of places)."""
        aads = self._aads.get(places)
        if aads is None:
            aads = self._aads[places] = tuple(self._prefix + place for place in places)
        header, seal, take = self._header, self._aead.encrypt, _nonces.take
        out = []
        for text, aad in zip(texts, aads, strict=True):
            if text is None:
                out.append(None)
            else:
                nonce = take()
                out.append(header + nonce + seal(nonce, text.encode(), aad + row))
        return tuple(out)

    def decrypt(self, blob: bytes, place: bytes, row: bytes) -> str:
        # The header is part of the associated data: a ciphertext relabelled with another version fails.
        if blob[: HEADER.size] != self._header:
            raise InvalidTag
        aad = self._prefix + place + row
        return self._aead.decrypt(blob[HEADER.size : _NONCE_END], blob[_NONCE_END:], aad).decode()


@dataclass(frozen=True)
class SealingKeys:
    """What a bulk import's worker processes need to seal rows for one organizer: its current write key and its
    blind-index key (both derived subkeys, never the wrapped data keys or the master key).

    They travel only to the import's own worker processes, over their local pipes, and live there for the
    import; `repr` shows no key. Both are None in the plaintext benchmark baseline.
    """

    account_id: uuid.UUID
    version: int
    field_key: bytes | None = field(repr=False)
    index_key: bytes | None = field(repr=False)
    mac_key: bytes | None = field(repr=False, default=None)
    registry_id: uuid.UUID | None = None  # the registry new rows go into (their MAC names it)

    @classmethod
    def of(cls, cipher: FieldCipher | PlainCipher, index_key: bytes | None, mac_key: bytes | None) -> SealingKeys:
        if isinstance(cipher, PlainCipher):
            return cls(uuid.UUID(int=0), 0, None, None)
        return cls(cipher.account_id, cipher.version, cipher._key, index_key, mac_key)

    def signer(self, registry_id: uuid.UUID | None = None) -> Callable[[bytes, bytes, tuple], bytes | None]:
        """The row MAC of a new row (revision 1) in the registry: (row id, blind index, cells) -> MAC."""
        if self.mac_key is None:
            return lambda row, index, cells: None
        mac, registry = row_authenticator(self.mac_key), (registry_id or self.registry_id).bytes
        return lambda row, index, cells: mac(registry, row, 1, index, cells)

    def cipher(self) -> FieldCipher | PlainCipher:
        return PlainCipher() if self.field_key is None else FieldCipher(self.account_id, self.version, self.field_key)

    def indexer(self) -> Callable[[str], bytes]:
        return blind_indexer(self.index_key)


class PlainCipher:
    """The benchmark baseline: the same code path storing UTF-8 behind a plain header."""

    __slots__ = ("version",)
    header = HEADER.pack(FORMAT_PLAIN, 0)

    def __init__(self):
        self.version = 0

    def encrypt(self, value: str, place: bytes, row: bytes) -> bytes:
        return self.header + value.encode()

    def encrypt_each(
        self, texts: Iterable[str | None], places: tuple[bytes, ...], row: bytes
    ) -> tuple[bytes | None, ...]:
        return tuple(
            None if text is None else self.encrypt(text, place, row) for text, place in zip(texts, places, strict=True)
        )

    def decrypt(self, blob: bytes, place: bytes, row: bytes) -> str:
        return blob[HEADER.size :].decode()


_PLACES: dict[tuple[str, str], bytes] = {}


def place(table: str, column: str) -> bytes:
    """The associated-data bytes naming a column; cached so the hot path formats nothing."""
    try:
        return _PLACES[table, column]
    except KeyError:
        # Each part length-prefixed, so `a|b` + `c` can never equal `a` + `b|c`.
        encoded = b"".join(len(part).to_bytes(2, "big") + part for part in (table.encode(), column.encode()))
        return _PLACES.setdefault((table, column), encoded)


def blind_index(index_key: bytes | None, index_form: str) -> bytes:
    """HMAC-SHA256 of an email's canonical form under the organizer's index subkey (no key: the plaintext
    benchmark baseline, which stores the form itself)."""
    if index_key is None:
        return index_form.encode()
    return hmac.digest(index_key, index_form.encode(), "sha256")


def blind_indexer(index_key: bytes | None) -> Callable[[str], bytes]:
    """`blind_index` under one key, with the key's HMAC set up once: the same digests, cheaper each (bulk paths)."""
    if index_key is None:
        return str.encode
    keyed = hmac.new(index_key, digestmod="sha256")

    def index(index_form: str) -> bytes:
        mac = keyed.copy()
        mac.update(index_form.encode())
        return mac.digest()

    return index
