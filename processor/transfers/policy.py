"""Where participant data may go on a given day: the EEA, or a country with an EU adequacy decision in force.

The facts live in `adequacy.json` beside this module (one row per Commission decision, each with its source);
this module only reads them. Boundary dates are inclusive on both ends: a decision covers transfers from its
adoption day through its last day (`to`), e.g. GB through 2031-12-27. For the US, `dpf_certified` means
"the recipient is certified under the scheme in force that day" (Safe Harbor, Privacy Shield or the DPF).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import asdict, dataclass, field
from importlib import resources

from processor import countries
from processor.errors import Forbidden

DATA_FILE = "adequacy.json"
CODE_PATTERN = re.compile(r"[A-Za-z]{2}")  # ASCII only: str.upper() turns some other letters into two
SCHEMES = {
    "dpf": "the EU-US Data Privacy Framework",
    "safe-harbor": "the Safe Harbor privacy principles",
    "privacy-shield": "the EU-US Privacy Shield",
}
# Codes people type that ISO 3166-1 does not assign: say which code they mean instead of a bare refusal.
NEAR_MISSES = {"UK": "GB", "EL": "GR", "EU": "an EEA member's code"}
MEMO_LIMIT = 10_000


@dataclass(frozen=True)
class AdequacyRow:
    """One Commission decision for one country, with the days it covered transfers."""

    country: str
    rule: str
    start: dt.date
    end: dt.date | None
    limit: str
    certification: str | None
    source: str

    def in_force(self, on: dt.date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)

    def period(self) -> str:
        return f"from {self.start} to {self.end}" if self.end else f"since {self.start}"


@dataclass(frozen=True)
class Registry:
    """The adequacy registry as loaded from the data file."""

    version: str
    eea: frozenset[str]
    eea_source: str
    rows: tuple[AdequacyRow, ...]
    # Decisions already made, by (code, day, certified): the check runs on every participant read, and the
    # answer for a code changes only with the day. Decisions are immutable, so sharing them is safe.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def by_country(self) -> dict[str, tuple[AdequacyRow, ...]]:
        grouped: dict[str, list[AdequacyRow]] = {}
        for row in self.rows:
            grouped.setdefault(row.country, []).append(row)
        return {code: tuple(sorted(rows, key=lambda r: r.start)) for code, rows in grouped.items()}


def parse_registry(data: dict) -> Registry:
    """Build a Registry from the data file's JSON, refusing rows that cannot be right."""
    rows = []
    for entry in data["decisions"]:
        row = AdequacyRow(
            country=entry["country"],
            rule=entry["rule"],
            start=dt.date.fromisoformat(entry["from"]),
            end=dt.date.fromisoformat(entry["to"]) if entry.get("to") else None,
            limit=entry.get("limit", ""),
            certification=entry.get("certification"),
            source=entry["source"],
        )
        if not countries.is_country(row.country) or (row.end and row.end < row.start) or not row.source:
            raise ValueError(f"adequacy row for {row.country} is inconsistent")
        if row.certification is not None and row.certification not in SCHEMES:
            raise ValueError(f"adequacy row for {row.country} names an unknown scheme {row.certification}")
        rows.append(row)
    eea = frozenset(data["eea"]["members"])
    if not all(countries.is_country(code) for code in eea):
        raise ValueError("the EEA list holds a code that is not ISO 3166-1 alpha-2")
    return Registry(version=data["version"], eea=eea, eea_source=data["eea"]["source"], rows=tuple(rows))


