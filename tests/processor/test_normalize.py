"""Participant field rules: what is accepted, how it is normalized, and what is refused and why."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.errors import ValidationFailed
from processor.normalize import (
    FieldError,
    clean_text,
    email_index_form,
    normalize_country,
    normalize_email,
    normalize_participant,
    normalize_phone,
    parse_time,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("  Ada.Lovelace@Example.COM ", "Ada.Lovelace@example.com"),
        ("jan@przykład.pl", "jan@przykład.pl"),
    ],
)
def test_emails_are_trimmed_and_their_domain_normalized(given, expected):
    assert normalize_email(given) == expected


def test_index_form_is_case_insensitive():
    assert email_index_form("Ada@Example.com") == email_index_form("ada@EXAMPLE.com ")


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("", "required"),
        ("not-an-email", "Not a valid email address"),
        ("żółw@example.com", "non-ASCII characters"),
        ("a@b@example.com", "Not a valid email address"),
        ("x" * 250 + "@example.com", "Too long"),
    ],
)
def test_bad_emails_are_refused_with_a_reason_that_does_not_quote_them(given, reason):
    with pytest.raises(FieldError) as caught:
        normalize_email(given)
    assert caught.value.field == "email"
    assert reason in caught.value.reason
    if given:
        assert given not in caught.value.reason


@pytest.mark.parametrize(
    ("given", "region", "expected"),
    [
        ("601 234 567", "PL", "+48601234567"),
        ("+49 30 901820", None, "+4930901820"),
        ("(202) 456-1111", "US", "+12024561111"),
        ("", "PL", None),
    ],
)
def test_phones_are_stored_as_e164(given, region, expected):
    assert normalize_phone(given, region) == expected


@pytest.mark.parametrize(("given", "region"), [("123", "PL"), ("call me", "PL"), ("601 234 567", None)])
def test_bad_phones_are_refused(given, region):
    with pytest.raises(FieldError, match="phone"):
        normalize_phone(given, region)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("pl", "PL"),
        ("Poland", "PL"),
        ("Polska", "PL"),
        ("POLSKA", "PL"),
        ("Niemcy", "DE"),
        ("Deutschland", "DE"),
        ("UK", "GB"),
        ("Wielka Brytania", "GB"),
        ("United States", "US"),
        ("USA", "US"),
        ("Czechy", "CZ"),
        ("Côte d'Ivoire", "CI"),
        ("cote divoire", "CI"),
        ("Hiszpania", "ES"),
        ("DEU", "DE"),
        ("Włochy", "IT"),
    ],
)
def test_countries_are_accepted_as_codes_english_or_polish_names_and_aliases(given, expected):
    assert normalize_country(given) == expected


@pytest.mark.parametrize("given", ["XX", "Atlantis", "P"])
def test_unknown_countries_are_refused(given):
    with pytest.raises(FieldError, match="Unknown country"):
        normalize_country(given)


@pytest.mark.parametrize("given", ["Ada\nLovelace", "Ada\x00", "Ada\u202eecalevol", "Ada\tL"])
def test_control_characters_are_refused(given):
    with pytest.raises(FieldError, match="control characters"):
        clean_text("first_name", given)


def test_text_is_nfc_normalized_so_polish_letters_compare_equal():
    decomposed = "Zo\u0301fia Z\u0307o\u0301\u0142w"
    assert clean_text("first_name", decomposed) == "Zófia Żółw"


def test_participant_is_normalized_with_the_rows_country_as_phone_region():
    clean = normalize_participant(
        {
            "email": "Ola@Example.com",
            "first_name": " Aleksandra ",
            "last_name": "Łęcka",
            "phone": "030 901820",
            "country": "Niemcy",
            "custom_fields": {"Dieta": " wegańska "},
            "joined_at": "2026-11-20T10:00:00+01:00",
            "left_at": "2026-11-20T10:45:30+01:00",
        },
        default_region="PL",
    )
    assert clean["email"] == "Ola@example.com"
    assert (clean["first_name"], clean["last_name"], clean["country"]) == ("Aleksandra", "Łęcka", "DE")
    assert clean["phone"] == "+4930901820"
    assert clean["custom_fields"] == {"Dieta": "wegańska"}
    assert clean["joined_at"] == dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    assert clean["minutes_attended"] == 45
    assert clean["company"] is None


def test_every_bad_field_is_named_at_once():
    with pytest.raises(ValidationFailed) as caught:
        normalize_participant(
            {"email": "nope", "phone": "12", "country": "Atlantis", "first_name": "x" * 101, "minutes_attended": "-5"},
            default_region="PL",
        )
    fields = {error["field"] for error in caught.value.errors}
    assert fields == {"email", "phone", "country", "first_name", "minutes_attended"}
    assert all(error["pointer"] == f"#/{error['field']}" for error in caught.value.errors)


def test_leaving_before_joining_is_refused():
    with pytest.raises(ValidationFailed, match="not valid") as caught:
        normalize_participant(
            {"email": "a@example.com", "joined_at": "2026-11-20T10:00:00Z", "left_at": "2026-11-20T09:00:00Z"},
            default_region=None,
        )
    assert caught.value.errors[0]["field"] == "left_at"


@pytest.mark.parametrize("value", ["tab\there", "bell\x07", "c1\x85x", "rlo\u202eevil", "del\x7f"])
def test_control_and_bidi_characters_are_refused(value):
    with pytest.raises(FieldError, match="control characters"):
        clean_text("first_name", value)


# Dates and times: ISO 8601 exactly as before (the API and manual entry rely on it), then the tools' export formats.
UTC = dt.UTC


@pytest.mark.parametrize(
    "given",
    [
        "2026-11-22T10:00:00Z",
        "2026-11-22T10:00:00+01:00",
        "2026-11-22T10:00:00.123456-05:30",
        "2026-11-22T10:00",
        "2026-11-22 10:00:00",
        "2026-11-22",
        "20261122T100000",
        "2026-11-22T10:00:00+0100",
        " 2026-11-22T10:00:00Z ",
    ],
)
def test_iso_8601_is_read_exactly_as_before(given):
    before = dt.datetime.fromisoformat(given.strip().replace("Z", "+00:00"))  # the rule before export formats
    expected = before.replace(tzinfo=UTC) if before.tzinfo is None else before.astimezone(UTC)
    assert (
        normalize_participant({"email": "a@example.com", "joined_at": given}, default_region=None)["joined_at"]
        == expected
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # Zoom webinar registration and attendee reports (month name; the newer reports write M/D/Y with AM/PM)
        ("Nov 22, 2026 10:00:00", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),
        ("Nov 22, 2026 10:00 AM", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),
        ("Nov 22, 2026 12:05 AM", dt.datetime(2026, 11, 22, 0, 5, tzinfo=UTC)),
        ("Nov 22, 2026 12:05 PM", dt.datetime(2026, 11, 22, 12, 5, tzinfo=UTC)),
        ("nov 2, 2026 3:07:09 pm", dt.datetime(2026, 11, 2, 15, 7, 9, tzinfo=UTC)),
        ("November 22, 2026 10:00", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),
        ("Sept 1, 2026 9:00 a.m.", dt.datetime(2026, 9, 1, 9, 0, tzinfo=UTC)),
        ("11/22/2026 10:00:00 AM", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),  # 22 cannot be a month
        ("11/22/2026 10:00:00 PM", dt.datetime(2026, 11, 22, 22, 0, tzinfo=UTC)),
        ("22/11/2026 10:00", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),  # nor here
        ("05/05/2026 10:00", dt.datetime(2026, 5, 5, 10, 0, tzinfo=UTC)),  # either way the same day
        # Eventbrite, Mailchimp, HubSpot, ClickMeeting: ISO-like, sometimes with a 12-hour clock or a spaced offset
        ("2026-11-22 10:00:00", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),
        ("2026-11-22 10:00", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),
        ("2026-11-22 10:00 PM", dt.datetime(2026, 11, 22, 22, 0, tzinfo=UTC)),
        ("2026-11-22 10:00:00 +0100", dt.datetime(2026, 11, 22, 9, 0, tzinfo=UTC)),
        ("2026-11-22 10:00:00 -08:00", dt.datetime(2026, 11, 22, 18, 0, tzinfo=UTC)),
        ("2026-11-22 10:00:00 UTC", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),
        ("2026/11/22 10:00", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),
        # Spreadsheets: day-first with a month name or dots (Polish, German, Czech Excel)
        ("22 Nov 2026 10:00", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),
        ("22-Nov-2026", dt.datetime(2026, 11, 22, tzinfo=UTC)),
        ("22.11.2026 10:00", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),
        ("03.04.2026 10:00:30", dt.datetime(2026, 4, 3, 10, 0, 30, tzinfo=UTC)),  # dots: always day first
        ("Nov 22, 2026", dt.datetime(2026, 11, 22, tzinfo=UTC)),  # a date alone is midnight UTC
        ("Nov 22, 2026 10:00:00 GMT", dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),
        ("Nov 22, 2026 10:00 AM +01:00", dt.datetime(2026, 11, 22, 9, 0, tzinfo=UTC)),
    ],
)
def test_export_formats_of_webinar_tools_and_spreadsheets_are_read(given, expected):
    clean = normalize_participant({"email": "a@example.com", "registered_at": given}, default_region=None)
    assert clean["registered_at"] == expected


@pytest.mark.parametrize("given", ["", "   ", "--", "-", "\u2014"])
def test_blank_cells_and_zooms_dashes_are_no_time(given):
    clean = normalize_participant(
        {"email": "a@example.com", "joined_at": given, "minutes_attended": given}, default_region=None
    )
    assert (clean["joined_at"], clean["minutes_attended"]) == (None, None)


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("03/04/2026 10:00", "either way round"),  # 3 April or March 4: never guessed
        ("11/05/2026 10:00:00 AM", "either way round"),  # even with AM/PM (Australia writes D/M with AM/PM)
        ("Nov 22, 26 10:00", "four digits"),
        ("22.11.26", "four digits"),
        ("11/22/26", "four digits"),
        ("Nov 22, 2026 10:00 CET", "abbreviations"),
        ("11/22/2026 10:00:00 AM PST", "abbreviations"),
        ("Listopad 22, 2026", "English"),
        ("22 listopada 2026", "English"),
        ("31/02/2026", "Not a real date"),
        ("2026-02-30 10:00 AM", "Not a real date"),
        ("13/13/2026", "Not a real date"),
        ("Nov 22, 2026 13:00 PM", "1 to 12"),
        ("Nov 22, 2026 0:30 AM", "1 to 12"),
        ("2026-11-22 25:00", "Not a valid time of day"),
        ("Nov 22, 2026 10:61", "Not a valid time of day"),
        ("2026-11-22 10:00 +25:00", "offset"),
        ("tomorrow", "we can read"),
        ("1763805600", "we can read"),  # a Unix time is not a date anyone can check
        ("22 11 2026", "we can read"),
        ("Nov 22, 2026 at 10:00", "we can read"),
    ],
)
def test_unreadable_or_ambiguous_times_are_refused_with_a_reason_that_does_not_quote_them(given, reason):
    with pytest.raises(FieldError) as caught:
        parse_time("joined_at", given)
    assert caught.value.field == "joined_at"
    assert reason in caught.value.reason
    assert given not in caught.value.reason


def test_the_general_refusal_says_zoneless_times_are_utc():
    with pytest.raises(ValidationFailed) as caught:
        normalize_participant({"email": "a@example.com", "left_at": "soon"}, default_region=None)
    detail = caught.value.errors[0]["detail"]
    assert "ISO 8601" in detail and "taken as UTC" in detail


def test_datetimes_given_as_objects_are_unchanged():
    aware = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    clean = normalize_participant(
        {"email": "a@example.com", "joined_at": aware, "left_at": dt.datetime(2026, 11, 22, 10, 30)},
        default_region=None,
    )
    assert clean["joined_at"] == dt.datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    assert clean["left_at"] == dt.datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "address",
    [
        "ada@example.com",
        "ADA@Example.COM",
        "jan@przykład.pl",
        "x..y@example.com",
        "a@-example.com",
        "a@example",
        "a@exa_mple.com",
        "a@" + "d" * 64 + ".com",
        "ok@sub.example.co.uk",
        "a@localhost",
        "a@[127.0.0.1]",
    ],
)
def test_the_domain_cache_gives_the_library_verdict_every_time(address):
    """email-validator's domain check runs once per domain; a cached domain changes no verdict, for either part."""
    from email_validator import EmailNotValidError, validate_email

    from processor import normalize

    def verdict(check):
        try:
            return check(address, check_deliverability=False, allow_smtputf8=False).normalized
        except EmailNotValidError as exc:
            return type(exc), str(exc)

    module = __import__("email_validator.validate_email", fromlist=["validate_email_domain_name"])
    assert hasattr(module.validate_email_domain_name, "cache_info"), "the domain cache is installed"
    cached = [verdict(validate_email) for _ in range(3)]  # cold, then warm
    original = module.validate_email_domain_name.__wrapped__
    module.validate_email_domain_name = original
    try:
        assert cached == [verdict(validate_email)] * 3
    finally:
        normalize._remember_domain_checks()


