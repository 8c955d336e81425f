"""Where participant data may go on a given day: the EEA, or a country with an EU adequacy decision in force.

The facts live in `adequacy.json` (read by `adequacy.py`); this module only judges. Boundary dates are inclusive:
a decision covers transfers from its adoption day through its last day (`to`). EEA membership is judged on the
day (accessions, the EEA Agreement, the UK's transition and bridge, EU territory with its own ISO code). A
scope-limited decision covers a recipient only while it holds the attestation the decision needs (`dpf`, `pipeda`,
`appi`, `pipa`, `lgpd`; `safe-harbor`/`privacy-shield` for the invalidated US decisions, which never stand in for
the DPF). Days before the registry's first encoded day are refused: no rule is encoded for them.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Protocol

from processor import countries
from processor.errors import Forbidden
from processor.transfers.adequacy import (
    AdequacyRegistry,
    AdequacyRow,
    Membership,
    default_registry,
    parse_registry,
)

__all__ = ["Decision", "TransferPolicy", "TransferRefused", "default_registry", "parse_registry"]

CODE_PATTERN = re.compile(r"[A-Za-z]{2}")  # ASCII only: str.upper() turns some other letters into two
ATTESTATION_KINDS = ("dpf", "pipeda", "appi", "pipa", "lgpd", "safe-harbor", "privacy-shield")
# The US schemes are certifications: their refusals keep the names callers already know.
CERTIFICATIONS = {"dpf", "safe-harbor", "privacy-shield"}
# Codes people type that ISO 3166-1 does not assign: say which code they mean instead of a bare refusal.
NEAR_MISSES = {"UK": "GB", "EL": "GR", "EU": "an EEA member's code"}
MEMO_LIMIT = 10_000
NONE_HELD, DPF_HELD = frozenset(), frozenset({"dpf"})
# The hot path's normalizations, remembered (bounded): a typed code -> its ISO code; a tuple of bare kinds -> kinds.
_CODES: dict[str, str] = {}
_BARE_KINDS: dict[tuple, frozenset[str]] = {}


class HeldAttestation(Protocol):
    kind: str
    valid_from: dt.date
    valid_to: dt.date | None


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
    attestation: str = ""  # the kind the decision needs the recipient to hold, if any

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


_EPOCH = dt.date(1970, 1, 1).toordinal()
_TODAY: list = [None, None]  # (days since the epoch, that day as a date): rebuilt once a day


def today() -> dt.date:
    """Today's UTC calendar day (from the epoch clock, rebuilt once a day: this runs on every check)."""
    days = int(time.time() // 86400)
    if _TODAY[0] != days:
        _TODAY[:] = [days, dt.date.fromordinal(_EPOCH + days)]
    return _TODAY[1]


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


def held_on(attestations: Iterable[str | HeldAttestation] | None, day: dt.date) -> frozenset[str]:
    """The attestation kinds valid on `day`; a bare kind (as typed on the CLI) counts as held that day."""
    if type(attestations) is tuple and (cached := _BARE_KINDS.get(attestations)) is not None:
        return cached
    kinds, bare = set(), True
    for held in attestations or ():
        if isinstance(held, str):
            kinds.add(held.strip().lower())
        else:
            bare = False
            if held.valid_from <= day and (held.valid_to is None or day <= held.valid_to):
                kinds.add(held.kind)
    kinds = frozenset(kinds)
    if bare and type(attestations) is tuple and len(_BARE_KINDS) < MEMO_LIMIT:
        _BARE_KINDS[attestations] = kinds  # bare kinds hold on any day: safe to remember
    return kinds


def _label(code: str) -> str:
    return f"{countries.name(code)} ({code})"


class TransferPolicy:
    """Judge a destination country on the day of the transfer."""

    def __init__(self, registry: AdequacyRegistry | None = None):
        self.registry = registry or default_registry()

    def check(
        self,
        destination: str | None,
        on: dt.date | str | None = None,
        attestations: Iterable[str | HeldAttestation] | None = None,
        dpf_certified: bool = False,
    ) -> Decision:
        """Return whether participant data may go to `destination` (ISO 3166-1 alpha-2) on the day `on`.

        `attestations` are what the recipient holds (records with kind and validity, or bare kinds);
        `dpf_certified=True` is the older spelling of holding a `dpf` attestation.
        """
        day = _as_day(on)
        code = _CODES.get(destination) if isinstance(destination, str) else None
        if code is None:
            code = destination.strip() if isinstance(destination, str) else ""
            if not CODE_PATTERN.fullmatch(code):  # checked before upper(): "\ufb01".upper() is "FI"
                return _refuse(
                    "malformed-country", day, "", "a destination must be a two-letter ISO 3166-1 country code, e.g. PL."
                )
            code = code.upper()
            if len(_CODES) < MEMO_LIMIT:
                _CODES[destination] = code
        held = held_on(attestations, day) if attestations else NONE_HELD
        if dpf_certified:
            held = held | DPF_HELD if held else DPF_HELD
        # Today is part of the key: whether a decision's last day has passed changes how the reason is worded.
        key = (code, day, held, today())
        decision = self.registry.memo.get(key)
        if decision is None:
            if len(self.registry.memo) >= MEMO_LIMIT:
                self.registry.memo.clear()
            decision = self.registry.memo[key] = self._decide(code, day, held)
        return decision

    def require(
        self,
        destination: str | None,
        on: dt.date | str | None = None,
        attestations: Iterable[str | HeldAttestation] | None = None,
        dpf_certified: bool = False,
    ) -> Decision:
        """Return the allowing decision, or raise TransferRefused naming the rule and the date."""
        decision = self.check(destination, on=on, attestations=attestations, dpf_certified=dpf_certified)
        if not decision.allowed:
            raise TransferRefused(decision)
        return decision

    def in_force(self, on: dt.date | None = None) -> list[AdequacyRow]:
        """The adequacy decisions that cover transfers on the day `on`, by country."""
        day = _as_day(on)
        return sorted((row for row in self.registry.rows if row.in_force(day)), key=lambda r: r.country)

    def _decide(self, code: str, day: dt.date, held: frozenset[str]) -> Decision:
        if not countries.is_country(code):
            hint = f" (did you mean {NEAR_MISSES[code]}?)" if code in NEAR_MISSES else ""
            return _refuse("unknown-country", day, code, f"{code} is not an ISO 3166-1 alpha-2 country code{hint}.")
        if day < self.registry.encoded_from:
            return _refuse(
                "no-rule-encoded",
                day,
                code,
                f"no rule encoded for that date; the registry judges transfers from {self.registry.encoded_from}.",
                f"adequacy registry version {self.registry.version}, encoded from {self.registry.encoded_from}",
            )
        label = _label(code)
        members = self.registry.members_by_country.get(code, ())
        for member in members:
            if member.period.covers(day):
                return Decision(True, member.rule, _member_reason(member, label, day), member.source, code, day)
        rows = self.registry.by_country.get(code, ())
        current = [row for row in rows if row.in_force(day)]
        if current:
            return _judge(current[-1], label, day, held)
        for outside in self.registry.outside_by_country.get(code, ()):
            if outside.period.covers(day):
                return _refuse("outside-eu-territory", day, code, f"{outside.why}.", outside.source)
        ended = [row for row in rows if row.end and row.end < day]
        if ended:
            return _ended(max(ended, key=lambda r: r.end), label, day)
        joins = sorted((m for m in members if m.period.start and m.period.start > day), key=lambda m: m.period.start)
        adopted = [row for row in rows if row.start > day]
        upcoming, source = "", ""
        if joins:
            upcoming, source = f" (it is in the EEA from {joins[0].period.start})", joins[0].source
        elif adopted:
            upcoming, source = f" (the first decision for it applies from {adopted[0].start})", adopted[0].source
        return _refuse(
            "not-adequate",
            day,
            code,
            f"{label} is outside the EEA on that day and has no EU adequacy decision in force{upcoming}.",
            source,
        )


def _member_reason(member: Membership, label: str, day: dt.date) -> str:
    start, end = member.period.start, member.period.end
    until = f" until {end}" if end else ""
    if member.basis == "eu":
        why = f"{label} is in the European Economic Area: an EU Member State from {start}{until}"
    elif member.basis == "eea-agreement":
        why = f"{label} is in the European Economic Area: a party to the EEA Agreement from {start}{until}"
    elif member.basis == "eu-territory":
        why = f"{label} is EU territory as part of {_label(member.part_of)}, so in the European Economic Area"
    elif member.basis == "withdrawal-transition":
        why = (
            f"{label} had left the EU, but Union law, the GDPR included, applied to it through {end} "
            "(the withdrawal transition period)"
        )
    else:
        why = (
            f"transfers to {label} were not transfers to a third country through {end} under the EU-UK "
            "Trade and Cooperation Agreement's bridge (Art. FINPROV.10A), until the adequacy decision applied"
        )
    return f"Allowed on {day} ({member.rule}): {why}."


def _judge(row: AdequacyRow, label: str, day: dt.date, held: frozenset[str]) -> Decision:
    kind = row.attestation
    if kind and kind not in held:
        noun = "certification" if kind in CERTIFICATIONS else "attestation"
        note = ""
        if kind == "dpf" and held & {"safe-harbor", "privacy-shield"}:
            note = " A Safe Harbor or Privacy Shield certification is not a Data Privacy Framework certification."
        return _refuse(
            f"{kind}-{noun}-required",
            day,
            row.country,
            f"the EU adequacy decision for {label} covers only recipients that hold a valid '{kind}' {noun} "
            f"({row.limit}), and this recipient holds none for that day.{note}",
            row.source,
            attestation=kind,
        )
    condition = f"; condition: {row.limit}" if row.limit else ""
    attested = (
        f"; the recipient holds a '{kind}' {'certification' if kind in CERTIFICATIONS else 'attestation'}"
        if kind
        else ""
    )
    reason = f"Allowed on {day} ({row.rule}): {label} has an EU adequacy decision in force {row.period()}"
    return Decision(
        True, row.rule, reason + condition + attested + ".", row.source, row.country, day, row.limit, kind or ""
    )


def _ended(last: AdequacyRow, label: str, day: dt.date) -> Decision:
    if last.invalidated_by:
        return _refuse(
            "adequacy-invalidated",
            day,
            last.country,
            f"the Court of Justice declared the decision that covered {label} invalid in {last.invalidated_by} "
            f"(judgment delivered on {last.judgment}); it covered transfers through {last.end}, and no decision "
            "is in force on that day.",
            last.source,
        )
    verb = "ended on" if last.end < today() else "runs only until"
    return _refuse(
        "adequacy-expired",
        day,
        last.country,
        f"the EU adequacy decision for {label} {verb} {last.end} and none is in force on that day.",
        last.source,
    )


def _refuse(rule: str, day: dt.date, code: str, why: str, source: str = "", attestation: str = "") -> Decision:
    return Decision(False, rule, f"Refused on {day} ({rule}): {why}", source, code, day, attestation=attestation)


def check_export_destination(
    country: str | None, on: dt.date | None = None, attestations: Iterable[str | HeldAttestation] | None = None
) -> Decision:
    """Allow a CSV export to `country` on the day `on` (today by default), or raise TransferRefused."""
    return TransferPolicy().require(country, on=on, attestations=attestations)
