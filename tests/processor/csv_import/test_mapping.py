"""Header aliases, overrides and mapping checks."""

from __future__ import annotations

import pytest

from processor.csv_import import mapping
from processor.errors import ValidationFailed


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["Imię", "Nazwisko", "E-mail", "Telefon", "Firma", "Stanowisko", "Kraj"],
            ["first_name", "last_name", "email", "phone", "company", "job_title", "country"],
        ),
        (
            ["Email Address", "First Name", "Last Name", "Phone Number", "MEMBER_RATING"],  # Mailchimp
            ["email", "first_name", "last_name", "phone", "ignore"],
        ),
        (
            ["First Name", "Last Name", "Email", "Company Name", "Job Title", "Country/Region"],  # HubSpot
            ["first_name", "last_name", "email", "company", "job_title", "country"],
        ),
        (
            ["User Name (Original Name)", "Email", "Join Time", "Leave Time", "Duration (Minutes)"],  # Zoom attendees
            ["ignore", "email", "joined_at", "left_at", "minutes_attended"],
        ),
        (
            ["Order #", "First Name", "Last Name", "Email", "Cell Phone", "Company"],  # Eventbrite
            ["ignore", "first_name", "last_name", "email", "phone", "company"],
        ),
        (["E-mail", "Email"], ["email", "ignore"]),
    ],
)
def test_known_headers_of_tools_and_languages_are_mapped(header, expected):
    assert mapping.suggest(header) == expected


def test_overrides_change_named_columns_and_refuse_unknown_ones():
    header = ["E-mail", "Uwagi"]
    changed = mapping.apply_overrides(header, mapping.suggest(header), {"uwagi": "custom"})
    assert changed == ["email", "custom"]
    with pytest.raises(ValidationFailed, match="does not have"):
        mapping.apply_overrides(header, changed, {"Notes": "custom"})


@pytest.mark.parametrize(
    ("header", "columns", "message"),
    [
        (["Name"], ["first_name"], "no column is mapped to Email"),
        (["A", "B"], ["email", "email"], "more than one column"),
        (["A"], ["favourite_colour"], "unknown field"),
        (["A", ""], ["email", "custom"], "without a header"),
    ],
)
def test_bad_mappings_are_refused_with_the_reason(header, columns, message):
    with pytest.raises(ValidationFailed, match=message):
        mapping.check(header, columns)


def test_cli_map_pairs_split_on_the_last_equals_sign():
    assert mapping.parse_overrides(["a=b=email", "Uwagi = custom"]) == {"a=b": "email", "Uwagi": "custom"}
    with pytest.raises(ValidationFailed):
        mapping.parse_overrides(["no-equals"])


def test_same_headers_give_the_same_digest_whatever_their_spelling():
    assert mapping.header_digest(["E-mail", "Imię"]) == mapping.header_digest(["email", "IMIE"])
    assert mapping.header_digest(["email", "imie"]) != mapping.header_digest(["imie", "email"])


def test_raw_participant_gathers_custom_fields_and_skips_ignored_columns():
    raw = mapping.raw_participant(
        ["a@example.com", "x", "VIP"], ["E-mail", "Notes", "Segment"], ["email", "ignore", "custom"]
    )
    assert raw == {"email": "a@example.com", "custom_fields": {"Segment": "VIP"}}
