"""Participant field rules shared by manual entry, CSV import and the API: validate, clean, normalize."""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import re
import unicodedata

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email

from processor import countries
from processor.exceptions import ValidationFailed, field_errors

PARTICIPANT_FIELDS = ("email", "first_name", "last_name", "phone", "company", "job_title", "country")
TIME_FIELDS = ("registered_at", "joined_at", "left_at")

# Longest accepted value per field, in characters (email: RFC 5321 path limit).
FIELD_LIMITS = {
    "email": 254,
    "first_name": 100,
    "last_name": 100,
    "phone": 32,
    "company": 200,
    "job_title": 200,
    "country": 64,
    "lawful_basis": 500,
    "custom_field_name": 64,
    "custom_field_value": 1000,
}
MAX_CUSTOM_FIELDS = 50
MAX_MINUTES_ATTENDED = 60 * 24 * 7

# Bidirectional overrides and isolates can make a name display as something else ("Trojan Source").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Control characters (Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F) and the bidi controls above:
# one regular-expression search instead of a category look-up per character (bulk imports call this per field).
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(_BIDI_CONTROLS)) + "]")
# Company, job title and custom fields may hold several lines (a registration answer, a two-line company name):
# line breaks and tabs are kept there exactly; every other control character is still refused.
_FORBIDDEN_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + "".join(sorted(_BIDI_CONTROLS)) + "]")
MULTILINE_FIELDS = frozenset({"company", "job_title"})
# Fields a row can do without: a bad value there is a warning (the field left empty), not a lost participant.
OPTIONAL_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "phone",
        "company",
        "job_title",
        "country",
        "registered_at",
        "joined_at",
        "left_at",
        "minutes_attended",
    }
)


def _remember_domain_checks(size: int = 4096) -> None:
    """Let email-validator check each distinct domain once per process, not once per address.

    Two thirds of `validate_email`'s time goes to the domain (UTS-46 character checks, IDNA), and the domain's
    verdict depends on the domain and two flags alone: a bulk import's thousands of addresses share a few hundred
    domains. `validate_email` looks its domain checker up in its module at each call, so it is wrapped there in a
    bounded LRU cache; the check itself stays the library's. Invalid domains raise, and exceptions are never
    cached. If a future email-validator moves the function, the cache is simply not installed.
    """
    module = importlib.import_module("email_validator.validate_email")
    check = getattr(module, "validate_email_domain_name", None)
    if check is not None and not hasattr(check, "cache_info"):
        module.validate_email_domain_name = functools.lru_cache(maxsize=size)(check)


_remember_domain_checks()
# phonenumbers compiles its metadata's patterns through `re.compile` at every use unless asked to keep them: a
# few hundred patterns for the regions met, compiled once (the library's own switch, as libphonenumber's RegexCache).
phonenumbers.enable_pattern_cache()


class FieldError(Exception):
    """One field is invalid; the reason never quotes the value (it may be personal data)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def clean_text(field: str, value: str | None, *, limit: int | None = None, multiline: bool = False) -> str | None:
    """Trim, NFC-normalize and bound a text value; refuse control characters (line breaks and tabs too unless
    `multiline`). Empty becomes None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(field, "Must be text.")
    value = unicodedata.normalize("NFC", value.strip())
    if not value:
        return None
    limit = limit or FIELD_LIMITS.get(field, FIELD_LIMITS["custom_field_value"])
    if len(value) > limit:
        raise FieldError(field, f"Too long: at most {limit} characters.")
    if (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN).search(value):
        if multiline:
            raise FieldError(field, "Contains control characters.")
        raise FieldError(field, "Contains control characters (such as line breaks or tabs).")
    return value


