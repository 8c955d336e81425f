"""What fills the DPA: the organizer's business details, the account, the processor and the sub-processor annex."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass

from flask import current_app

from contracts.signing import canonical_json
from processor import countries, terms
from processor.errors import ValidationFailed, field_errors
from processor.messaging.models import KIND_LABELS, KINDS
from processor.transfers import subprocessors as registry

# DOMAIN.md rule 1 (seed 004, "Outsourcing"): email plus what the organizer considers necessary for the service.
PERSONAL_DATA_TYPES = (
    "email address",
    "first and last name",
    "phone number",
    "company and job title",
    "country",
    "custom registration fields defined by the Controller",
    "attendance (joined, left, duration)",
)
LIMITS = {"business_name": 200, "street": 200, "postal_code": 16, "city": 100, "contact": 200}
OPTIONAL_LIMITS = {"dpo": 200}
NO_DPO = "none appointed"
# Annex I's processor side and the court of clause 14; defaults are the seed's processor (seed 004).
PROCESSOR_DEFAULTS = {
    "PROCESSOR_CONTACT": "Data protection team, dpa@clickmeeting.com",
    "PROCESSOR_DPO": "Data Protection Officer, iod@clickmeeting.com",
    "PROCESSOR_SEAT": "Gdańsk, Poland",
}
# The scope attestations an adequacy decision can require of a recipient (DOMAIN.md, "Reference facts").
ATTESTATION_NAMES = {
    "dpf": "EU-US Data Privacy Framework certification",
    "pipeda": "subject to PIPEDA as a commercial organisation (Canada)",
    "appi": "business operator under the APPI with the supplementary rules (Japan)",
    "pipa": "subject to PIPA, outside FSC-supervised credit information (Korea)",
    "lgpd": "subject to the LGPD (Brazil)",
}
POSTAL_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z -]*$")


@dataclass(frozen=True)
class BusinessDetails:
    """The organizer's business name and address, as entered on the contract form."""

    business_name: str
    street: str
    postal_code: str
    city: str
    country: str
    contact: str = ""
    dpo: str = ""

    @classmethod
    def parse(cls, **fields: str | None) -> BusinessDetails:
        """Strip and check every field; raise ValidationFailed naming each bad one."""
        values = {name: (fields.get(name) or "").strip() for name in (*LIMITS, *OPTIONAL_LIMITS, "country")}
        problems = {}
        for name, limit in (LIMITS | OPTIONAL_LIMITS).items():
            if not values[name]:
                if name in LIMITS:
                    problems[name] = "This field is required."
            elif len(values[name]) > limit:
                problems[name] = f"At most {limit} characters."
            elif any(unicodedata.category(ch) == "Cc" for ch in values[name]):
                problems[name] = "Remove control characters (tabs, line breaks)."
        if "postal_code" not in problems and not POSTAL_CODE.match(values["postal_code"]):
            problems["postal_code"] = "Use letters, digits, spaces and dashes, e.g. 80-387."
        values["country"] = values["country"].upper()
        if not countries.is_country(values["country"]):
            problems["country"] = "Choose a country by its ISO 3166-1 code, e.g. PL."
        if problems:
            raise ValidationFailed(
                "The agreement was not prepared.",
                errors=field_errors(problems),
            )
        return cls(**values)

    def as_dict(self) -> dict:
        return asdict(self)


def processor_identity() -> dict:
    """The processor's side of Annex I and its seat, from the configuration (a change offers a new version)."""
    config = current_app.config
    return {
        "processor_name": config["PROCESSOR_NAME"],
        "processor_address": config["PROCESSOR_ADDRESS"],
        "processor_contact": config.get("PROCESSOR_CONTACT") or PROCESSOR_DEFAULTS["PROCESSOR_CONTACT"],
        "processor_dpo": config.get("PROCESSOR_DPO") or PROCESSOR_DEFAULTS["PROCESSOR_DPO"],
        "processor_seat": config.get("PROCESSOR_SEAT") or PROCESSOR_DEFAULTS["PROCESSOR_SEAT"],
    }


