"""The field format: AES-256-GCM bound to organizer, table, column and row; the blind index."""

from __future__ import annotations

import uuid

import pytest
from cryptography.exceptions import InvalidTag

from processor.field_crypto import FieldCipher, blind_index, blind_indexer, key_version_of, place

ORGANIZER, OTHER = uuid.uuid4(), uuid.uuid4()
ROW, OTHER_ROW = uuid.uuid4().bytes, uuid.uuid4().bytes
KEY = bytes(range(32))


def test_round_trip_carries_the_key_version_and_a_fresh_nonce():
    cipher = FieldCipher(ORGANIZER, 7, KEY)
    one, two = (cipher.encrypt("Zoë", place("participants", "first_name"), ROW) for _ in range(2))
    assert one != two
    assert key_version_of(one) == 7
    assert cipher.decrypt(one, place("participants", "first_name"), ROW) == "Zoë"


@pytest.mark.parametrize(
    ("owner", "table", "column", "row"),
    [
        (OTHER, "participants", "first_name", ROW),
        (ORGANIZER, "other_table", "first_name", ROW),
        (ORGANIZER, "participants", "last_name", ROW),
        (ORGANIZER, "participants", "first_name", OTHER_ROW),
    ],
)
def test_ciphertext_moved_anywhere_else_fails(owner, table, column, row):
    blob = FieldCipher(ORGANIZER, 1, KEY).encrypt("Zoë", place("participants", "first_name"), ROW)
    with pytest.raises(InvalidTag):
        FieldCipher(owner, 1, KEY).decrypt(blob, place(table, column), row)


def test_header_is_authenticated():
    cipher = FieldCipher(ORGANIZER, 1, KEY)
    blob = bytearray(cipher.encrypt("Zoë", place("participants", "email"), ROW))
    blob[4] = 2  # claim another key version
    with pytest.raises(InvalidTag):
        cipher.decrypt(bytes(blob), place("participants", "email"), ROW)


def test_places_cannot_collide_by_moving_the_separator():
    assert place("a|b", "c") != place("a", "b|c")


def test_blind_index_depends_on_key_and_value():
    assert blind_index(KEY, "a@example.org") == blind_index(KEY, "a@example.org")
    assert blind_index(KEY, "a@example.org") != blind_index(KEY[::-1], "a@example.org")
    assert len(blind_index(KEY, "a@example.org")) == 32


def test_the_bulk_indexer_gives_the_same_digests_as_the_blind_index():
    index = blind_indexer(KEY)
    forms = ["a@example.org", "zażółć@example.pl", "", "a@example.org"]
    assert [index(form) for form in forms] == [blind_index(KEY, form) for form in forms]
    assert blind_indexer(KEY[::-1])("a@example.org") == blind_index(KEY[::-1], "a@example.org")


def test_encrypting_a_row_at_once_reads_back_field_by_field():
    cipher, row = FieldCipher(ORGANIZER, 3, KEY), uuid.uuid4().bytes
    places = [place("t", "a"), place("t", "b"), place("t", "c")]
    blobs = cipher.encrypt_each(["Zofia", None, "Łucja"], tuple(places), row)
    assert blobs[1] is None and len(blobs) == 3
    assert cipher.decrypt(blobs[0], places[0], row) == "Zofia" and cipher.decrypt(blobs[2], places[2], row) == "Łucja"
    with pytest.raises(InvalidTag):  # each is bound to its own column
        cipher.decrypt(blobs[0], places[2], row)


def test_row_ids_are_version_7_uuids_never_repeated():
    from processor.field_crypto import new_row_id_bytes

    ids = [uuid.UUID(bytes=new_row_id_bytes()) for _ in range(3000)]  # more than one block of the pool
    assert {row_id.version for row_id in ids} == {7}
    assert {row_id.variant for row_id in ids} == {uuid.RFC_4122}
    assert len(set(ids)) == len(ids)


def test_row_ids_made_later_sort_after_earlier_ones(monkeypatch):
    # Indexes holding the id then grow at their end (see new_row_id_bytes); the random part still differs.
    from processor import field_crypto

    clock = iter([1_764_500_000_000_000_000 + step * 1_000_000 for step in range(50)])
    monkeypatch.setattr(field_crypto.time, "time_ns", lambda: next(clock))
    ids = [field_crypto.new_row_id_bytes() for _ in range(50)]
    assert ids == sorted(ids) and str(uuid.UUID(bytes=ids[0])) < str(uuid.UUID(bytes=ids[-1]))
    assert len({row_id[6:] for row_id in ids}) == 50


def test_the_row_mac_keyed_once_equals_the_one_shot_hmac_of_its_message():
    # Rows sealed before the keyed-once form must still verify: the message and the MAC are unchanged.
    import hashlib
    import hmac
    import struct

    from processor.field_crypto import row_authenticator, row_mac

    registry, row, index = uuid.uuid4().bytes, uuid.uuid4().bytes, b"i" * 32
    cells = (b"email-cell", None, b"", b"company-cell")
    lengths = struct.pack(">QH4i", 3, 32, 10, -1, 0, 12)
    expected = hmac.digest(KEY, registry + row + lengths + index + b"email-cell" + b"company-cell", hashlib.sha256)
    mac = row_authenticator(KEY)
    assert mac(registry, row, 3, index, cells) == expected == row_mac(KEY, registry, row, 3, index, cells)
    assert mac(registry, row, 4, index, cells) != expected  # the copy per row leaves the keyed state untouched
    assert mac(registry, row, 3, index, cells) == expected
