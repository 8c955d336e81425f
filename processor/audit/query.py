"""Filter and page one organizer's access log: dates, actor, registry, kind; keyset pages by sequence number.

Filters arrive as query parameters and hold only IDs, fixed words and dates, never a name or an address: an actor
is `you`, `staff`, `system` or an API client's id, resolved here to what the log stores.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa

from processor.audit.describe import KINDS, SYSTEM_JOBS, Labeller, kind_clause
from processor.audit.models import AccessLogEntry
from processor.clients.models import ServiceClient
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.registries.models import Registry
from processor.request_guard import INT_MAX

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
ACTOR_GROUPS = {"you": "You", "staff": "Support staff", "system": "The system's own jobs"}
FILTERS = ("from", "to", "actor", "registry", "kind")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class LogQuery:
    """A validated filter and page position; `params()` gives back the query string that selects it."""

    start: dt.date | None = None
    end: dt.date | None = None
    actor: str | None = None
    registry: uuid.UUID | None = None
    kind: str | None = None
    before: int | None = None
    after: int | None = None
    size: int = DEFAULT_PAGE_SIZE
    client_name: str | None = field(default=None, repr=False)  # what the log stores for `actor` = a client id

    def params(self, **changes) -> dict:
        """The filter as query parameters (no page position unless given), for links and the export."""
        values = {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "actor": self.actor,
            "registry": str(self.registry) if self.registry else None,
            "kind": self.kind,
            "size": self.size if self.size != DEFAULT_PAGE_SIZE else None,
            **changes,
        }
        return {name: value for name, value in values.items() if value is not None}

    @property
    def filtered(self) -> bool:
        return any((self.start, self.end, self.actor, self.registry, self.kind))


def parse(args: Mapping[str, str], account_id: uuid.UUID) -> LogQuery:
    """Validate the page's query parameters; raise ValidationFailed naming each bad one in plain words."""
    query, errors = LogQuery(), []

    def fail(name: str, detail: str) -> None:
        errors.append({"parameter": name, "field": name, "detail": detail})

    for name, attr in (("from", "start"), ("to", "end")):
        text = (args.get(name) or "").strip()
        if not text:
            continue
        try:
            if not _DATE.match(text):
                raise ValueError
            setattr(query, attr, dt.date.fromisoformat(text))
        except ValueError:
            fail(name, f"“{name.capitalize()}” must be a date written as YYYY-MM-DD, e.g. 2026-11-30.")
    if query.start and query.end and query.start > query.end:
        fail("to", "“To” must be the same day as “From” or later.")
    _parse_actor(args.get("actor") or "", account_id, query, fail)
    registry = (args.get("registry") or "").strip()
    if registry:
        try:
            query.registry = uuid.UUID(registry)
        except ValueError:
            fail("registry", "Choose a registry from the list.")
    kind = (args.get("kind") or "").strip()
    if kind:
        if kind in KINDS:
            query.kind = kind
        else:
            fail("kind", "Choose a kind of access from the list.")
    for name in ("before", "after"):
        text = (args.get(name) or "").strip()
        if not text:
            continue
        if text.isascii() and text.isdigit() and 1 <= int(text) <= INT_MAX:
            setattr(query, name, int(text))
        else:
            fail(name, f"The page position “{name}” must be an entry number from 1 to {INT_MAX}.")
    if query.before and query.after:
        fail("after", "Give either “before” or “after”, not both.")
    size = (args.get("size") or "").strip()
    if size:
        if size.isascii() and size.isdigit() and int(size) in PAGE_SIZES:
            query.size = int(size)
        else:
            fail("size", f"Entries per page must be one of {', '.join(map(str, PAGE_SIZES))}.")
    if errors:
        raise ValidationFailed("Some filters are not valid: " + " ".join(e["detail"] for e in errors), errors=errors)
    return query


def _parse_actor(text: str, account_id: uuid.UUID, query: LogQuery, fail) -> None:
    text = text.strip()
    if not text:
        return
    if text in ACTOR_GROUPS:
        query.actor = text
        return
    try:
        client_id = uuid.UUID(text)
    except ValueError:
        fail("actor", "Choose who acted from the list.")
        return
    client = db.session.get(ServiceClient, client_id)
    if client is None or client.account_id not in (None, account_id) or client.kind != "service":
        fail("actor", "That API client is not one of yours or ours; choose who acted from the list.")
        return
    query.actor, query.client_name = str(client.id), client.name


