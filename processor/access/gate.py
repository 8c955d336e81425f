"""The gate: the only way to read, write, export, message, import into, rotate or return participant data.

Every call names the actor, the purpose, the fields and (for what leaves the service) the destination. The gate
checks the organizer's account state (a held account allows only holding, reactivation, return and the final
erasure; staff may read it only under a legal obligation), the purpose against the actor's grants, the purpose's
field allow-list (minimum necessary), and the transfer to the destination on that day. It then does the work and
appends the access-log entry in the SAME transaction: a refusal is logged and committed before it is raised; a
read that fails part way is logged with the number of records already handed out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator

import sqlalchemy as sa

from processor import purposes
from processor.access import scans, store
from processor.access.actors import Actor
from processor.accounts.models import Account
from processor.audit import record_access
from processor.errors import DomainError
from processor.extensions import db
from processor.keys.ring import ring
from processor.registries.models import ENCRYPTED_FIELDS, Registry
from processor.registries.service import AccountOnHold, RegistryNotFound, as_uuid
from processor.transfers.policy import TransferPolicy, TransferRefused, today

# What may still happen to a removed account's data while it is held (seed 004, "Erasure of Processed Data"):
# holding it (a key rotation re-encrypts without disclosing and is part of holding it safely), reactivation,
# the return at the organizer's request, and the final erasure.
HELD_OPS = frozenset(("hold", "rotate", "reactivate", "return", "erase"))
OPS = frozenset(("read", "export", "message", "write", "import", *HELD_OPS))
REFUSALS = (purposes.PurposeRefused, purposes.FieldsNotAllowed, TransferRefused, AccountOnHold)


class Handed:
    """How many records one call has handed out (or written) so far, and the rows it could not (failed their
    integrity check): what its log entry states."""

    __slots__ = ("bad", "detail", "records")

    def __init__(self):
        self.records = 0
        self.bad: list[dict] = []
        self.detail = ""  # what else the entry should say (e.g. how many rows a search scanned)

    def note(self, reason: str) -> str:
        reason = f"{reason}; {self.detail}" if self.detail else reason
        if not self.bad:
            return reason
        incidents = ", ".join(entry["incident"] for entry in self.bad[:10])
        return f"{reason}; {len(self.bad)} rows failed their integrity check and were withheld (incidents {incidents})"


def open_registry(actor: Actor, registry_id) -> Registry:
    """The registry if the actor may see it; otherwise 404, so existence does not leak."""
    registry_id = as_uuid(registry_id)
    registry = db.session.get(Registry, registry_id) if registry_id else None
    if registry is None or not actor.may_open(registry):
        raise RegistryNotFound()
    return registry


def check(
    actor: Actor,
    account_id: uuid.UUID,
    *,
    op: str,
    purpose: str,
    fields: Iterable[str] = (),
    destination: str | None = None,
    on: dt.date | None = None,
) -> None:
    """Raise the first rule the use breaks: account state, purpose, field allow-list, transfer."""
    if op not in OPS:
        raise ValueError(f"unknown operation {op!r}")
    if not actor.may_see(account_id):
        raise RegistryNotFound()
    status = db.session.scalar(sa.select(Account.status).where(Account.id == account_id))
    if status != "active" and op not in HELD_OPS and not _legal_read(actor, op):
        raise AccountOnHold()
    purposes.require_participant_use(purpose, actor.granted if actor.granted is not None else (purposes.ALLOWED_ROOT,))
    purposes.require_fields(purpose, fields)
    destination = destination or actor.country
    if destination:
        TransferPolicy().require(destination, on=on or today(), attestations=actor.attestations or None)


def _legal_read(actor: Actor, op: str) -> bool:
    return actor.kind == "staff" and actor.legal_obligation and op == "read"


def _reason(actor: Actor, reason: str, *, plain: bool) -> str:
    """The entry's reason; a staff member's is their ticket and stated reason (after a refusal's or failure's)."""
    if actor.kind != "staff" or not actor.ticket:
        return reason
    legal = "legal obligation; " if actor.legal_obligation else ""
    stated = f"{legal}ticket {actor.ticket}: {actor.reason or reason}"
    return stated if plain else f"{reason} ({stated})"


def log(
    actor: Actor,
    account_id: uuid.UUID,
    *,
    purpose: str,
    fields: Iterable[str],
    records: int,
    allowed: bool,
    reason: str,
    registry_id: uuid.UUID | None = None,
    destination: str | None = None,
    connection: sa.Connection | None = None,
) -> None:
    """Append the access-log entry for this use to the current transaction (the caller commits)."""
    if ring().bare:
        return  # the benchmark's baseline without the gate's costs (refused in production)
    record_access(
        account_id=account_id,
        actor_type=actor.audit_type,
        actor=actor.name,
        purpose=purpose,
        registry_id=registry_id,
        fields=tuple(fields),
        records=records,
        destination_country=destination or actor.country,
        allowed=allowed,
        reason=_reason(actor, reason, plain=allowed and "FAILED after" not in reason),
        channel=actor.channel,
        connection=connection,
    )


def refuse(actor: Actor, account_id: uuid.UUID, refusal: DomainError, **entry) -> None:
    """Roll back whatever the failing request did, log the refusal alone and commit it: the trace must stay."""
    db.session.rollback()
    rule = getattr(refusal, "rule", None) or refusal.extra.get("rule") or refusal.slug
    log(actor, account_id, records=0, allowed=False, reason=f"{rule}: {refusal.detail}", **entry)
    db.session.commit()


@contextlib.contextmanager
def unit(
    actor: Actor,
    account_id: uuid.UUID,
    *,
    op: str,
    purpose: str,
    fields: Iterable[str] = (),
    reason: str,
    registry_id: uuid.UUID | None = None,
    destination: str | None = None,
) -> Iterator[Handed]:
    """Check, let the caller work, then log what was handed out and commit, all in one transaction."""
    fields = tuple(fields)
    entry = {"purpose": purpose, "fields": fields, "registry_id": registry_id, "destination": destination}
    try:
        check(actor, account_id, op=op, purpose=purpose, fields=fields, destination=destination)
    except REFUSALS as refusal:
        refuse(actor, account_id, refusal, **entry)
        raise
    handed = Handed()
    try:
        yield handed
    except Exception as exc:
        db.session.rollback()
        client_error = isinstance(exc, DomainError) and exc.status < 500
        if handed.records or not client_error:
            # A failed or partial use is logged as such, with what had already been handed out.
            slug = exc.slug if isinstance(exc, DomainError) else type(exc).__name__
            failure = handed.note(f"{reason}: FAILED after {handed.records} records handed out ({slug})")
            log(actor, account_id, records=handed.records, allowed=True, reason=failure, **entry)
            db.session.commit()
        raise
    log(actor, account_id, records=handed.records, allowed=True, reason=handed.note(reason), **entry)
    db.session.commit()


def _own(actor: Actor) -> bool:
    """Restricted participants (Art 18/21) are left out of every use but the organizer's own pages."""
    return actor.kind == "organizer"


