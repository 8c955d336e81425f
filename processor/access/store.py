"""The gate's own hands: the only code that decrypts participant rows, and the writes that go with them.

Nothing here checks who asks or logs anything: `processor.access.gate` does both around every call, in the same
transaction. Only the gate imports this module (a test walks the code to hold that).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import sqlalchemy as sa

from processor.db_types import utcnow
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.field_crypto import CiphertextIntegrityError
from processor.keys.ring import AccountKeys, keys_for
from processor.normalize import FieldError, email_index_form, index_form_of_normalized, normalize_participant
from processor.registries.changes import txn_for
from processor.registries.models import ENCRYPTED_FIELDS, Registry, changes, deletions, participants
from processor.registries.rows import PLACES, TABLE, check_fields, decode, verify_row
from processor.registries.service import ParticipantNotFound, as_uuid, default_region, write_participants
from processor.subject_requests.restrictions import without_restricted

EXPORT_PAGE = 500


def decrypt_fields(keys: AccountKeys, row, fields) -> dict:
    """Verify the row's MAC, then decrypt the asked-for fields into clean values (an empty custom_fields is {})."""
    verify_row(keys.row_mac, row)
    out = {"id": row.id, "updated_at": row.updated_at, "source": row.source}
    for field, text in keys.decrypt_cells(TABLE, row, fields).items():
        out[field] = ({} if field == "custom_fields" else None) if text is None else decode(field, text)
    return out


def decrypt_each(keys: AccountKeys, rows, fields, bad: list | None) -> list[dict]:
    """Decrypt each row; a row that fails its integrity check is reported in `bad` (id and incident) and the rest
    served, or, with no `bad` list, raises."""
    out = []
    for row in rows:
        try:
            out.append(decrypt_fields(keys, row, fields))
        except CiphertextIntegrityError as exc:
            if bad is None:
                raise
            bad.append({"id": row.id, "updated_at": row.updated_at, "incident": exc.extra["incident"]})
    return out


# What a read needs: the columns the row MAC covers, in the table's order up to the last cell (verify_row slices
# them by position), then what a read hands out or orders by. Not import_id or change_txn: two UUID conversions a
# row that no read uses.
_THROUGH_CELLS = list(participants.c)[: participants.c.keys().index(ENCRYPTED_FIELDS[-1]) + 1]
READ_COLUMNS = (*_THROUGH_CELLS, *participants.c["source", "created_at", "updated_at", "row_mac"])


def select_rows(registry: Registry, include_restricted: bool = False):
    """Rows of the registry; restricted ones (Art 18/21) only for the organizer's own use, which asks for them."""
    query = sa.select(*READ_COLUMNS).where(participants.c.registry_id == registry.id)
    return query if include_restricted else without_restricted(query)


def get_participant(registry: Registry, participant_id, fields=None, *, include_restricted: bool = False) -> dict:
    fields = check_fields(fields)
    participant_id = as_uuid(participant_id)
    connection = db.session.connection()
    row = (
        connection.execute(select_rows(registry, include_restricted).where(participants.c.id == participant_id)).first()
        if participant_id
        else None
    )
    if row is None:
        raise ParticipantNotFound()
    return decrypt_fields(keys_for(connection, registry.account_id), row, fields)


def find_by_email(registry: Registry, email: str, fields=None, *, include_restricted: bool = False) -> dict | None:
    """Look the email up by its blind index: nothing but the match is decrypted."""
    fields = check_fields(fields)
    connection = db.session.connection()
    keys = keys_for(connection, registry.account_id)
    try:
        index = keys.index(email_index_form(email))
    except FieldError as exc:
        raise ValidationFailed(
            "Not a valid email address.", errors=[{"field": "email", "pointer": "#/email", "detail": exc.reason}]
        ) from None
    row = connection.execute(
        select_rows(registry, include_restricted).where(participants.c.email_index == index)
    ).first()
    return None if row is None else decrypt_fields(keys, row, fields)


