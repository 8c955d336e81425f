"""Turn clean participant values into ciphertext columns and back; the only place that touches both."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import uuid
from collections.abc import Callable

from processor.exceptions import ValidationFailed
from processor.field_crypto import CiphertextIntegrityError, FieldCipher, PlainCipher, new_row_id_bytes, place
from processor.normalize import index_form_of_normalized
from processor.registries.fields import ENCRYPTED_FIELDS, PARTICIPANTS_TABLE

TABLE = PARTICIPANTS_TABLE
PLACES = {field: place(TABLE, field) for field in ENCRYPTED_FIELDS}
_TIMES = frozenset(("registered_at", "joined_at", "left_at"))


def encode(value) -> str | None:
    """The text that is encrypted for a clean value; None and an empty mapping are stored as NULL."""
    if value is None or value == {}:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def decode(field: str, text: str):
    if field in _TIMES:
        return dt.datetime.fromisoformat(text)
    if field == "minutes_attended":
        return int(text)
    if field == "custom_fields":
        return json.loads(text)
    return text


# A new participant encrypted ahead of its insert (by an import's worker process, or just before):
# (the row id's 16 bytes, the email's blind index, the key version, the ciphertexts in ENCRYPTED_FIELDS order with
# None for NULL, the row MAC). A plain tuple, because an import sends hundreds of thousands of these between
# processes and a named tuple costs a Python call each to unpickle (about 10 us a row, in the process that writes).
Sealed = tuple[bytes, bytes, int, tuple[bytes | None, ...], bytes | None]


def seal(
    index: Callable[[str], bytes],
    cipher: FieldCipher | PlainCipher,
    clean: dict,
    sign: Callable[[bytes, bytes, tuple], bytes | None],
) -> Sealed:
    """Give a normalized participant its row id, encrypt its fields bound to that id, index its email (`index` is
    the organizer's blind indexer, `SealingKeys.indexer()`) and authenticate the whole row (`SealingKeys.signer()`)."""
    row = clean["id"].bytes if clean.get("id") else new_row_id_bytes()
    # The text of each field (the common case, None or a string, formats nothing), in the table's order.
    texts = [v if v is None or type(v) is str else encode(v) for v in map(clean.get, ENCRYPTED_FIELDS)]
    email_index = index(index_form_of_normalized(clean["email"]))
    cells = cipher.encrypt_each(texts, _PLACES_IN_ORDER, row)
    return row, email_index, cipher.version, cells, sign(row, email_index, cells)


def encrypt_fields(cipher: FieldCipher | PlainCipher, row_id: uuid.UUID, clean: dict, fields=ENCRYPTED_FIELDS) -> dict:
    """Encrypt each of `fields` found in `clean` on its own, bound to this row and column."""
    present = tuple(field for field in fields if field in clean)
    texts = [encode(clean[f]) for f in present]
    return dict(zip(present, cipher.encrypt_each(texts, tuple(PLACES[f] for f in present), row_id.bytes), strict=True))


_PLACES_IN_ORDER = tuple(PLACES[field] for field in ENCRYPTED_FIELDS)


def check_fields(fields) -> tuple[str, ...]:
    """The fields to decrypt: all by default; an unknown name is refused, never ignored."""
    if fields is None:
        return ENCRYPTED_FIELDS
    unknown = [f for f in fields if f not in ENCRYPTED_FIELDS]
    if unknown:
        raise ValidationFailed(
            "Unknown participant fields were asked for.",
            errors=[{"parameter": "fields", "detail": f"Unknown field {f!r}."} for f in unknown],
        )
    return tuple(fields)


# Where a participants row (or a select of the whole table plus more columns) holds what the MAC covers.
# The cells are contiguous in the table's column order (id, registry_id, email_index, key_version, revision, cells
# ...): a slice of the row's tuple is much cheaper than 13 attribute look-ups on a SQLAlchemy Row. A test holds it.
_FIRST_CELL = 5
_CELLS = slice(_FIRST_CELL, _FIRST_CELL + len(ENCRYPTED_FIELDS))


def verify_row(mac_of, row) -> None:
    """Raise CiphertextIntegrityError unless the row's MAC matches its registry, id, revision, index and cells
    (`mac_of` is the organizer's `row_mac`; it gives None in the plaintext benchmark baseline)."""
    expected = mac_of(row.registry_id, row.id, row.revision, row.email_index, row[_CELLS])
    if expected is None:
        return
    if row.row_mac is None or not hmac.compare_digest(expected, row.row_mac):
        raise CiphertextIntegrityError(TABLE, "row", row.id)
