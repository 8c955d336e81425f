"""What fills the DPA: the organizer's business details, the account, the processor and the sub-processor annex."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass

from flask import current_app

from contracts.signing import canonical_json
from processor import countries
from processor.errors import ValidationFailed, field_errors
from processor.terms import HOLD_DAYS as RETENTION_DAYS
from processor.terms import RETURN_WINDOW_DAYS
from processor.transfers.subprocessors import list_subprocessors

# Seed 004, "Erasure of Processed Data": held no less than 60 days (free test account) or 90 days (paid
# account) after removal, then erased; the participant database is returned at a request within 7 days of erasure.
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
LIMITS = {"business_name": 200, "street": 200, "postal_code": 16, "city": 100}
POSTAL_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z -]*$")


@dataclass(frozen=True)
class BusinessDetails:
    """The organizer's business name and address, as entered on the contract form."""

    business_name: str
    street: str
    postal_code: str
    city: str
    country: str

    @classmethod
    def parse(cls, **fields: str | None) -> BusinessDetails:
        """Strip and check every field; raise ValidationFailed naming each bad one."""
        values = {name: (fields.get(name) or "").strip() for name in (*LIMITS, "country")}
        problems = {}
        for name, limit in LIMITS.items():
            if not values[name]:
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
    return {
        "processor_name": current_app.config["PROCESSOR_NAME"],
        "processor_address": current_app.config["PROCESSOR_ADDRESS"],
    }


def current_annex() -> list[dict]:
    """The annex rows of the sub-processor registry as it stands now."""
    return annex_rows(list_subprocessors())


def annex_rows(subprocessors) -> list[dict]:
    """The sub-processor registry's rows as the annex shows them, in a stable order."""
    rows = [
        {
            "name": row.name,
            "purpose": row.purpose,
            "country": f"{countries.name(row.country)} ({row.country})",
            "dpf_certified": "yes" if row.dpf_certified else "no",
            "added_at": _day(row.added_at),
        }
        for row in subprocessors
    ]
    return sorted(rows, key=lambda row: (row["name"], row["country"], row["purpose"]))


def offer_fingerprint(*, template_version: str, account_title: str, annex: list[dict], processor: dict) -> str:
    """Hash what can change under a signed agreement: the template, the account title, the sub-processors."""
    inputs = {"template_version": template_version, "account_title": account_title, "subprocessors": annex, **processor}
    return hashlib.sha256(canonical_json(inputs)).hexdigest()


def build_context(
    *,
    account,
    details: BusinessDetails,
    version: int,
    template_version: str,
    annex: list[dict],
    processor: dict,
    today: dt.date,
) -> dict:
    """Every variable the template reads, as JSON-ready strings, numbers and lists."""
    return {
        **processor,
        "business_name": details.business_name,
        "street": details.street,
        "postal_code": details.postal_code,
        "city": details.city,
        "country_name": countries.name(details.country),
        "login": account.login,
        "account_title": account.title,
        "date_of_conclusion": account.created_at.date().isoformat(),
        "version": version,
        "template_version": template_version,
        "personal_data_types": list(PERSONAL_DATA_TYPES),
        "retention_days_free": RETENTION_DAYS["free"],
        "retention_days_paid": RETENTION_DAYS["paid"],
        "return_window_days": RETURN_WINDOW_DAYS,
        "subprocessors": annex,
        "subprocessors_as_of": today.isoformat(),
    }


def _day(value) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else str(value)
