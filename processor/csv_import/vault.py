"""Encrypted temporary files for uploads and error reports: they hold personal data, so never plaintext on disk.

A file is a sequence of chunks `length (4 bytes) | nonce (12) | AES-256-GCM ciphertext`, each bound by its
associated data to the file's name, its position and whether it is the last one, so chunks cannot be reordered,
dropped or the file cut short unnoticed. The key is random per import and kept in the import's database row;
clearing it (after commit or discard) makes any copy of the file (a backup of instance/) unreadable.
"""

from __future__ import annotations

import io
import os
import secrets
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from processor.errors import Conflict

CHUNK = 1 << 16
_LENGTH = struct.Struct(">I")


class VaultError(Conflict):
    """An encrypted file is damaged, cut short or not ours."""

    def __init__(self, reason: str):
        super().__init__(f"The stored upload cannot be read ({reason}); upload the file again.")


def new_key() -> bytes:
    return secrets.token_bytes(32)


def _aad(name: str, number: int, last: bool) -> bytes:
    return f"{name}|{number}|{int(last)}".encode()


class EncryptedWriter(io.RawIOBase):
    """A write-only binary stream that encrypts into `path` (mode 0600); close() seals the last chunk."""

    def __init__(self, path: Path, key: bytes):
        super().__init__()
        self._aead, self._name, self._number, self._buffer = AESGCM(key), path.name, 0, bytearray()
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(descriptor, "wb")

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        nonce = secrets.token_bytes(12)
        sealed = nonce + self._aead.encrypt(nonce, plain, _aad(self._name, self._number, last))
        self._file.write(_LENGTH.pack(len(sealed)) + sealed)
        self._number += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._file.close()
        super().close()


class EncryptedReader(io.RawIOBase):
    """A read-only binary stream over an encrypted file; a damaged or truncated file raises VaultError."""

    def __init__(self, path: Path, key: bytes):
        super().__init__()
        self._aead, self._name, self._number = AESGCM(key), path.name, 0
        self._file = path.open("rb")
        self._plain, self._done = b"", False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._plain and not self._done:
            self._plain = self._next_chunk()
        size = min(len(buffer), len(self._plain))
        buffer[:size] = self._plain[:size]
        self._plain = self._plain[size:]
        return size

    def _next_chunk(self) -> bytes:
        length = self._file.read(_LENGTH.size)
        if len(length) != _LENGTH.size:
            raise VaultError("the encrypted file is cut short")
        sealed = self._file.read(_LENGTH.unpack(length)[0])
        last = not self._file.peek(1) if hasattr(self._file, "peek") else False
        try:
            plain = self._aead.decrypt(sealed[:12], sealed[12:], _aad(self._name, self._number, last))
        except InvalidTag:
            raise VaultError("the encrypted file is damaged or not ours") from None
        self._number += 1
        self._done = last
        return plain

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def open_encrypted(path: Path, key: bytes) -> io.BufferedReader:
    return io.BufferedReader(EncryptedReader(path, key), buffer_size=CHUNK)


def create_encrypted(path: Path, key: bytes) -> io.BufferedWriter:
    return io.BufferedWriter(EncryptedWriter(path, key), buffer_size=CHUNK)