def _registry_unit(actor: Actor, registry: Registry, **kwargs):
    return unit(actor, registry.account_id, registry_id=registry.id, **kwargs)


# Reads ------------------------------------------------------------------------------------------------------------


def read_page(
    actor: Actor,
    registry: Registry,
    *,
    purpose: str,
    fields: Iterable[str],
    after: tuple | None = None,
    limit: int = 100,
    updated_since: dt.datetime | None = None,
    with_deletions: bool = False,
    reason: str = "participant list",
    bad: list | None = None,
) -> tuple[list[dict], list[dict]]:
    """One page of participants (and deletion markers since `updated_since` when asked), checked and logged; rows
    that fail their integrity check are left out, reported in `bad` and in the log entry."""
    fields = tuple(fields)
    bad = [] if bad is None else bad
    with _registry_unit(actor, registry, op="read", purpose=purpose, fields=fields, reason=reason) as handed:
        rows = store.list_participants(
            registry,
            fields=fields,
            after=after,
            limit=limit,
            updated_since=updated_since,
            bad=bad,
            include_restricted=_own(actor),
        )
        handed.records = len(rows)
        handed.bad = bad
        deleted = store.list_deletions(registry, since=updated_since) if with_deletions else []
    return rows, deleted


def read_changes(
    actor: Actor,
    registry: Registry,
    *,
    purpose: str,
    fields: Iterable[str],
    after: tuple[int, uuid.UUID] | None,
    limit: int,
    bad: list | None = None,
) -> tuple[list[dict], list[dict], tuple[int, uuid.UUID] | None]:
    """One page of the change feed after `after` (see processor.registries.changes), checked and logged."""
    fields = tuple(fields)
    bad = [] if bad is None else bad
    with _registry_unit(actor, registry, op="read", purpose=purpose, fields=fields, reason="change feed") as handed:
        rows, deleted, last = store.read_changes(registry, fields=fields, after=after, limit=limit, bad=bad)
        handed.records = len(rows)
        handed.bad = bad
    return rows, deleted, last


