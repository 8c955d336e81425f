"""Map a file's header to participant fields: known aliases, the organizer's changes, custom fields."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from processor.exceptions import ValidationFailed
from processor.normalize import FIELD_LIMITS, MAX_CUSTOM_FIELDS, PARTICIPANT_FIELDS

CUSTOM, IGNORE = "custom", "ignore"
ATTENDANCE_FIELDS = ("registered_at", "joined_at", "left_at", "minutes_attended")
FIELDS = PARTICIPANT_FIELDS + ATTENDANCE_FIELDS
FIELD_LABELS = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "phone": "Phone",
    "company": "Company",
    "job_title": "Job title",
    "country": "Country",
    "registered_at": "Registered at (date and time, UTC unless given)",
    "joined_at": "Joined at (date and time, UTC unless given)",
    "left_at": "Left at (date and time, UTC unless given)",
    "minutes_attended": "Minutes attended",
    CUSTOM: "Custom field (named after the column)",
    IGNORE: "Ignore this column",
}

# Header variants in English and Polish, and the export headers of Zoom, Eventbrite, ClickMeeting, Mailchimp and
# HubSpot (registration and attendee reports, audience and contact exports). Compared after `header_key`.
ALIASES = {
    "email": [
        "Email",
        "E-mail",
        "Email Address",
        "E-mail address",
        "Mail",
        "Adres e-mail",
        "Adres email",
        "Attendee email",
        "Participant email",
        "User email",
        "Email (Original)",
        "Contact email",
        "Registrant email",
        "Adres poczty elektronicznej",
        "Poczta e-mail",
    ],
    "first_name": [
        "First name",
        "Firstname",
        "Given name",
        "Forename",
        "Imię",
        "Imie",
        "FNAME",
        "Attendee first name",
        "Registrant first name",
        "Contact first name",
    ],
    "last_name": [
        "Last name",
        "Lastname",
        "Surname",
        "Family name",
        "Nazwisko",
        "LNAME",
        "Attendee last name",
        "Registrant last name",
        "Contact last name",
    ],
    "phone": [
        "Phone",
        "Phone number",
        "Telephone",
        "Mobile",
        "Mobile phone",
        "Mobile phone number",
        "Cell phone",
        "Work phone",
        "Home phone",
        "Telefon",
        "Nr telefonu",
        "Numer telefonu",
        "Telefon komórkowy",
        "Tel",
        "Tel.",
        "Phone Number (Original)",
        "PHONE",
    ],
    "company": [
        "Company",
        "Company name",
        "Organization",
        "Organisation",
        "Organization name",
        "Firma",
        "Nazwa firmy",
        "Organizacja",
        "Instytucja",
        "Employer",
        "Associated company",
        "COMPANY",
    ],
    "job_title": [
        "Job title",
        "Title",
        "Position",
        "Job position",
        "Role",
        "Stanowisko",
        "Funkcja",
        "Job Title (Original)",
    ],
    "country": [
        "Country",
        "Country/Region",
        "Country / Region",
        "Country/Region Name",
        "Country code",
        "Kraj",
        "Państwo",
        "COUNTRY",
    ],
    "registered_at": ["Registration time", "Registered at", "Registration date", "Order date", "Data rejestracji"],
    "joined_at": ["Join time", "Joined at", "Data dołączenia"],
    "left_at": ["Leave time", "Left at", "Data opuszczenia"],
    "minutes_attended": [
        "Duration (minutes)",
        "Time in session (minutes)",
        "Minutes attended",
        "Attendance duration (minutes)",
        "Czas uczestnictwa (min)",
    ],
}


def header_key(name: str) -> str:
    """Fold a header for comparison: case, accents, spaces and punctuation do not matter ("E-mail" == "email")."""
    decomposed = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L").casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


_BY_KEY = {header_key(alias): field for field, aliases in ALIASES.items() for alias in aliases}


def header_digest(header: list[str]) -> str:
    """Identify a header row, so a saved mapping is reused when the same columns come again."""
    return hashlib.sha256("\x1f".join(header_key(name) for name in header).encode()).hexdigest()


def suggest(header: list[str]) -> list[str]:
    """Map each column to a field by its alias; the first column claiming a field wins, unknown ones are ignored."""
    mapping, taken = [], set()
    for name in header:
        field = _BY_KEY.get(header_key(name))
        if field is None or field in taken:
            mapping.append(IGNORE)
        else:
            taken.add(field)
            mapping.append(field)
    return mapping


def parse_overrides(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Turn CLI `Column=field` pairs into a dict; the column may contain `=`, the target may not."""
    overrides = {}
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        if not sep or not column.strip():
            raise ValidationFailed(f"--map takes Column=field, not {pair[:60]!r}.")
        overrides[column.strip()] = target.strip()
    return overrides