@functools.cache
def default_registry() -> Registry:
    """The registry shipped in the package (read once per process)."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_registry(json.loads(text))


@dataclass(frozen=True)
class Decision:
    """The answer for one destination on one day."""

    allowed: bool
    rule: str
    reason: str
    source: str
    country: str
    on: dt.date
    condition: str = ""

    def as_dict(self) -> dict:
        return {**asdict(self), "on": self.on.isoformat()}


class TransferRefused(Forbidden):
    slug = "transfer-refused"
    title = "Transfer refused"

    def __init__(self, decision: Decision):
        super().__init__(
            decision.reason,
            extra={
                "rule": decision.rule,
                "date": decision.on.isoformat(),
                "country": decision.country,
                "source": decision.source,
            },
        )
        self.decision = decision


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _as_day(on: dt.date | dt.datetime | str | None) -> dt.date:
    """The UTC calendar day of a transfer, from a date, a datetime or an ISO 8601 date string."""
    if on is None:
        return today()
    if isinstance(on, dt.datetime):
        return (on.astimezone(dt.UTC) if on.tzinfo else on).date()
    if isinstance(on, dt.date):
        return on
    if isinstance(on, str):
        return dt.date.fromisoformat(on.strip())
    raise TypeError(f"the day of a transfer must be a date, not {type(on).__name__}")


class TransferPolicy:
    """Judge a destination country on the day of the transfer."""

    def __init__(self, registry: Registry | None = None):
        self.registry = registry or default_registry()

    def check(self, destination: str | None, on: dt.date | str | None = None, dpf_certified: bool = False) -> Decision:
        """Return whether participant data may go to `destination` (ISO 3166-1 alpha-2) on the day `on`."""
        day = _as_day(on)
        code = destination.strip() if isinstance(destination, str) else ""
        if not CODE_PATTERN.fullmatch(code):  # checked before upper(): "\ufb01".upper() is "FI"
            return self._refuse(
                "malformed-country", day, "", "a destination must be a two-letter ISO 3166-1 country code, e.g. PL."
            )
        code = code.upper()
        key = (code, day, bool(dpf_certified))
        decision = self.registry.memo.get(key)
        if decision is None:
            if len(self.registry.memo) >= MEMO_LIMIT:
                self.registry.memo.clear()
            decision = self.registry.memo[key] = self._decide(code, day, bool(dpf_certified))
        return decision

    def _decide(self, code: str, day: dt.date, dpf_certified: bool) -> Decision:
        if not countries.is_country(code):
            hint = f" (did you mean {NEAR_MISSES[code]}?)" if code in NEAR_MISSES else ""
            return self._refuse(
                "unknown-country", day, code, f"{code} is not an ISO 3166-1 alpha-2 country code{hint}."
            )
        label = f"{countries.name(code)} ({code})"
        if code in self.registry.eea:
            return Decision(
                True,
                "eea",
                f"Allowed on {day} (eea): {label} is in the European Economic Area.",
                self.registry.eea_source,
                code,
                day,
            )
        rows = self.registry.by_country.get(code, ())
        current = [row for row in rows if row.in_force(day)]
        if current:
            return self._judge(current[-1], label, day, dpf_certified)
        ended = [row for row in rows if row.end and row.end < day]
        if ended:
            last = max(ended, key=lambda r: r.end)
            return self._refuse(
                "adequacy-expired",
                day,
                code,
                f"the EU adequacy decision for {label} ended on {last.end} and none is in force.",
                last.source,
            )
        upcoming = f" (the first applies from {rows[0].start})" if rows else ""
        return self._refuse(
            "not-adequate", day, code, f"{label} is outside the EEA and has no EU adequacy decision in force{upcoming}."
        )

    def require(
        self, destination: str | None, on: dt.date | str | None = None, dpf_certified: bool = False
    ) -> Decision:
        """Return the allowing decision, or raise TransferRefused naming the rule and the date."""
        decision = self.check(destination, on=on, dpf_certified=dpf_certified)
        if not decision.allowed:
            raise TransferRefused(decision)
        return decision

    def in_force(self, on: dt.date | None = None) -> list[AdequacyRow]:
        """The adequacy decisions that cover transfers on the day `on`, by country."""
        day = _as_day(on)
        return sorted((row for row in self.registry.rows if row.in_force(day)), key=lambda r: r.country)

    def _judge(self, row: AdequacyRow, label: str, day: dt.date, certified: bool) -> Decision:
        if row.certification and not certified:
            scheme = SCHEMES[row.certification]
            return self._refuse(
                f"{row.certification}-certification-required",
                day,
                row.country,
                f"the EU adequacy decision for {label} covers only recipients certified under "
                f"{scheme}, and this recipient is not.",
                row.source,
            )
        condition = f"; condition: {row.limit}" if row.limit else ""
        reason = f"Allowed on {day} ({row.rule}): {label} has an EU adequacy decision in force {row.period()}"
        return Decision(True, row.rule, reason + condition + ".", row.source, row.country, day, row.limit)

    @staticmethod
    def _refuse(rule: str, day: dt.date, code: str, why: str, source: str = "") -> Decision:
        return Decision(False, rule, f"Refused on {day} ({rule}): {why}", source, code, day)


def check_export_destination(country: str | None, on: dt.date | None = None) -> Decision:
    """Allow a CSV export to `country` on the day `on` (today by default), or raise TransferRefused."""
    return TransferPolicy().require(country, on=on)