def current_annex(on: dt.date | None = None) -> list[dict]:
    """Annex IV as it stands on `on` (today): every sub-processor engaged or announced, from the registry."""
    day = on or dt.datetime.now(dt.UTC).date()
    rows = [_registry_row(row) for row in registry.annex_rows(on=day)]
    return sorted(rows, key=lambda row: (row["name"], row["country"], row["purpose"]))


def _registry_row(row) -> dict:
    """One row of the registry's annex (engaged or intended, dated attestation) as Annex IV shows it."""
    if row.status == "engaged":
        status = f"engaged since {_day(row.effective_on)}"
    else:
        status = f"intended: takes effect on {_day(row.effective_on)} (announced {_day(row.announced_on)})"
    if row.emergency_reason:
        status += f"; at once, because: {row.emergency_reason}"
    return {
        "name": row.name,
        "address": row.address or "not recorded",
        "purpose": row.purpose,
        "country": _country(row.country),
        "basis": _basis(row.transfer_allowed, row.transfer_basis, row.transfer_source),
        "attestation": _attestation(row.attestation),
        "status": status,
    }


def _basis(allowed: bool, rule: str, source: str) -> str:
    """Annex IV's "transfer basis": the EEA, the adequacy decision relied on, or none."""
    if not allowed:
        return "none in force: no Personal Data is transferred to it"
    if rule == "eea":
        return "within the European Economic Area"
    # The UK's transition period and bridge are not adequacy decisions: their source says what they are.
    return f"adequacy decision: {source}" if rule.startswith("adequacy") else source


def _attestation(held: dict | None) -> str:
    if not held:
        return "none held"
    name = ATTESTATION_NAMES.get(held["kind"], held["kind"])
    until = f" to {_day(held['valid_to'])}" if held.get("valid_to") else ""
    return f"{name}, reference {held['reference']}, valid from {_day(held['valid_from'])}{until}"


def _country(code: str) -> str:
    return f"{countries.name(code)} ({code})"


def message_kinds() -> list[str]:
    """The kinds of message the code can send to participants (processor.messaging), as the contract names them."""
    return [KIND_LABELS[kind].lower() for kind in KINDS]


def offer_fingerprint(*, template_version: str, account_title: str, annex: list[dict], processor: dict) -> str:
    """Hash what can change under a signed agreement: the template, the account title, the sub-processors."""
    inputs = {"template_version": template_version, "account_title": account_title, "subprocessors": annex, **processor}
    return hashlib.sha256(canonical_json(inputs)).hexdigest()


def build_context(
    *,
    account,
    details: BusinessDetails,
    version: int,
    annex: list[dict],
    processor: dict,
    today: dt.date,
) -> dict:
    """Every variable the template reads, as JSON-ready strings, numbers and lists (a draft: unsigned)."""
    return {
        **processor,
        "business_name": details.business_name,
        "street": details.street,
        "postal_code": details.postal_code,
        "city": details.city,
        "country_name": countries.name(details.country),
        "contact": details.contact,
        "dpo": details.dpo or NO_DPO,
        "login": account.login,
        "account_title": account.title,
        "date_of_conclusion": account.created_at.date().isoformat(),
        "version": version,
        "personal_data_types": list(PERSONAL_DATA_TYPES),
        "message_kinds": message_kinds(),
        "retention_days_free": terms.HOLD_DAYS["free"],
        "retention_days_paid": terms.HOLD_DAYS["paid"],
        "return_window_days": terms.RETURN_WINDOW_DAYS,
        "request_days": terms.SUBJECT_REQUEST_DAYS,
        "request_extension_months": terms.SUBJECT_REQUEST_EXTENSION_MONTHS,
        "subprocessor_notice_days": notice_days(),
        "subprocessors": annex,
        "subprocessors_as_of": today.isoformat(),
    }


def notice_days() -> int:
    """The sub-processor notice period the registry applies (SUBPROCESSOR_NOTICE_DAYS)."""
    return registry.notice_days()


def _day(value) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else str(value)