def apply_overrides(header: list[str], mapping: list[str], overrides: dict[str, str]) -> list[str]:
    """Change the mapping of the named columns (by exact or folded header name)."""
    mapping = list(mapping)
    keys = [header_key(name) for name in header]
    for column, target in overrides.items():
        matches = [i for i, name in enumerate(header) if name == column] or [
            i for i, key in enumerate(keys) if key == header_key(column)
        ]
        if not matches:
            raise ValidationFailed(f"--map names a column the file does not have: {column[:60]!r}.")
        for index in matches:
            mapping[index] = target
    return mapping


def check(header: list[str], mapping: list[str]) -> list[str]:
    """Validate a mapping against its header; raise ValidationFailed naming every problem."""
    problems = []
    if len(mapping) != len(header):
        raise ValidationFailed("The mapping does not match the file's columns.")
    for name, target in zip(header, mapping, strict=True):
        if target not in FIELDS and target not in (CUSTOM, IGNORE):
            problems.append(f"column {name[:60]!r}: unknown field {target[:40]!r}")
        elif target == CUSTOM and not name.strip():
            problems.append("a column without a header cannot become a custom field")
        elif target == CUSTOM and len(name.strip()) > FIELD_LIMITS["custom_field_name"]:
            problems.append(
                f"column {name[:60]!r}: a custom field name has at most {FIELD_LIMITS['custom_field_name']} characters"
            )
    for field in FIELDS:
        if mapping.count(field) > 1:
            problems.append(f"{FIELD_LABELS[field]} is mapped from more than one column")
    if "email" not in mapping:
        problems.append("no column is mapped to Email, which every participant needs")
    if mapping.count(CUSTOM) > MAX_CUSTOM_FIELDS:
        problems.append(f"at most {MAX_CUSTOM_FIELDS} custom fields")
    if problems:
        raise ValidationFailed(
            "The column mapping cannot be used: " + "; ".join(problems) + ".",
            errors=[{"field": "mapping", "detail": p} for p in problems],
        )
    return mapping


def columns_of(header: list[str], mapping: list[str]) -> dict[str, str]:
    """The header name each mapped field comes from (for error reports), custom fields by their own name."""
    columns = {}
    for name, target in zip(header, mapping, strict=True):
        if target == CUSTOM:
            columns[f"custom_fields.{name.strip()}"] = name
        elif target != IGNORE:
            columns[target] = name
    columns["custom_fields"] = next((n for n, t in zip(header, mapping, strict=True) if t == CUSTOM), "")
    return columns


def raw_participant(cells: list[str], header: list[str], mapping: list[str]) -> dict:
    """Build the raw dict normalize_participant takes from one row's cells."""
    raw, custom = {}, {}
    for name, target, value in zip(header, mapping, cells, strict=False):
        if target == IGNORE:
            continue
        if target == CUSTOM:
            custom[name.strip()] = value
        else:
            raw[target] = value
    if custom:
        raw["custom_fields"] = custom
    return raw


_ADDRESS = re.compile(r"\s*[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+\s*")


def is_header_row(cells: list[str]) -> bool:
    """Whether a file's first row names its columns: a row holding an email address is a participant."""
    return not any(_ADDRESS.fullmatch(cell) for cell in cells)


def suggest_for_values(cells: list[str]) -> list[str]:
    """A mapping for a file without a header row: the column holding email addresses is the email."""
    mapping, found = [], False
    for cell in cells:
        if not found and _ADDRESS.fullmatch(cell):
            mapping.append("email")
            found = True
        else:
            mapping.append(IGNORE)
    return mapping