def read_one(
    actor: Actor, registry: Registry, participant_id, *, purpose: str, fields: Iterable[str] | None = None
) -> dict:
    """One participant, checked and logged."""
    fields = tuple(fields) if fields is not None else ENCRYPTED_FIELDS
    with _registry_unit(actor, registry, op="read", purpose=purpose, fields=fields, reason="participant") as handed:
        participant = store.get_participant(registry, participant_id, fields=fields, include_restricted=_own(actor))
        handed.records = 1
    return participant


def find(actor: Actor, registry: Registry, email: str, *, purpose: str, fields: Iterable[str]) -> dict | None:
    """The participant with this email (blind-index look-up), checked and logged."""
    fields = tuple(fields)
    with _registry_unit(actor, registry, op="read", purpose=purpose, fields=fields, reason="email look-up") as handed:
        match = store.find_by_email(registry, email, fields=fields, include_restricted=_own(actor))
        handed.records = 1 if match else 0
    return match


Writer = Callable[[Registry, Iterable[dict], object, Callable[[], None]], int]


def export(
    actor: Actor,
    registry: Registry,
    write: Writer,
    out,
    *,
    destination: str,
    reason: str,
    purpose="essential.service",
    bad: list | None = None,
) -> int:
    """Write the whole registry, decrypted, through `write` to `out`; logged with every record handed out, even
    when the export fails part way. Rows that fail their integrity check are left out and reported in `bad`."""
    bad = [] if bad is None else bad
    with _registry_unit(
        actor,
        registry,
        op="export",
        purpose=purpose,
        fields=ENCRYPTED_FIELDS,
        reason=f"export: {reason}",
        destination=destination,
    ) as handed:

        def one_more():
            handed.records += 1

        handed.bad = bad
        write(registry, store.iter_participants(registry, bad=bad), out, one_more)
    return handed.records


class ExportInterrupted(DomainError):
    """The receiver stopped reading a streamed export (a closed browser tab, a dropped connection)."""

    status = 499
    slug = "export-interrupted"
    title = "Export interrupted"


Chunks = Callable[[Registry, Iterable[dict]], Iterator[tuple[str, int]]]


def export_stream(
    actor: Actor,
    registry: Registry,
    chunks: Chunks,
    *,
    destination: str,
    reason: str,
    purpose: str = "essential.service",
    bad: list | None = None,
) -> Iterator[str]:
    """The whole registry, decrypted, as the text `chunks` makes of it (pieces with how many rows each holds), for
    a streamed download.

    Checked when this returns (a refusal is raised here, and logged); the rows are decrypted as the caller reads,
    in one transaction whose log entry states every record handed out: when the last chunk is read, or when the
    reader stops early (logged as failed after what was sent). The caller keeps the app context open meanwhile.
    """
    stream = _export_chunks(actor, registry, chunks, destination, reason, purpose, [] if bad is None else bad)
    next(stream)  # runs the checks now
    return stream


def _export_chunks(actor, registry, chunks, destination, reason, purpose, bad) -> Iterator[str]:
    unit_of_work = _registry_unit(
        actor,
        registry,
        op="export",
        purpose=purpose,
        fields=ENCRYPTED_FIELDS,
        reason=f"export: {reason}",
        destination=destination,
    )
    try:
        with unit_of_work as handed:
            yield ""
            handed.bad = bad
            for text, rows_in_text in chunks(registry, store.iter_participants(registry, bad=bad)):
                handed.records += rows_in_text  # counted as it leaves: a reader may stop after taking it
                try:
                    yield text
                except GeneratorExit:
                    raise ExportInterrupted("The download was stopped before its end.") from None
    except ExportInterrupted:
        return  # logged by the unit with what had been sent; nothing is left to tell the reader