def list_participants(
    registry: Registry,
    *,
    fields=None,
    after: tuple | None = None,
    limit: int = 100,
    updated_since: dt.datetime | None = None,
    bad: list | None = None,
    include_restricted: bool = False,
) -> list[dict]:
    """One page ordered by (updated_at, id); `after` is the (updated_at, id) of the previous page's last row."""
    fields = check_fields(fields)
    query = (
        select_rows(registry, include_restricted).order_by(participants.c.updated_at, participants.c.id).limit(limit)
    )
    if updated_since is not None:
        query = query.where(participants.c.updated_at >= updated_since)
    if after is not None:
        updated_at, last_id = after
        # A row-value comparison, so both engines seek in the (registry_id, updated_at, id) index; the
        # equivalent OR form made SQLite scan the registry from its start on every page.
        query = query.where(sa.tuple_(participants.c.updated_at, participants.c.id) > (updated_at, as_uuid(last_id)))
    connection = db.session.connection()
    rows = connection.execute(query).all()
    if not rows:
        return []
    keys = keys_for(connection, registry.account_id)
    return decrypt_each(keys, rows, fields, bad)


def iter_participants(
    registry: Registry, fields=None, bad: list | None = None, *, include_restricted: bool = False
) -> Iterator[dict]:
    """Every participant of the registry, page by page (exports); rows failing their check go to `bad`."""
    after = None
    while True:
        query = (
            select_rows(registry, include_restricted)
            .order_by(participants.c.updated_at, participants.c.id)
            .limit(EXPORT_PAGE)
        )
        if after is not None:
            query = query.where(sa.tuple_(participants.c.updated_at, participants.c.id) > after)
        connection = db.session.connection()
        rows = connection.execute(query).all()
        if not rows:
            return
        yield from decrypt_each(keys_for(connection, registry.account_id), rows, check_fields(fields), bad)
        after = (rows[-1].updated_at, rows[-1].id)


def list_deletions(registry: Registry, *, since: dt.datetime | None = None) -> list[dict]:
    query = sa.select(deletions.c.id, deletions.c.deleted_at).where(deletions.c.registry_id == registry.id)
    if since is not None:
        query = query.where(deletions.c.deleted_at >= since)
    rows = db.session.execute(query.order_by(deletions.c.deleted_at, deletions.c.id))
    return [{"id": row.id, "deleted_at": row.deleted_at} for row in rows]


def read_changes(
    registry: Registry, *, fields, after: tuple[int, uuid.UUID] | None, limit: int, bad: list | None = None
) -> tuple[list[dict], list[dict], tuple[int, uuid.UUID] | None]:
    """Participants written and deletion markers left after the cursor, in feed order (change number, id), at
    most `limit` in all; and the cursor of the last one handed out (None when there was nothing new)."""
    fields = check_fields(fields)
    seq, last_id = after or (0, uuid.UUID(int=0))

    def changed(table) -> list:
        # Two index ranges, not one row-value comparison over both: the rest of the cursor's own change by id (the
        # (change_txn, id) index), then the changes after it. A page inside a 100,000-row import then reads one
        # page of rows, not the whole change to sort it.
        query = (
            sa.select(*(READ_COLUMNS if table is participants else table.c), changes.c.seq.label("change_seq"))
            .join(changes, changes.c.txn == table.c.change_txn)
            .where(table.c.registry_id == registry.id, changes.c.account_id == registry.account_id)
        )
        if table is participants:
            query = without_restricted(query)
        rest = query.where(changes.c.seq == seq, table.c.id > last_id).order_by(table.c.id).limit(limit)
        later = query.where(changes.c.seq > seq).order_by(changes.c.seq, table.c.id).limit(limit)
        return [*connection.execute(rest), *connection.execute(later)]

    connection = db.session.connection()
    rows = changed(participants)
    gone = changed(deletions)
    merged = sorted([(r.change_seq, r.id, r) for r in rows] + [(g.change_seq, g.id, None) for g in gone])[:limit]
    if not merged:
        return [], [], None
    keys = keys_for(connection, registry.account_id)
    out = decrypt_each(keys, [row for _, _, row in merged if row is not None], fields, bad)
    deleted_ids = {row_id for _, row_id, row in merged if row is None}
    deleted = [{"id": g.id, "deleted_at": g.deleted_at} for g in gone if g.id in deleted_ids]
    return out, deleted, merged[-1][:2]


def add_participant(registry: Registry, raw: dict, *, source: str = "manual") -> uuid.UUID:
    """Validate, encrypt and store one participant in the caller's transaction; return its id."""
    clean = normalize_participant(raw, default_region=default_region(registry))
    clean["registered_at"] = clean.get("registered_at") or utcnow()
    clean["id"] = uuid.uuid4()
    write_participants(db.session.connection(), registry, inserts=[clean], updates=[], source=source)
    return clean["id"]


