"""Bulk writes of participant rows: SQLite executemany or PostgreSQL binary COPY, batched updates.

Engine-specific SQL lives here so `service.py` holds use cases only; everything runs inside the caller's
transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from processor.keys.ring import WriteKeys
from processor.normalize import index_form_of_normalized
from processor.registries.changes import txn_for
from processor.registries.models import ENCRYPTED_FIELDS, Registry, participants
from processor.registries.rows import Sealed, encrypt_fields, verify_row

BATCH = 1000


def insert_sealed(
    connection: sa.Connection, registry: Registry, rows: list[Sealed], *, source: str, import_id, now: dt.datetime
) -> None:
    """Insert sealed rows through the driver's executemany (SQLite) or binary COPY (PostgreSQL).

    A bulk import writes hundreds of thousands of rows; SQLAlchemy's per-value bind processing cost more than
    the encryption. Here the values every row shares are converted once by their columns' own bind processors,
    the row id goes as SQLite's CHAR(32) hex digits or as a UUID for PostgreSQL's uuid, and the ciphertexts as the
    bytes both drivers take.
    """
    dialect = connection.dialect

    def driver_value(column: str, value):
        process = participants.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        return value if process is None or value is None else process(value)

    registry_id, revision, source, import_id, created, updated, change_txn = (
        driver_value(column, value)
        for column, value in (
            ("registry_id", registry.id),
            ("revision", 1),
            ("source", source),
            ("import_id", import_id),
            ("created_at", now),
            ("updated_at", now),
            ("change_txn", txn_for(connection, registry.account_id)),
        )
    )
    # The table's own column order, which the compiled INSERT binds in (checked below): rows need no reordering.
    columns = (
        "id",
        "registry_id",
        "email_index",
        "key_version",
        "revision",
        *ENCRYPTED_FIELDS,
        "source",
        "import_id",
        "created_at",
        "updated_at",
        "change_txn",
        "row_mac",
    )
    tail = (source, import_id, created, updated, change_txn)
    if dialect.name == "postgresql":  # binary COPY: one stream, nothing for the server to parse
        copy_rows(
            connection,
            columns,
            [
                (uuid.UUID(bytes=row_id), registry_id, index, version, revision, *fields, *tail, mac)
                for row_id, index, version, fields, mac in rows
            ],
        )
        return
    values = [
        (row_id.hex(), registry_id, index, version, revision, *fields, *tail, mac)
        for row_id, index, version, fields, mac in rows
    ]
    connection.exec_driver_sql(_insert_sql(dialect, columns), values)


@functools.lru_cache(maxsize=4)
def _insert_sql(dialect: sa.Dialect, columns: tuple[str, ...]) -> str:
    """The INSERT of every column, compiled once per dialect (a bulk import writes hundreds of batches)."""
    compiled = sa.insert(participants).compile(dialect=dialect, column_keys=list(columns))
    if tuple(compiled.positiontup or ()) != columns:  # SQLite's qmark parameters, bound by position
        raise RuntimeError("the participants INSERT does not bind in the table's column order")
    return str(compiled)


def copy_rows(connection: sa.Connection, columns: tuple[str, ...], values: list[tuple]) -> None:
    """PostgreSQL: COPY the rows in, in binary, inside the caller's transaction (psycopg's copy on the same
    connection).

    A unique violation surfaces as SQLAlchemy's IntegrityError, as an INSERT's would; its message (which names
    the key) is not kept.
    """

    names = ", ".join(columns)
    try:
        with connection.connection.driver_connection.cursor() as cursor:
            # Binary COPY needs each column's type: the table's own, from the catalog.
            types = dict(
                cursor.execute(
                    "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
                    "AND attnum > 0 AND NOT attisdropped",
                    (participants.name,),
                ).fetchall()
            )
            with cursor.copy(f"COPY {participants.name} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([types[name] for name in columns])
                for row in values:
                    copy.write_row(row)
    except connection.dialect.loaded_dbapi.IntegrityError as exc:  # psycopg's, without importing it on SQLite
        raise IntegrityError("COPY participants", None, exc.__class__(exc.diag.message_primary or "")) from None


def update_rows(connection, registry, keys: WriteKeys, updates, now) -> bool:
    """Re-seal each updated row whole: the changed cells, the kept ones, the new revision and its MAC; False if a
    row was not found.

    The current rows are read and locked first (FOR UPDATE on PostgreSQL; SQLite's writer holds the database),
    their MAC checked (a tampered row is never re-sealed as valid), then written back with every cell.
    """
    if not updates:
        return True
    columns = (*ENCRYPTED_FIELDS, "email_index", "key_version", "revision", "row_mac")
    statement = (
        sa.update(participants)
        .where(participants.c.id == sa.bindparam("p_id"), participants.c.registry_id == registry.id)
        .values(
            {
                **{c: sa.bindparam(f"v_{c}") for c in columns},
                "updated_at": now,
                "change_txn": txn_for(connection, registry.account_id),
            }
        )
    )
    for start in range(0, len(updates), BATCH):
        batch = updates[start : start + BATCH]
        current = {
            row.id: row
            for row in connection.execute(
                sa.select(participants)
                .where(participants.c.registry_id == registry.id, participants.c.id.in_([pid for pid, _ in batch]))
                .with_for_update()
            )
        }
        params = []
        for participant_id, clean in batch:
            row = current.get(participant_id)
            if row is None:
                return False
            verify_row(keys.row_mac, row)
            new = encrypt_fields(keys.write, participant_id, clean)
            cells = tuple(new[f] if f in new else getattr(row, f) for f in ENCRYPTED_FIELDS)
            index = keys.index(index_form_of_normalized(clean["email"])) if "email" in clean else row.email_index
            # A partial update leaves older-version fields behind: the row's key_version is the oldest in it.
            whole = len(new) == len(ENCRYPTED_FIELDS)
            version = keys.write.version if whole else min(row.key_version, keys.write.version)
            revision = row.revision + 1
            mac = keys.row_mac(registry.id, participant_id, revision, index, cells)
            values = dict(zip(ENCRYPTED_FIELDS, cells, strict=True))
            values.update(email_index=index, key_version=version, revision=revision, row_mac=mac)
            params.append({"p_id": participant_id, **{f"v_{k}": v for k, v in values.items()}})
        if connection.execute(statement, params).rowcount != len(batch):
            return False
    return True