def test_a_cached_domain_still_has_every_local_part_checked():
    assert normalize_email("fine@example.org") == "fine@example.org"
    with pytest.raises(FieldError, match="Not a valid email address"):
        normalize_email("bad..dots@example.org")


def test_a_batch_gets_the_verdicts_each_row_gets_alone():
    """normalize_participants runs rule by rule over a batch; the outcome per row must not depend on its neighbours."""
    from processor.normalize import normalize_participants

    raws = [
        {"email": "Ada@Example.com", "phone": "601 234 567", "country": "Polska", "first_name": " Ada "},
        {"email": "bad..dots@example.com", "phone": "12", "country": "Atlantis", "joined_at": "soon"},
        {"email": "bob@example.de", "phone": "030 123456", "country": "Deutschland"},  # DE number: the row's region
        {
            "email": "cy@example.org",
            "phone": "601 234 567",
            "joined_at": "2026-11-22T10:00:00Z",
            "left_at": "2026-11-22T09:00:00Z",
        },  # attendance checked per row
        {"email": "", "custom_fields": {"T-shirt": "XL"}},
        {"email": "dee@example.org", "joined_at": "2026-11-22T10:00:00Z", "left_at": "2026-11-22T11:30:00Z"},
    ]

    def alone(raw):
        try:
            return normalize_participant(raw, default_region="PL"), None
        except ValidationFailed as exc:
            return None, exc.errors

    batch = normalize_participants(raws, default_region="PL")
    assert batch == [alone(raw) for raw in raws]
    assert [clean is not None for clean, _ in batch] == [True, False, True, False, False, True]
    assert batch[2][0]["phone"] == "+4930123456" and batch[5][0]["minutes_attended"] == 90
    assert [e["field"] for e in batch[1][1]] == ["email", "country", "phone", "joined_at"]


