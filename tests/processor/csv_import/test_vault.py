"""Encrypted temporary files: round trip, no plaintext on disk, tampering and truncation detected."""

from __future__ import annotations

import pytest

from processor.csv_import import vault


def test_round_trip_of_a_multi_chunk_file_without_plaintext_on_disk(tmp_path):
    key, path = vault.new_key(), tmp_path / "upload.bin"
    data = ("Zażółć gęślą jaźń;secret@example.com\n" * 10000).encode()
    with vault.create_encrypted(path, key) as out:
        out.write(data)
    assert b"secret@example.com" not in path.read_bytes()
    assert path.stat().st_mode & 0o777 == 0o600
    with vault.open_encrypted(path, key) as stream:
        assert stream.read() == data


@pytest.mark.parametrize("damage", ["truncate", "flip", "wrong_key"])
def test_damaged_truncated_or_foreign_files_are_refused(tmp_path, damage):
    key, path = vault.new_key(), tmp_path / "upload.bin"
    with vault.create_encrypted(path, key) as out:
        out.write(b"x" * (vault.CHUNK * 2 + 10))
    blob = bytearray(path.read_bytes())
    if damage == "truncate":
        path.write_bytes(blob[: len(blob) // 2 + 100])
    elif damage == "flip":
        blob[100] ^= 1
        path.write_bytes(bytes(blob))
    else:
        key = vault.new_key()
    with pytest.raises(vault.VaultError), vault.open_encrypted(path, key) as stream:
        stream.read()
