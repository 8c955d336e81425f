"""Registry rules: registries per organizer; participants encrypted field by field, found by blind index."""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from processor.accounts.models import Account
from processor.db_types import utcnow
from processor.errors import Conflict, NotFound, ValidationFailed
from processor.extensions import db
from processor.field_crypto import CiphertextIntegrityError
from processor.keys.ring import WriteKeys, ensure_account_keys, write_keys_for
from processor.normalize import (
    MAX_CUSTOM_FIELDS,
    FieldError,
    clean_text,
    email_index_form,
    index_form_of_normalized,
)
from processor.registries.changes import txn_for
from processor.registries.fields import PARTICIPANTS_TABLE
from processor.registries.models import ENCRYPTED_FIELDS, SOURCES, Registry, participants
from processor.registries.rows import Sealed, encrypt_fields, seal

BATCH = 1000
REGISTRY_NAME_LIMIT = 200


class RegistryNotFound(NotFound):
    def __init__(self):
        super().__init__("No such registry.")


class ParticipantNotFound(NotFound):
    def __init__(self):
        super().__init__("No such participant in this registry.")


class AccountOnHold(Conflict):
    slug = "account-on-hold"
    title = "The account is removed"

    def __init__(self):
        super().__init__(
            "The organizer's account is removed: its data is only held until it is reactivated or "
            "erased, and cannot be read, changed or exported meanwhile."
        )


class DuplicateParticipant(Conflict):
    def __init__(self):
        super().__init__(
            "A participant with this email address is already in the registry.",
            errors=[{"field": "email", "pointer": "#/email", "detail": "Already in this registry."}],
        )


def as_uuid(value) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def create_registry(account_id: uuid.UUID, name: str, webinar_date: dt.date | str | None = None) -> Registry:
    """Create a registry (and the organizer's data keys on its first one)."""
    try:
        name = clean_text("name", name, limit=REGISTRY_NAME_LIMIT)
        if name is None:
            raise FieldError("name", "A name is required.")
        if isinstance(webinar_date, str):
            webinar_date = dt.date.fromisoformat(webinar_date) if webinar_date.strip() else None
    except FieldError as exc:
        raise ValidationFailed(
            "The registry was not created.",
            errors=[{"field": exc.field, "pointer": f"#/{exc.field}", "detail": exc.reason}],
        ) from None
    except ValueError:
        raise ValidationFailed(
            "The registry was not created.",
            errors=[{"field": "webinar_date", "pointer": "#/webinar_date", "detail": "Not a date: use YYYY-MM-DD."}],
        ) from None
    for attempt in range(2):
        try:
            ensure_account_keys(db.session.connection(), account_id)
            registry = Registry(account_id=account_id, name=name, webinar_date=webinar_date)
            db.session.add(registry)
            db.session.commit()
            return registry
        except IntegrityError:
            # Another transaction created this organizer's first keys meanwhile: use those.
            db.session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def get_registry(account_id: uuid.UUID, registry_id) -> Registry:
    """The organizer's registry; another organizer's id is indistinguishable from a missing one."""
    registry_id = as_uuid(registry_id)
    registry = (
        db.session.scalar(sa.select(Registry).where(Registry.id == registry_id, Registry.account_id == account_id))
        if registry_id
        else None
    )
    if registry is None:
        raise RegistryNotFound()
    require_active_account(account_id)
    return registry


def require_active_account(account_id: uuid.UUID) -> None:
    """Refuse any processing but holding of a removed account's data (seed 004), until it is reactivated."""
    if db.session.scalar(sa.select(Account.status).where(Account.id == account_id)) != "active":
        raise AccountOnHold()


def list_registries(account_id: uuid.UUID) -> list[Registry]:
    return list(
        db.session.scalars(
            sa.select(Registry)
            .where(Registry.account_id == account_id)
            .order_by(Registry.created_at.desc(), Registry.name)
        )
    )


def count_participants(registry: Registry) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(participants).where(participants.c.registry_id == registry.id)
    )


def default_region(registry: Registry) -> str | None:
    account = db.session.get(Account, registry.account_id)
    return account.country if account else None


def email_index(account_id: uuid.UUID, email: str) -> bytes:
    """The blind index of an email for this organizer (HMAC-SHA256 under its index subkey)."""
    return write_keys_for(db.session.connection(), account_id).index(email_index_form(email))


def is_empty(registry: Registry, *, connection=None) -> bool:
    connection = connection or db.session.connection()
    return (
        connection.execute(
            sa.select(participants.c.id).where(participants.c.registry_id == registry.id).limit(1)
        ).first()
        is None
    )


