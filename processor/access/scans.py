"""The gate's hands for what needs many rows decrypted to hand out few: search by name or company, and sorting.

Fields are encrypted one by one, so the database can neither match nor order them: these decrypt a bounded number
of rows and match or sort them in memory. Plain columns (when a row was added or last changed) are ordered by the
database over the whole registry. Like `store`, nothing here checks or logs: `processor.access.gate` does both.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from processor.access.store import decrypt_each, select_rows
from processor.extensions import db
from processor.keys.ring import keys_for
from processor.registries.folding import fold
from processor.registries.models import Registry, participants
from processor.registries.rows import check_fields

SEARCHED_FIELDS = ("first_name", "last_name", "company")
PLAIN_ORDERS = ("created_at", "updated_at")
CHUNK = 500


def _with_added(rows, decrypted: list[dict]) -> list[dict]:
    """Give each decrypted row the plain time it was added (rows failing their check are missing from `decrypted`)."""
    added = {row.id: row.created_at for row in rows}
    for one in decrypted:
        one["created_at"] = added[one["id"]]
    return decrypted


def list_in_order(
    registry: Registry,
    *,
    fields,
    column: str,
    descending: bool,
    after: tuple | None,
    limit: int,
    bad: list | None,
    include_restricted: bool = False,
) -> tuple[list[dict], tuple | None]:
    """One page ordered by a plain column (`created_at` or `updated_at`) and id, after the previous page's last row;
    and the position of this page's last row when the page is full (where the next page starts)."""
    if column not in PLAIN_ORDERS:
        raise ValueError(f"not a plain order: {column!r}")
    key = sa.tuple_(participants.c[column], participants.c.id)
    query = select_rows(registry, include_restricted)
    if descending:
        query = query.order_by(participants.c[column].desc(), participants.c.id.desc())
        query = query.where(key < after) if after is not None else query
    else:
        query = query.order_by(participants.c[column], participants.c.id)
        query = query.where(key > after) if after is not None else query
    connection = db.session.connection()
    rows = connection.execute(query.limit(limit)).all()
    if not rows:
        return [], None
    decrypted = decrypt_each(keys_for(connection, registry.account_id), rows, check_fields(fields), bad)
    last = (getattr(rows[-1], column), rows[-1].id) if len(rows) == limit else None
    return _with_added(rows, decrypted), last


def sorted_by_field(
    registry: Registry,
    *,
    fields,
    field: str,
    descending: bool,
    offset: int,
    limit: int,
    bound: int,
    bad: list | None,
    include_restricted: bool = False,
) -> tuple[list[dict], int]:
    """One page of the registry sorted by an encrypted field (folded: case and accents ignored; empty values last,
    then by id); and how many rows were decrypted to sort. Refuses a registry of more than `bound` rows."""
    fields = check_fields(tuple(dict.fromkeys((*fields, field))))
    connection = db.session.connection()
    rows = connection.execute(select_rows(registry, include_restricted).limit(bound + 1)).all()
    if len(rows) > bound:
        raise ValueError(f"more than {bound} rows to sort")
    if not rows:
        return [], 0
    decrypted = _with_added(rows, decrypt_each(keys_for(connection, registry.account_id), rows, fields, bad))
    filled = [one for one in decrypted if fold(one[field])]
    filled.sort(key=lambda one: (fold(one[field]), one["id"]), reverse=descending)
    empty = sorted((one for one in decrypted if not fold(one[field])), key=lambda one: one["id"])
    return (filled + empty)[offset : offset + limit], len(rows)


def search(
    registry: Registry,
    text: str,
    *,
    fields: Iterable[str],
    after: tuple | None,
    limit: int,
    scan_limit: int,
    bad: list | None,
    include_restricted: bool = False,
) -> tuple[list[dict], tuple | None, int]:
    """Participants whose name or company contains `text` (folded), scanning in (updated_at, id) order after
    `after`: at most `limit` matches from at most `scan_limit` rows. Returns the matches, where to continue (None
    when the registry's end was reached) and how many rows were scanned."""
    needle = fold(text)
    fields = check_fields(tuple(dict.fromkeys((*fields, *SEARCHED_FIELDS))))
    connection = db.session.connection()
    keys = keys_for(connection, registry.account_id)
    matches: list[dict] = []
    scanned = 0
    while scanned < scan_limit:
        asked = min(CHUNK, scan_limit - scanned)
        rows = connection.execute(_after(select_rows(registry, include_restricted), after).limit(asked)).all()
        for row in rows:
            scanned += 1
            after = (row.updated_at, row.id)
            for one in _with_added([row], decrypt_each(keys, [row], fields, bad)):
                if any(needle in fold(one[name]) for name in SEARCHED_FIELDS):
                    matches.append(one)
            if len(matches) == limit:
                break
        if len(matches) == limit:
            break
        if len(rows) < asked:
            return matches, None, scanned  # the registry's end
    more = connection.execute(_after(select_rows(registry, include_restricted), after).limit(1)).first()
    return matches, (after if more is not None else None), scanned


def _after(query, after: tuple | None):
    """The rows after a position in (updated_at, id) order, in that order."""
    query = query.order_by(participants.c.updated_at, participants.c.id)
    if after is None:
        return query
    return query.where(sa.tuple_(participants.c.updated_at, participants.c.id) > after)
