"""The adequacy registry as data: who is in the EEA on a day, which territories are not, and each EU decision.

Everything is read from `adequacy.json` beside this module and checked at load; nothing here judges a transfer
(that is `policy.py`). Every period is a pair of inclusive calendar days.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from importlib import resources

from processor import countries

DATA_FILE = "adequacy.json"
MEMBERSHIP_RULES = {
    "eu": "eea",
    "eea-agreement": "eea",
    "eu-territory": "eea",
    "withdrawal-transition": "eu-transition",
    "tca-bridge": "eu-uk-bridge",
}


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Period:
    start: dt.date | None
    end: dt.date | None

    def covers(self, on: dt.date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


@dataclass(frozen=True)
class Membership:
    """A span of days on which a code counted as the EEA (membership, EU territory, transition or bridge)."""

    country: str
    basis: str
    rule: str
    period: Period
    part_of: str | None
    source: str


@dataclass(frozen=True)
class Outside:
    """A territory that is neither EU nor EEA territory on its days, and why."""

    country: str
    period: Period
    why: str
    source: str


@dataclass(frozen=True)
class AdequacyRow:
    """One Commission decision for one country, with the days it covered transfers."""

    country: str
    rule: str
    start: dt.date
    end: dt.date | None
    limit: str
    attestation: str | None
    source: str
    invalidated_by: str = ""
    judgment: dt.date | None = None

    def in_force(self, on: dt.date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)

    def period(self, today: dt.date | None = None) -> str:
        """The days it covers, never saying a future day has passed."""
        if self.end is None:
            return f"since {self.start}"
        if self.end >= (today or dt.datetime.now(dt.UTC).date()):
            return f"from {self.start}, running until {self.end}"
        return f"from {self.start} to {self.end}"


@dataclass(frozen=True)
class AdequacyRegistry:
    """The adequacy registry as loaded from the data file."""

    version: str
    encoded_from: dt.date
    eea_source: str
    attestations: dict[str, str]
    members: tuple[Membership, ...]
    outside: tuple[Outside, ...]
    rows: tuple[AdequacyRow, ...]
    # Decisions already made, by (code, day, attestations held): the check runs on every participant read, and
    # the answer for a code changes only with the day. Decisions are immutable, so sharing them is safe.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def by_country(self) -> dict[str, tuple[AdequacyRow, ...]]:
        return _grouped(self.rows, key=lambda r: r.start)

    @functools.cached_property
    def members_by_country(self) -> dict[str, tuple[Membership, ...]]:
        return _grouped(self.members, key=lambda m: m.period.start or dt.date.min)

    @functools.cached_property
    def outside_by_country(self) -> dict[str, tuple[Outside, ...]]:
        return _grouped(self.outside, key=lambda o: o.period.start or dt.date.min)

    def eea_on(self, on: dt.date) -> frozenset[str]:
        """The EU Member States and EEA Agreement states on a day (territories and bridges left out)."""
        return frozenset(m.country for m in self.members if m.basis in {"eu", "eea-agreement"} and m.period.covers(on))

    @property
    def eea(self) -> frozenset[str]:
        """Today's EEA states."""
        return self.eea_on(dt.datetime.now(dt.UTC).date())


def _grouped(items, key) -> dict:
    grouped: dict[str, list] = {}
    for item in items:
        grouped.setdefault(item.country, []).append(item)
    return {code: tuple(sorted(values, key=key)) for code, values in grouped.items()}


def _decision(entry: dict, kinds: dict) -> AdequacyRow:
    invalidated = entry.get("invalidated") or {}
    row = AdequacyRow(
        country=entry["country"],
        rule=entry["rule"],
        start=dt.date.fromisoformat(entry["from"]),
        end=_day(entry.get("to")),
        limit=entry.get("limit", ""),
        attestation=entry.get("attestation"),
        source=entry["source"],
        invalidated_by=invalidated.get("case", ""),
        judgment=_day(invalidated.get("delivered")),
    )
    if not countries.is_country(row.country) or (row.end and row.end < row.start) or not row.source:
        raise ValueError(f"adequacy row for {row.country} is inconsistent")
    if row.attestation is not None and row.attestation not in kinds:
        raise ValueError(f"adequacy row for {row.country} names an unknown attestation {row.attestation}")
    # A judgment binds from the day it is delivered: that day is no longer covered.
    if row.judgment and row.end != row.judgment - dt.timedelta(days=1):
        raise ValueError(f"adequacy row for {row.country} must end the day before its judgment")
    return row


def _membership(entry: dict) -> Membership:
    member = Membership(
        country=entry["country"],
        basis=entry["basis"],
        rule=entry.get("rule") or MEMBERSHIP_RULES.get(entry["basis"], ""),
        period=Period(_day(entry["from"]), _day(entry.get("to"))),
        part_of=entry.get("part_of"),
        source=entry["source"],
    )
    if member.basis not in MEMBERSHIP_RULES or member.rule != MEMBERSHIP_RULES[member.basis]:
        raise ValueError(f"EEA row for {member.country} has an unknown basis or rule")
    if not countries.is_country(member.country) or not member.source:
        raise ValueError(f"EEA row for {member.country} is inconsistent")
    return member


def parse_registry(data: dict) -> AdequacyRegistry:
    """Build the registry from the data file's JSON, refusing rows that cannot be right."""
    kinds = dict(data.get("attestations") or {})
    eea = data["eea"]
    members = tuple(_membership(entry) for entry in eea["members"])
    outside = tuple(
        Outside(e["country"], Period(_day(e.get("from")), _day(e.get("to"))), e["why"], e["source"])
        for e in data.get("outside", ())
    )
    if not all(countries.is_country(o.country) and o.why and o.source for o in outside):
        raise ValueError("an 'outside' row is not an ISO 3166-1 code with a reason and a source")
    return AdequacyRegistry(
        version=data["version"],
        encoded_from=dt.date.fromisoformat(data.get("encoded_from", "2000-01-01")),
        eea_source=eea["source"],
        attestations=kinds,
        members=members,
        outside=outside,
        rows=tuple(_decision(entry, kinds) for entry in data["decisions"]),
    )


@functools.cache
def default_registry() -> AdequacyRegistry:
    """The registry shipped in the package (read once per process)."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_registry(json.loads(text))