def existing_by_index(registry: Registry, indexes: list[bytes], *, connection=None) -> dict[bytes, uuid.UUID]:
    """Which of these blind indexes are already in the registry, and as which participant."""
    connection = connection or db.session.connection()
    found = {}
    for start in range(0, len(indexes), 500):
        chunk = indexes[start : start + 500]
        found.update(
            connection.execute(
                sa.select(participants.c.email_index, participants.c.id).where(
                    participants.c.registry_id == registry.id, participants.c.email_index.in_(chunk)
                )
            ).all()
        )
    return found


def write_participants(
    connection: sa.Connection,
    registry: Registry,
    *,
    inserts: list[dict] = (),
    updates: list[tuple[uuid.UUID, dict]] = (),
    source: str,
    import_id=None,
    sealed: list[Sealed] = (),
    custom_names: Iterable[str] = (),
) -> list[uuid.UUID]:
    """Encrypt and write normalized rows in batches inside the caller's transaction; return the ids given to
    `inserts`.

    `sealed` holds more new rows, already encrypted (as an import's worker processes deliver them), and
    `custom_names` the custom field names they use. An update replaces the fields present in its dict (None
    clears one) and keeps the others.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    keys = write_keys_for(connection, registry.account_id)
    _record_custom_names(
        connection,
        registry,
        {
            *custom_names,
            *(
                name
                for clean in (*inserts, *(clean for _, clean in updates))
                for name in clean.get("custom_fields") or {}
            ),
        },
    )
    index, cipher, sign = keys.sealing.indexer(), keys.write, keys.sealing.signer(registry.id)
    own = [seal(index, cipher, clean, sign) for clean in inserts]
    now = utcnow()
    try:
        for rows in (own, sealed):
            for start in range(0, len(rows), BATCH):
                _insert_sealed(
                    connection, registry, rows[start : start + BATCH], source=source, import_id=import_id, now=now
                )
        _update_rows(connection, registry, keys, updates, now)
    except IntegrityError:
        raise DuplicateParticipant() from None
    return [uuid.UUID(bytes=row_id) for row_id, *_ in own]


def _insert_sealed(
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
        _copy_rows(
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
    compiled = sa.insert(participants).compile(dialect=dialect, column_keys=list(columns))
    if tuple(compiled.positiontup or ()) != columns:  # SQLite's qmark parameters, bound by position
        raise RuntimeError("the participants INSERT does not bind in the table's column order")
    connection.exec_driver_sql(str(compiled), values)


def _copy_rows(connection: sa.Connection, columns: tuple[str, ...], values: list[tuple]) -> None:
    """PostgreSQL: COPY the rows in, in binary, inside the caller's transaction (psycopg's copy on the same
    connection).

    A unique violation surfaces as SQLAlchemy's IntegrityError, as an INSERT's would; its message (which names
    the key) is not kept.
    """
    import psycopg

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
    except psycopg.IntegrityError as exc:
        raise IntegrityError("COPY participants", None, exc.__class__(exc.diag.message_primary or "")) from None


def _update_rows(connection, registry, keys: WriteKeys, updates, now) -> None:
    """Re-seal each updated row whole: the changed cells, the kept ones, the new revision and its MAC.

    The current rows are read and locked first (FOR UPDATE on PostgreSQL; SQLite's writer holds the database),
    their MAC checked (a tampered row is never re-sealed as valid), then written back with every cell.
    """
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
                raise ParticipantNotFound()
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
            raise ParticipantNotFound()


def verify_row(mac_of, row) -> None:
    """Raise CiphertextIntegrityError unless the row's MAC matches its registry, id, revision, index and cells."""
    expected = mac_of(
        row.registry_id, row.id, row.revision, row.email_index, [getattr(row, f) for f in ENCRYPTED_FIELDS]
    )
    if expected is None:
        return  # the plaintext benchmark baseline has no keys
    if row.row_mac is None or not hmac.compare_digest(expected, row.row_mac):
        raise CiphertextIntegrityError(PARTICIPANTS_TABLE, "row", row.id)


def _record_custom_names(connection, registry: Registry, used: set[str]) -> None:
    """Add custom field names first used by the rows written to the registry's list (the names are not personal)."""
    known = list(registry.custom_field_names or [])
    new = used - set(known)
    if not new:
        return
    names = known + sorted(new)
    if len(names) > MAX_CUSTOM_FIELDS:
        raise ValidationFailed(
            f"A registry has at most {MAX_CUSTOM_FIELDS} custom fields.",
            errors=[
                {
                    "field": "custom_fields",
                    "pointer": "#/custom_fields",
                    "detail": f"At most {MAX_CUSTOM_FIELDS} custom field names per registry.",
                }
            ],
        )
    connection.execute(
        sa.update(Registry.__table__).where(Registry.__table__.c.id == registry.id).values(custom_field_names=names)
    )
    set_committed_value(registry, "custom_field_names", names)