def _system_job():
    actor = AccessLogEntry.actor
    return sa.or_(actor.in_(list(SYSTEM_JOBS)), actor.startswith("system:", autoescape=True))


def _where(account_id: uuid.UUID, query: LogQuery) -> list:
    entry = AccessLogEntry
    where = [entry.account_id == account_id]
    if query.start:
        where.append(entry.created_at >= dt.datetime.combine(query.start, dt.time(), dt.UTC))
    if query.end and query.end < dt.date.max:
        where.append(entry.created_at < dt.datetime.combine(query.end + dt.timedelta(days=1), dt.time(), dt.UTC))
    if query.actor == "you":
        where.append(entry.actor_type == "account")
    elif query.actor == "staff":
        where += [entry.actor_type == "staff", sa.not_(_system_job())]
    elif query.actor == "system":
        where += [entry.actor_type == "staff", _system_job()]
    elif query.actor:
        where += [entry.actor_type == "client", entry.actor == query.client_name]
    if query.registry:
        where.append(entry.registry_id == query.registry)
    if query.kind:
        where.append(kind_clause(query.kind))
    return where


@dataclass
class Page:
    entries: list
    older: int | None  # `before` for the next (older) page, None on the last
    newer: int | None  # `after` for the previous (newer) page, None on the first


def page(account_id: uuid.UUID, query: LogQuery) -> Page:
    """One page of matching entries, newest first, with the positions of the pages either side."""
    entry, where = AccessLogEntry, _where(account_id, query)
    if query.after is not None:
        rows = db.session.scalars(
            sa.select(entry).where(*where, entry.seq > query.after).order_by(entry.seq).limit(query.size + 1)
        ).all()
        more_newer, rows = len(rows) > query.size, list(reversed(rows[: query.size]))
        more_older = _exists(where, entry.seq <= query.after)
    else:
        bound = [entry.seq < query.before] if query.before is not None else []
        rows = db.session.scalars(
            sa.select(entry).where(*where, *bound).order_by(entry.seq.desc()).limit(query.size + 1)
        ).all()
        more_older, rows = len(rows) > query.size, list(rows[: query.size])
        more_newer = query.before is not None and _exists(where, entry.seq >= query.before)
    if not rows:
        # An empty page past either end: offer the way back to the start rather than a dead end.
        return Page([], None, None)
    return Page(rows, rows[-1].seq if more_older else None, rows[0].seq if more_newer else None)


def _exists(where: list, bound) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(*where, bound))))


def iter_entries(account_id: uuid.UUID, query: LogQuery, *, batch: int = 1000) -> Iterator[AccessLogEntry]:
    """Every matching entry, oldest first, fetched in keyset batches (a large log never sits in memory)."""
    entry, where, last = AccessLogEntry, _where(account_id, query), 0
    while True:
        rows = db.session.scalars(
            sa.select(entry).where(*where, entry.seq > last).order_by(entry.seq).limit(batch)
        ).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].seq  # the session's identity map holds entries weakly: read ones are let go


def registry_names(account_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The organizer's registries by id (the log names registries, not people)."""
    rows = db.session.execute(
        sa.select(Registry.id, Registry.name).where(Registry.account_id == account_id).order_by(Registry.name)
    )
    return {row.id: row.name for row in rows}


def _clients(account_id: uuid.UUID) -> list[ServiceClient]:
    """The organizer's own API clients and our internal services (revoked ones too: their entries stay)."""
    return list(
        db.session.scalars(
            sa.select(ServiceClient)
            .where(
                sa.or_(ServiceClient.account_id == account_id, ServiceClient.account_id.is_(None)),
                ServiceClient.kind == "service",
            )
            .order_by(ServiceClient.account_id.is_(None), ServiceClient.name)
        )
    )


def actor_choices(account_id: uuid.UUID) -> list[tuple[str, str]]:
    """(value, label) pairs for the actor filter: groups, then each API client by id."""
    clients = [
        (str(c.id), f"Your API client “{c.name}”" if c.account_id else f"Our service “{c.name}”")
        for c in _clients(account_id)
    ]
    return [*ACTOR_GROUPS.items(), *clients]


def labeller(account_id: uuid.UUID, login: str) -> Labeller:
    """A Labeller with this organizer's registry and client names."""
    own = frozenset(c.name for c in _clients(account_id) if c.account_id == account_id)
    return Labeller(login=login, registries=registry_names(account_id), own_clients=own)
