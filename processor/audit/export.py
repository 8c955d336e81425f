"""The access log as CSV: what the page shows (names, plain words) plus the codes and hashes behind it.

The file opens with two lines saying what it is: a record of accesses to participant data, not the data itself
(it holds registry and client names, never a participant's). Every cell goes through `csv_safety.neutralize`, and
rows are produced one batch at a time so a long log streams instead of filling memory.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator

from processor.audit import query as log_query
from processor.audit.describe import KINDS, Labeller
from processor.csv_safety import neutralize_row
from processor.db_types import utcnow
from processor.purposes import label

HEADER = (
    "entry",
    "time (UTC)",
    "who",
    "actor as logged",
    "channel",
    "kind",
    "purpose",
    "purpose code",
    "registry",
    "registry id",
    "fields",
    "records",
    "destination",
    "outcome",
    "reason",
    "entry hash",
)


def describe_filter(query: log_query.LogQuery, actors: dict, labeller: Labeller) -> str:
    """The filter in words, for the file's second line."""
    parts = []
    if query.start or query.end:
        parts.append(f"from {query.start or 'the start'} to {query.end or 'today'} (UTC days)")
    if query.actor:
        parts.append(f"who: {actors.get(query.actor, query.actor)}")
    if query.registry:
        parts.append(f"registry: {labeller.registry(query.registry)}")
    if query.kind:
        parts.append(f"kind: {KINDS[query.kind]}")
    return "; ".join(parts) or "none (the whole log)"


def filename(login: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in login)[:40]
    return f"access-log-{safe}-{utcnow():%Y-%m-%d}.csv"


def rows(account_id: uuid.UUID, login: str, query: log_query.LogQuery) -> Iterator[str]:
    """Yield the CSV text of the filtered log, a line at a time, oldest entry first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        writer.writerow(neutralize_row(cells))
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    labeller = log_query.labeller(account_id, login)
    yield line(
        [
            "About this file",
            f"Access log of the organizer account {login}, exported {utcnow():%Y-%m-%d %H:%M} UTC: who used your "
            "participants' data, when, why and with what outcome. It lists accesses, not participant data.",
        ]
    )
    yield line(["Filter", describe_filter(query, dict(log_query.actor_choices(account_id)), labeller)])
    yield line([])
    yield line(HEADER)
    for entry in log_query.iter_entries(account_id, query):
        row = labeller.row(entry)
        yield line(
            [
                entry.seq,
                entry.created_at.isoformat(timespec="seconds"),
                row["actor"],
                entry.actor,
                row["channel"],
                row["kind_label"],
                label(entry.purpose),
                entry.purpose,
                row["registry"],
                entry.registry_id or "",
                ", ".join(row["fields"]),
                entry.records,
                row["destination"],
                row["outcome"],
                row["reason"],
                entry.entry_hash,
            ]
        )