@pytest.mark.parametrize(
    ("field", "value", "kept"),
    [
        ("company", "Acme\r\nR&D", True),
        ("job_title", "Head of\tData", True),
        ("first_name", "Ala\nMa", False),
        ("last_name", "Kot\t", True),  # trailing whitespace is trimmed, as before
        ("company", "Acme\x00", False),  # other control characters stay refused
        ("company", "Acme\u202eevil", False),
    ],
)
def test_line_breaks_and_tabs_are_kept_in_company_and_job_title_only(field, value, kept):
    from processor.normalize import normalize_participants

    ((clean, errors),) = normalize_participants([{"email": "a@example.com", field: value}], default_region="PL")
    if kept:
        assert clean[field] == value.strip()
    else:
        assert clean is None and errors[0]["field"] == field


def test_lenient_normalization_leaves_bad_optional_values_empty_with_warnings():
    from processor.normalize import normalize_participants_leniently

    raws = [
        {"email": "a@example.com", "phone": "12", "country": "Narnia", "custom_fields": {"Q": "ok", "R": "x\x00"}},
        {"email": "not-an-email", "phone": "12"},
    ]
    (clean, errors, warnings), (rejected, reasons, none) = normalize_participants_leniently(raws, default_region="PL")
    assert errors is None and (clean["phone"], clean["country"], clean["custom_fields"]) == (None, None, {"Q": "ok"})
    assert [w["field"] for w in warnings] == ["country", "phone", "custom_fields.R"]
    assert rejected is None and none is None and [r["field"] for r in reasons] == ["email", "phone"]