def normalize_email(value: str | None) -> str:
    """Validate an email's syntax (no DNS look-up) and return its normalized form."""
    value = clean_text("email", value)
    if value is None:
        raise FieldError("email", "An email address is required.")
    try:
        return validate_email(value, check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError as exc:
        local = value.rpartition("@")[0]
        if local and not local.isascii():
            raise FieldError(
                "email",
                "The part before the @ has non-ASCII characters (such as ą or é); "
                "most mail servers cannot deliver to such an address.",
            ) from None
        raise FieldError("email", f"Not a valid email address: {_without_value(str(exc), value)}") from None


def email_index_form(email: str) -> str:
    """Return the canonical form fed to the blind index: normalized, NFC, case-folded as a whole."""
    return index_form_of_normalized(normalize_email(email))


def index_form_of_normalized(email: str) -> str:
    """The index form of an address normalize_email already returned (bulk paths: no second validation)."""
    return unicodedata.normalize("NFC", email).casefold()


def normalize_phone(value: str | None, region: str | None) -> str | None:
    """Parse a phone number (the region is the default for numbers without +CC) and return E.164."""
    value = clean_text("phone", value)
    if value is None:
        return None
    try:
        number = phonenumbers.parse(value, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        hint = "" if value.startswith("+") or region else " Give it with its country code, e.g. +48."
        raise FieldError("phone", f"Not a phone number.{hint}") from None
    if not phonenumbers.is_valid_number(number):
        raise FieldError("phone", "Not a valid phone number for its country.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_country(value: str | None) -> str | None:
    """Return the ISO 3166-1 alpha-2 code for a code, an English or Polish name, or a common alias."""
    value = clean_text("country", value)
    if value is None:
        return None
    code = _country_names().get(_fold(value))
    if code is None:
        raise FieldError("country", "Unknown country: use an ISO code (PL) or a name (Poland, Polska).")
    return code


def normalize_participant(raw: dict, *, default_region: str | None) -> dict:
    """Validate and normalize one participant; raise ValidationFailed listing every bad field."""
    ((clean, errors),) = normalize_participants([raw], default_region=default_region)
    if errors:
        raise ValidationFailed("The participant is not valid.", errors=errors)
    return clean


def normalize_participants(
    raws: list[dict], *, default_region: str | None
) -> list[tuple[dict | None, list[dict] | None]]:
    """Validate and normalize many participants: (clean, None) for each valid one, (None, errors) for the others.

    Rule by rule over the whole batch rather than row by row: every email, then every name, country, phone and
    so on. The verdicts are the same as one row at a time, but each library (email-validator, phonenumbers) keeps
    its code and tables in the CPU's caches for the whole batch, which makes a bulk import about a third faster.
    """
    return [(clean, errors) for clean, errors, _ in _normalize(raws, default_region, lenient=False)]


def normalize_participants_leniently(
    raws: list[dict], *, default_region: str | None
) -> list[tuple[dict | None, list[dict] | None, list[dict] | None]]:
    """As normalize_participants, but a bad optional value (OPTIONAL_FIELDS, a custom field) is left empty and
    reported as a warning: (clean, None, warnings or None); only a row without a valid email is (None, errors, None).
    """
    return _normalize(raws, default_region, lenient=True)


def _normalize(raws: list[dict], default_region: str | None, *, lenient: bool) -> list:
    cleans: list[dict] = [{} for _ in raws]
    problems: list[dict] = [{} for _ in raws]

    def column(field: str, rule, values: list) -> None:
        if not values:  # every row of the batch failed before normalizing
            return
        if values.count(None) == len(values) and _nothing_gives_none(rule):
            for clean in cleans:  # a field no row has (a column the file lacks): nothing to check row by row
                clean[field] = None
            return
        for clean, problem, value in zip(cleans, problems, values, strict=True):
            try:
                clean[field] = rule(value)
            except FieldError as exc:
                problem[exc.field] = exc.reason
                if lenient and field != "email":
                    clean[field] = None

    def values_of(field: str):
        return [raw.get(field) for raw in raws]

    column("email", normalize_email, values_of("email"))
    for field in ("first_name", "last_name", "company", "job_title"):
        column(field, functools.partial(clean_text, field, multiline=field in MULTILINE_FIELDS), values_of(field))
    column("country", normalize_country, values_of("country"))
    # The row's own country, else the organizer's, is the default region of a number given without +CC.
    regions = [clean.get("country") or default_region for clean in cleans]
    column("phone", lambda pair: normalize_phone(*pair), list(zip(values_of("phone"), regions, strict=True)))
    column("lawful_basis", functools.partial(clean_text, "lawful_basis"), values_of("lawful_basis"))
    if lenient:
        pairs = list(zip(values_of("custom_fields"), problems, strict=True))
        column("custom_fields", lambda pair: _custom_fields(*pair), pairs)
    else:
        column("custom_fields", _custom_fields, values_of("custom_fields"))
    for field in TIME_FIELDS:
        column(field, functools.partial(_timestamp, field), values_of(field))
    column("minutes_attended", _minutes, values_of("minutes_attended"))
    results: list = []
    for clean, problem in zip(cleans, problems, strict=True):
        if lenient:
            _check_attendance(clean, problem)
            if problem.get("left_at") and clean.get("left_at"):
                clean["left_at"] = None
        elif not problem:
            _check_attendance(clean, problem)
        fatal = problem if not lenient else {f: r for f, r in problem.items() if not _optional(f)}
        if fatal:
            results.append((None, field_errors(problem), None))  # every reason, so all can be fixed at once
        elif problem:
            results.append((clean, None, field_errors(problem)))
        else:
            results.append((clean, None, None))
    return results


def _optional(field: str) -> bool:
    return field in OPTIONAL_FIELDS or field.startswith("custom_fields")


def _nothing_gives_none(rule) -> bool:
    """Whether a rule stores a missing value as None (email refuses one; custom fields make it {})."""
    try:
        return rule(None) is None
    except FieldError:
        return False


def _custom_fields(value, problem: dict | None = None) -> dict[str, str]:
    """The clean custom fields; with `problem` (the row's problems) a bad item is left out and noted there instead
    of refusing them all."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise FieldError("custom_fields", "Must be a mapping of field names to values.")
    if len(value) > MAX_CUSTOM_FIELDS:
        raise FieldError("custom_fields", f"At most {MAX_CUSTOM_FIELDS} custom fields.")
    clean = {}
    for name, item in value.items():
        name = clean_text("custom_field_name", name if isinstance(name, str) else str(name))
        if name is None:
            raise FieldError("custom_fields", "A custom field has no name.")
        try:
            item = clean_text(
                f"custom_fields.{name}",
                None if item is None else str(item),
                limit=FIELD_LIMITS["custom_field_value"],
                multiline=True,
            )
        except FieldError as exc:
            if problem is None:
                raise
            problem[exc.field] = exc.reason
            continue
        if item is not None:
            clean[name] = item
    return clean


def _timestamp(field: str, value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = parse_time(field, value)
        if value is None:
            return None
    if not isinstance(value, dt.datetime):
        raise FieldError(field, "Not a date and time.")
    # A time without a zone is taken as UTC, the zone every stored time is in.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# Dates and times as webinar tools and spreadsheets export them (see docs/import.md for the sources).
# ISO 8601 is tried first, exactly as before; then this short, explicit list. Nothing is guessed: a numeric date
# whose day and month could be either way round (03/04/2026) is refused, and so are two-digit years and time-zone
# abbreviations (CST is three zones). Month names are English, parsed here rather than by strptime's locale-bound
# %b. A time without a zone is UTC; a date without a time is midnight UTC.
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# Matched against the value trimmed, case-folded and with runs of spaces made one.
_DATES = (
    ("name", re.compile(r"(?P<month>[a-z]{3,9})\.? (?P<day>\d{1,2}),? (?P<year>\d+)")),  # Nov 22, 2026 (Zoom)
    ("name", re.compile(r"(?P<day>\d{1,2})[ -](?P<month>[a-z]{3,9})\.?,?[ -](?P<year>\d+)")),  # 22 Nov 2026
    ("ymd", re.compile(r"(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})")),  # 2026-11-22, 2026/11/22
    ("dmy", re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d+)")),  # 22.11.2026 (always day first)
    ("slash", re.compile(r"(?P<first>\d{1,2})/(?P<second>\d{1,2})/(?P<year>\d+)")),  # 11/22/2026 or 22/11/2026
)
# What may follow the date: a time (24-hour, or 12-hour with AM/PM), then Z, UTC, GMT or an offset.
_TIME = re.compile(
    r"(?:(?:[ T]|, )(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?"
    r"(?: ?(?P<half>[ap])\.?m\.?)?(?: ?(?P<zone>z|utc|gmt|[+-]\d{2}:?\d{2}|[a-z]{2,5}))?)?"
)
_DASHES = re.compile(r"-{1,2}|\u2013|\u2014")  # Zoom writes "--" where a non-attendee has no join time
TIME_HINT = (
    "use ISO 8601 (2026-11-22T10:00:00Z, 2026-11-22 10:00:00) or a month name (Nov 22, 2026 10:00 AM); "
    "a time without a zone is taken as UTC."
)


def parse_time(field: str, text: str) -> dt.datetime | None:
    """Read a date and time from text; None for a blank cell or a dash. The reason never quotes the value."""
    text = text.strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))  # unchanged for every ISO 8601 string
    except ValueError:
        pass
    if not text or _DASHES.fullmatch(text):
        return None
    folded = " ".join(text.casefold().split())
    for style, pattern in _DATES:
        date = pattern.match(folded)
        if date is None:
            continue
        time = _TIME.fullmatch(folded, date.end())
        if time is None:
            break
        return _assemble(field, style, date, time)
    raise FieldError(field, f"Not a date and time we can read: {TIME_HINT}")


def _assemble(field: str, style: str, date: re.Match, time: re.Match) -> dt.datetime:
    parts = date.groupdict()
    if len(parts["year"]) != 4:
        raise FieldError(field, "Give the year with four digits, e.g. 2026-11-22.")
    year, day = int(parts["year"]), int(parts.get("day") or 0)
    if style == "name":
        month = _MONTHS.get(parts["month"])
        if month is None:
            raise FieldError(field, "Not a month name: month names are read in English (Nov or November).")
    elif style == "slash":
        first, second = int(parts["first"]), int(parts["second"])
        if first != second and first <= 12 and second <= 12:
            raise FieldError(
                field,
                "The day and the month could be either way round (03/04 is 3 April in Europe "
                "and March 4 in the US): write the date as 2026-11-22 or with the month's "
                "name (Nov 22, 2026).",
            )
        month, day = (first, second) if second > 12 or first == second else (second, first)
    else:
        month = int(parts["month"])
    try:
        date_part = dt.date(year, month, day)
    except ValueError:
        raise FieldError(field, "Not a real date: check the day and the month.") from None
    return dt.datetime.combine(date_part, _clock(field, time.groupdict()))


def _clock(field: str, parts: dict) -> dt.time:
    if parts["hour"] is None:
        return dt.time()
    hour, minute, second = int(parts["hour"]), int(parts["minute"]), int(parts["second"] or 0)
    if parts["half"]:
        if not 1 <= hour <= 12:
            raise FieldError(field, "Not a valid time: with AM or PM the hour is 1 to 12.")
        hour = hour % 12 + (12 if parts["half"] == "p" else 0)
    zone = parts["zone"]
    if zone is None:
        tzinfo = None
    elif zone in ("z", "utc", "gmt"):
        tzinfo = dt.UTC
    elif zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[-2:])
        if hours > 23 or minutes > 59:
            raise FieldError(field, "Not a valid time-zone offset: use +HH:MM, e.g. +01:00.")
        offset = dt.timedelta(hours=hours, minutes=minutes)
        tzinfo = dt.timezone(-offset if zone[0] == "-" else offset)
    else:
        raise FieldError(
            field,
            "Time-zone abbreviations are not accepted (some, such as CST, name several "
            "zones): give an offset such as +01:00, or Z for UTC.",
        )
    try:
        return dt.time(hour, minute, second, int((parts["fraction"] or "0").ljust(6, "0")), tzinfo=tzinfo)
    except ValueError:
        raise FieldError(field, "Not a valid time of day.") from None


def _minutes(value) -> int | None:
    if value in (None, "") or (isinstance(value, str) and (not value.strip() or _DASHES.fullmatch(value.strip()))):
        return None  # a blank cell, or Zoom's "--" for someone who did not attend
    try:
        minutes = int(str(value).strip())
    except ValueError:
        raise FieldError("minutes_attended", "Must be a whole number of minutes.") from None
    if not 0 <= minutes <= MAX_MINUTES_ATTENDED:
        raise FieldError("minutes_attended", f"Must be between 0 and {MAX_MINUTES_ATTENDED}.")
    return minutes


def _check_attendance(clean: dict, problems: dict) -> None:
    joined, left = clean.get("joined_at"), clean.get("left_at")
    if joined and left:
        if left < joined:
            problems["left_at"] = "Left before joining."
        elif clean.get("minutes_attended") is None:
            clean["minutes_attended"] = int((left - joined).total_seconds() // 60)


def _without_value(message: str, value: str) -> str:
    """email-validator's messages sometimes quote the address or parts of it; keep them out."""
    for part in {value, *value.split("@")}:
        if part:
            message = message.replace(part, "…")
    return message


def _fold(text: str) -> str:
    """Case-fold and strip accents and punctuation, so "Côte d'Ivoire" and "cote divoire" meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


# Common names that are neither ISO codes nor pycountry's English or Polish names.
_ALIASES = {
    "GB": [
        "UK",
        "U.K.",
        "United Kingdom",
        "Great Britain",
        "Britain",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "Wielka Brytania",
        "Anglia",
        "Szkocja",
        "Walia",
    ],
    "US": ["USA", "U.S.A.", "U.S.", "United States of America", "America", "Stany Zjednoczone", "Stany", "SZA"],
    "DE": ["Deutschland", "Niemcy", "Germany"],
    "PL": ["Polska", "Poland", "Rzeczpospolita Polska"],
    "CZ": ["Czechy", "Czech Republic", "Czechia", "Česko", "Republika Czeska"],
    "NL": ["Holland", "Holandia", "The Netherlands", "Nederland"],
    "KR": ["South Korea", "Korea", "Republic of Korea", "Korea Południowa"],
    "RU": ["Russia", "Rosja"],
    "AT": ["Österreich", "Austria"],
    "CH": ["Schweiz", "Suisse", "Svizzera", "Szwajcaria"],
    "ES": ["España", "Hiszpania"],
    "IT": ["Italia", "Włochy"],
    "SE": ["Sverige"],
    "NO": ["Norge"],
    "DK": ["Danmark"],
    "FI": ["Suomi"],
    "HU": ["Magyarország"],
    "RO": ["România"],
    "HR": ["Hrvatska"],
    "SK": ["Slovensko", "Słowacja"],
    "IE": ["Éire", "Eire", "Irlandia"],
    "BE": ["België", "Belgique"],
    "GR": ["Hellas", "Grecja"],
    "TR": ["Turkey", "Türkiye", "Turcja"],
    "UA": ["Ukraina"],
    "LT": ["Lietuva", "Litwa"],
    "LV": ["Latvija", "Łotwa"],
    "EE": ["Eesti", "Estonia"],
    "VN": ["Vietnam"],
    "CI": ["Ivory Coast"],
    "VA": ["Vatican", "Vatican City", "Watykan"],
    "TW": ["Taiwan", "Tajwan"],
}


@functools.cache
def _country_names() -> dict[str, str]:
    polish = countries.polish()
    names: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        candidates = [code, country.alpha_3, country.name, polish.gettext(country.name)]
        candidates += [getattr(country, attr) for attr in ("common_name", "official_name") if hasattr(country, attr)]
        for candidate in candidates:
            names.setdefault(_fold(candidate), code)
    for code, aliases in _ALIASES.items():
        for alias in aliases:
            names[_fold(alias)] = code
    return names