def read_in_order(
    actor: Actor,
    registry: Registry,
    *,
    purpose: str,
    fields: Iterable[str],
    column: str,
    descending: bool,
    after: tuple | None,
    limit: int,
    bad: list | None = None,
) -> tuple[list[dict], tuple | None]:
    """One page ordered by when rows were added or last changed (plain columns: the database orders them), and
    where the next page starts (None on the last page)."""
    fields = tuple(fields)
    bad = [] if bad is None else bad
    with _registry_unit(actor, registry, op="read", purpose=purpose, fields=fields, reason="participant list") as h:
        rows, last = scans.list_in_order(
            registry,
            fields=fields,
            column=column,
            descending=descending,
            after=after,
            limit=limit,
            bad=bad,
            include_restricted=_own(actor),
        )
        h.records, h.bad = len(rows), bad
    return rows, last


def read_sorted(
    actor: Actor,
    registry: Registry,
    *,
    purpose: str,
    fields: Iterable[str],
    field: str,
    descending: bool,
    offset: int,
    limit: int,
    bound: int,
    bad: list | None = None,
) -> list[dict]:
    """One page sorted by an encrypted field: at most `bound` rows are decrypted to sort; the page is handed out."""
    fields = tuple(dict.fromkeys((*fields, field)))
    bad = [] if bad is None else bad
    with _registry_unit(
        actor, registry, op="read", purpose=purpose, fields=fields, reason=f"participant list sorted by {field}"
    ) as handed:
        rows, decrypted = scans.sorted_by_field(
            registry,
            fields=fields,
            field=field,
            descending=descending,
            offset=offset,
            limit=limit,
            bound=bound,
            bad=bad,
            include_restricted=_own(actor),
        )
        handed.records, handed.bad = len(rows), bad
        handed.detail = f"{decrypted} rows decrypted to sort, {len(rows)} shown"
    return rows


def search(
    actor: Actor,
    registry: Registry,
    text: str,
    *,
    purpose: str,
    fields: Iterable[str],
    after: tuple | None,
    limit: int,
    scan_limit: int,
    bad: list | None = None,
) -> tuple[list[dict], tuple | None, int]:
    """Participants whose name or company contains `text`, from a bounded decrypting scan; logged as one access
    with the matches handed out (the text searched for is not logged: it may be a name)."""
    fields = tuple(dict.fromkeys((*fields, *scans.SEARCHED_FIELDS)))
    bad = [] if bad is None else bad
    with _registry_unit(actor, registry, op="read", purpose=purpose, fields=fields, reason="search") as handed:
        matches, resume, scanned = scans.search(
            registry,
            text,
            fields=fields,
            after=after,
            limit=limit,
            scan_limit=scan_limit,
            bad=bad,
            include_restricted=_own(actor),
        )
        handed.records, handed.bad = len(matches), bad
        handed.detail = f"name or company searched in {scanned} rows, {len(matches)} matches shown"
    return matches, resume, scanned


# Writes -----------------------------------------------------------------------------------------------------------


def add(actor: Actor, registry: Registry, raw: dict, *, purpose: str = "essential.service") -> uuid.UUID:
    """Add one participant and log it, in one transaction."""
    fields = tuple(f for f in ENCRYPTED_FIELDS if raw.get(f) not in (None, "", {}))
    with _registry_unit(actor, registry, op="write", purpose=purpose, fields=fields, reason="participant added") as h:
        participant_id = store.add_participant(registry, raw)
        h.records = 1
    return participant_id


def update(actor: Actor, registry: Registry, participant_id, raw: dict, *, purpose: str = "essential.service") -> None:
    """Change one participant and log it, in one transaction."""
    fields = tuple(f for f in ENCRYPTED_FIELDS if f in raw)
    with _registry_unit(actor, registry, op="write", purpose=purpose, fields=fields, reason="participant edited") as h:
        store.update_participant(registry, participant_id, raw)
        h.records = 1


