"""Registry rules: registries per organizer; participants encrypted field by field, found by blind index."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from processor.accounts.models import Account
from processor.db_types import utcnow
from processor.errors import Conflict, NotFound, ValidationFailed, field_errors
from processor.extensions import db
from processor.keys.ring import ensure_account_keys, write_keys_for
from processor.normalize import (
    MAX_CUSTOM_FIELDS,
    FieldError,
    clean_text,
    email_index_form,
)
from processor.registries import bulk
from processor.registries.models import SOURCES, Registry, participants
from processor.registries.rows import Sealed, seal

BATCH = bulk.BATCH
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
            errors=field_errors({"email": "Already in this registry."}),
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
            errors=field_errors({exc.field: exc.reason}),
        ) from None
    except ValueError:
        raise ValidationFailed(
            "The registry was not created.",
            errors=field_errors({"webinar_date": "Not a date: use YYYY-MM-DD."}),
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


def rename_registry(registry: Registry, name: str) -> Registry:
    """Give the registry a new name (its id, participants and links stay)."""
    try:
        name = clean_text("name", name, limit=REGISTRY_NAME_LIMIT)
        if name is None:
            raise FieldError("name", "A name is required.")
    except FieldError as exc:
        raise ValidationFailed("The registry was not renamed.", errors=field_errors({exc.field: exc.reason})) from None
    registry.name = name
    db.session.commit()
    return registry


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
                bulk.insert_sealed(
                    connection, registry, rows[start : start + BATCH], source=source, import_id=import_id, now=now
                )
        if not bulk.update_rows(connection, registry, keys, updates, now):
            raise ParticipantNotFound()
    except IntegrityError:
        raise DuplicateParticipant() from None
    return [uuid.UUID(bytes=row_id) for row_id, *_ in own]


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
            errors=field_errors({"custom_fields": f"At most {MAX_CUSTOM_FIELDS} custom field names per registry."}),
        )
    connection.execute(
        sa.update(Registry.__table__).where(Registry.__table__.c.id == registry.id).values(custom_field_names=names)
    )
    set_committed_value(registry, "custom_field_names", names)
