"""Say what an access-log entry means in plain words: its kind, its actor, its outcome.

An entry stores no operation column: the gate writes what it did as the start of the (hashed) reason ("export:
...", "import: ...", "participant deleted"). The kind is read from there by one ordered rule table, used both to
label a row (`kind_of`) and to filter in SQL (`kind_clause`), so a row is always listed under the kind it shows.
Deriving it from hashed columns means nobody can relabel an entry without breaking the chain.
"""

from __future__ import annotations

import sqlalchemy as sa

from processor import countries
from processor.audit.models import AccessLogEntry

# (kind, label, reason prefixes, reason substrings); the first rule that matches wins; a refusal comes first and
# an allowed entry that matches none is a read.
_RULES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("request", "Data-subject request", ("subject request ", "viewed subject request "), ()),
    ("import", "Import", ("import:",), ()),
    ("export", "Export or return", ("export:", "account data downloaded"), ("database returned",)),
    ("message", "Messages sent", ("queued ",), ()),
    ("delete", "Deletion", ("account erased", "earlier erasure"), (" deleted",)),
    ("write", "Change", ("participant added", "participant edited"), ()),
    ("maintenance", "Security upkeep", ("key rotation:", "legacy rows sealed", "access log re-keyed"), ()),
    ("account", "Account and sub-processors", ("account removed", "account reactivated"), ("sub-processor",)),
)
REFUSED, READ = "refused", "read"
KINDS: dict[str, str] = {
    READ: "Read",
    **{kind: label for kind, label, _, _ in _RULES},
    REFUSED: "Refused attempt",
}
CHANNELS = {"web": "Web app", "api": "API", "cli": "Command line", "support": "Support tool"}

# The system's own jobs, as the log names them (processor.access.Actor.system and older fixed names).
SYSTEM_JOBS = {
    "retention": "Scheduled erasure",
    "deadline-check": "Request deadline check",
    "system:import": "Import of your upload",
    "system:key-rotation": "Scheduled key rotation",
    "system:seal-legacy-rows": "Upgrade: sealing older rows",
    "system:return-package": "Return package",
    "system:subject-request": "Data-subject request handling",
    "system:audit-rekey": "Upgrade: access-log re-keying",
}
OPERATOR = "operator (cli)"


def _matches(reason: str, prefixes: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    return reason.startswith(prefixes) or any(part in reason for part in parts)


def kind_of(entry: AccessLogEntry) -> str:
    """The kind of access an entry records (a key of KINDS)."""
    if not entry.allowed:
        return REFUSED
    reason = entry.reason or ""
    for kind, _, prefixes, parts in _RULES:
        if _matches(reason, prefixes, parts):
            return kind
    return READ


def _rule_clause(prefixes: tuple[str, ...], parts: tuple[str, ...]):
    reason = AccessLogEntry.reason
    return sa.or_(
        *(reason.startswith(p, autoescape=True) for p in prefixes),
        *(reason.contains(p, autoescape=True) for p in parts),
    )


def kind_clause(kind: str):
    """The SQL condition selecting the entries `kind_of` names `kind`."""
    if kind == REFUSED:
        return AccessLogEntry.allowed.is_(False)
    earlier = []
    for rule_kind, _, prefixes, parts in _RULES:
        clause = _rule_clause(prefixes, parts)
        if rule_kind == kind:
            return sa.and_(AccessLogEntry.allowed.is_(True), clause, *(sa.not_(e) for e in earlier))
        earlier.append(clause)
    if kind == READ:
        # A NULL reason matches no rule, but NOT(NULL LIKE ...) is NULL, not true: list it explicitly.
        return sa.and_(
            AccessLogEntry.allowed.is_(True),
            sa.or_(AccessLogEntry.reason.is_(None), sa.not_(sa.or_(*earlier))),
        )
    raise ValueError(f"unknown kind {kind!r}")


def outcome(entry: AccessLogEntry) -> str:
    """Allowed, refused, or failed part way (with how many records had been handed out)."""
    if not entry.allowed:
        return "Refused"
    if "FAILED after" in (entry.reason or ""):
        return f"Failed after {entry.records} records"
    return "Allowed"


def is_system_job(actor: str) -> bool:
    return actor in SYSTEM_JOBS or actor.startswith("system:")


def actor_label(entry: AccessLogEntry, *, login: str, own_clients: frozenset[str]) -> str:
    """Who acted, in words the organizer knows: itself, its API client, our service, a staff member, a job."""
    name = entry.actor
    if entry.actor_type == "account":
        return f"You ({login if name in (login, 'organizer') else name})"
    if entry.actor_type == "client":
        return f"Your API client “{name}”" if name in own_clients else f"Our service “{name}”"
    if is_system_job(name):
        return SYSTEM_JOBS.get(name) or f"System job “{name.removeprefix('system:')}”"
    if name == OPERATOR:
        return "Our operations team (command line)"
    if name.startswith("client:"):
        return f"Support desk “{name.removeprefix('client:')}”"
    return f"{name} (support staff)"


def destination(code: str | None) -> str:
    """The destination country by name, or an empty string when the data did not leave."""
    return countries.name(code) if code else ""


class Labeller:
    """Turn entries into the rows a page or a CSV shows, with one organizer's names at hand."""

    def __init__(self, *, login: str, registries: dict, own_clients: frozenset[str]):
        self.login, self.registries, self.own_clients = login, registries, own_clients

    def registry(self, registry_id) -> str:
        """The registry's name; a deleted one by the start of its id, so entries about it stay told apart."""
        if registry_id is None:
            return ""
        name = self.registries.get(registry_id)
        return name if name is not None else f"Deleted registry ({str(registry_id)[:8]}…)"

    def row(self, entry: AccessLogEntry) -> dict:
        kind = kind_of(entry)
        return {
            "entry": entry,
            "seq": entry.seq,
            "created_at": entry.created_at,
            "actor": actor_label(entry, login=self.login, own_clients=self.own_clients),
            "channel": CHANNELS.get(entry.channel, entry.channel),
            "kind": kind,
            "kind_label": KINDS[kind],
            "purpose": entry.purpose,
            "registry": self.registry(entry.registry_id),
            "registry_deleted": entry.registry_id is not None and entry.registry_id not in self.registries,
            "fields": entry.field_list,
            "records": entry.records,
            "destination": destination(entry.destination_country),
            "outcome": outcome(entry),
            "reason": entry.reason or "",
        }