def delete(actor: Actor, registry: Registry, participant_id, *, purpose: str = "essential.service") -> None:
    """Delete one participant (leaving a deletion marker) and log it, in one transaction."""
    with _registry_unit(actor, registry, op="write", purpose=purpose, reason="participant deleted") as h:
        store.delete_participant(registry, participant_id)
        h.records = 1


def erase_registry(actor: Actor, registry: Registry, *, purpose: str = "essential.service") -> int:
    """Delete a registry and erase its participants, logged with how many, in one transaction; refused for a held
    account like every other write."""
    with _registry_unit(actor, registry, op="write", purpose=purpose, reason="registry deleted") as handed:
        handed.records = store.erase_registry(registry)
        handed.detail = f"{handed.records} participants erased with it"
    return handed.records


# Inside a unit of work that logs itself, in its own transaction (subject requests, the return package): checked
# here, neither logged nor committed here. Restricted participants are included: these serve the controller.


def read_within(actor: Actor, registry: Registry, participant_id, *, purpose: str, fields=None) -> dict:
    """One participant for a caller's own unit of work (e.g. a subject access request), checked."""
    check(actor, registry.account_id, op="read", purpose=purpose, fields=fields or ENCRYPTED_FIELDS)
    return store.get_participant(registry, participant_id, fields=fields, include_restricted=True)


def update_within(actor: Actor, registry: Registry, participant_id, raw: dict, *, purpose: str) -> None:
    """Change one participant inside the caller's unit of work (e.g. a rectification), checked."""
    check(actor, registry.account_id, op="write", purpose=purpose, fields=[f for f in raw if f in ENCRYPTED_FIELDS])
    store.update_participant(registry, participant_id, raw)


def rows_within(actor: Actor, registry: Registry, *, op: str, purpose: str, bad: list | None = None):
    """Every participant of the registry for the caller's own unit of work (e.g. the return package), checked."""
    check(actor, registry.account_id, op=op, purpose=purpose, fields=ENCRYPTED_FIELDS)
    return store.iter_participants(registry, bad=bad, include_restricted=True)


def require(actor: Actor, registry: Registry, *, op: str, purpose: str, fields: Iterable[str] = ()) -> None:
    """Check a use the caller will log itself (messages, imports); a refusal is logged and committed."""
    fields = tuple(fields)
    try:
        check(actor, registry.account_id, op=op, purpose=purpose, fields=fields)
    except REFUSALS as refusal:
        refuse(actor, registry.account_id, refusal, purpose=purpose, fields=fields, registry_id=registry.id)
        raise


def record_import(
    connection: sa.Connection, actor: Actor, registry: Registry, *, created: int, updated: int, fields: Iterable[str]
) -> None:
    """Log an import in the import's own transaction (on its connection)."""
    log(
        actor,
        registry.account_id,
        purpose="essential.service",
        fields=fields,
        records=created + updated,
        allowed=True,
        reason=f"import: {created} created, {updated} updated",
        registry_id=registry.id,
        connection=connection,
    )


def rotate_batch(actor: Actor, connection: sa.Connection, account_id: uuid.UUID, rows, target: int) -> list[dict]:
    """Re-encrypt one batch of a key rotation and log it in the batch's transaction."""
    check(actor, account_id, op="rotate", purpose="essential.service.security")
    updates = store.reencrypt_rows(connection, account_id, rows, target)
    log(
        actor,
        account_id,
        purpose="essential.service.security",
        fields=ENCRYPTED_FIELDS,
        records=len(updates),
        allowed=True,
        reason=f"key rotation: re-encrypted under data-key version {target}",
    )
    return updates


def seal_batch(actor: Actor, connection: sa.Connection, account_id: uuid.UUID, rows) -> tuple[list[dict], list[dict]]:
    """Give one batch of rows written before row MACs their MAC (after checking every cell) and log how many."""
    check(actor, account_id, op="rotate", purpose="essential.service.security")
    updates, bad = store.seal_legacy_rows(connection, account_id, rows)
    handed = Handed()
    handed.bad = bad
    log(
        actor,
        account_id,
        purpose="essential.service.security",
        fields=ENCRYPTED_FIELDS,
        records=len(updates),
        allowed=True,
        reason=handed.note(f"legacy rows sealed: {len(updates)} rows written before row MACs given their MAC"),
    )
    return updates, bad