def update_participant(registry: Registry, participant_id, raw: dict) -> uuid.UUID:
    """Change the given fields (a key with an empty value clears it; absent keys are kept), uncommitted."""
    current = get_participant(registry, participant_id, include_restricted=True)
    merged = {**{f: current[f] for f in ENCRYPTED_FIELDS}, **raw}
    clean = normalize_participant(merged, default_region=default_region(registry))
    write_participants(db.session.connection(), registry, inserts=[], updates=[(current["id"], clean)], source="manual")
    return current["id"]


def delete_participant(registry: Registry, participant_id) -> None:
    """Delete the row and its ciphertexts; leave a deletion marker (id and time only), uncommitted."""
    participant_id = as_uuid(participant_id)
    deleted = (
        db.session.execute(
            sa.delete(participants).where(
                participants.c.id == participant_id, participants.c.registry_id == registry.id
            )
        ).rowcount
        if participant_id
        else 0
    )
    if not deleted:
        raise ParticipantNotFound()
    txn = txn_for(db.session.connection(), registry.account_id)
    db.session.execute(
        sa.insert(deletions).values(id=participant_id, registry_id=registry.id, deleted_at=utcnow(), change_txn=txn)
    )


def erase_registry(registry: Registry) -> int:
    """Delete the registry with its participants, deletion markers and every row kept for it (imports, saved
    mappings, message instructions, restrictions), uncommitted; return how many participants were erased.

    The access log keeps its entries (they name the registry's id, never a person)."""
    erased = db.session.scalar(
        sa.select(sa.func.count()).select_from(participants).where(participants.c.registry_id == registry.id)
    )
    registries = Registry.__table__
    for table in reversed(db.metadata.sorted_tables):
        for key in table.foreign_keys:
            if key.column.table is registries and table is not registries:
                db.session.execute(table.delete().where(key.parent == registry.id))
    db.session.execute(registries.delete().where(registries.c.id == registry.id))
    return erased


def reencrypt_rows(connection: sa.Connection, account_id: uuid.UUID, rows, target: int) -> list[dict]:
    """The UPDATE parameters that re-encrypt each row's fields under the write key (a key rotation's batch)."""
    keys = keys_for(connection, account_id)
    if keys.write.version != target:
        raise RuntimeError(f"key version {keys.write.version} is newer than the rotation target {target}")
    updates = []
    for row in rows:
        verify_row(keys.row_mac, row)  # a tampered row is never re-sealed as valid
        update, row_bytes = {"p_id": row.id, "p_revision": row.revision}, row.id.bytes
        for field in ENCRYPTED_FIELDS:
            blob = getattr(row, field)
            update[f"v_{field}"] = (
                None
                if blob is None
                else keys.write.encrypt(keys.decrypt(blob, TABLE, field, row.id, row_bytes), PLACES[field], row_bytes)
            )
        cells = [update[f"v_{field}"] for field in ENCRYPTED_FIELDS]
        update["v_row_mac"] = keys.row_mac(row.registry_id, row.id, row.revision + 1, row.email_index, cells)
        updates.append(update)
    return updates


def seal_legacy_rows(connection: sa.Connection, account_id: uuid.UUID, rows) -> tuple[list[dict], list[dict]]:
    """The UPDATE parameters that give each row written before row MACs its MAC, once every cell decrypts under the
    organizer's keys (AES-GCM binds each cell to its column and row) and the email's blind index matches; a row that
    does not is returned in the second list (id and incident) and is not sealed."""
    keys = keys_for(connection, account_id)
    updates, bad = [], []
    for row in rows:
        try:
            _check_cells(keys, row)
        except CiphertextIntegrityError as exc:
            bad.append({"id": row.id, "incident": exc.extra["incident"]})
            continue
        cells = tuple(getattr(row, field) for field in ENCRYPTED_FIELDS)
        mac = keys.row_mac(row.registry_id, row.id, row.revision, row.email_index, cells)
        updates.append({"p_id": row.id, "p_revision": row.revision, "v_row_mac": mac})
    return updates, bad


def _check_cells(keys: AccountKeys, row) -> None:
    row_bytes = row.id.bytes
    for field in ENCRYPTED_FIELDS:
        blob = getattr(row, field)
        if blob is not None:
            text = keys.decrypt(blob, TABLE, field, row.id, row_bytes)
            if field == "email" and keys.index(index_form_of_normalized(text)) != row.email_index:
                raise CiphertextIntegrityError(TABLE, "email_index", row.id)
