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
)


@pytest.mark.parametrize(("given", "expected"), [
    ("  Ada.Lovelace@Example.COM ", "Ada.Lovelace@example.com"),
    ("jan@przykład.pl", "jan@przykład.pl"),
])
def test_emails_are_trimmed_and_their_domain_normalized(given, expected):
    assert normalize_email(given) == expected


def test_index_form_is_case_insensitive():
    assert email_index_form("Ada@Example.com") == email_index_form("ada@EXAMPLE.com ")


@pytest.mark.parametrize(("given", "reason"), [
    ("", "required"),
    ("not-an-email", "Not a valid email address"),
    ("żółw@example.com", "non-ASCII characters"),
    ("a@b@example.com", "Not a valid email address"),
    ("x" * 250 + "@example.com", "Too long"),
])
def test_bad_emails_are_refused_with_a_reason_that_does_not_quote_them(given, reason):
    with pytest.raises(FieldError) as caught:
        normalize_email(given)
    assert caught.value.field == "email"
    assert reason in caught.value.reason
    if given:
        assert given not in caught.value.reason


@pytest.mark.parametrize(("given", "region", "expected"), [
    ("601 234 567", "PL", "+48601234567"),
    ("+49 30 901820", None, "+4930901820"),
    ("(202) 456-1111", "US", "+12024561111"),
    ("", "PL", None),
])
def test_phones_are_stored_as_e164(given, region, expected):
    assert normalize_phone(given, region) == expected


@pytest.mark.parametrize(("given", "region"), [("123", "PL"), ("call me", "PL"), ("601 234 567", None)])
def test_bad_phones_are_refused(given, region):
    with pytest.raises(FieldError, match="phone"):
        normalize_phone(given, region)


@pytest.mark.parametrize(("given", "expected"), [
    ("pl", "PL"), ("Poland", "PL"), ("Polska", "PL"), ("POLSKA", "PL"), ("Niemcy", "DE"), ("Deutschland", "DE"),
    ("UK", "GB"), ("Wielka Brytania", "GB"), ("United States", "US"), ("USA", "US"), ("Czechy", "CZ"),
    ("Côte d'Ivoire", "CI"), ("cote divoire", "CI"), ("Hiszpania", "ES"), ("DEU", "DE"), ("Włochy", "IT"),
])
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
    clean = normalize_participant({
        "email": "Ola@Example.com", "first_name": " Aleksandra ", "last_name": "Łęcka", "phone": "030 901820",
        "country": "Niemcy", "custom_fields": {"Dieta": " wegańska "},
        "joined_at": "2026-11-20T10:00:00+01:00", "left_at": "2026-11-20T10:45:30+01:00",
    }, default_region="PL")
    assert clean["email"] == "Ola@example.com"
    assert (clean["first_name"], clean["last_name"], clean["country"]) == ("Aleksandra", "Łęcka", "DE")
    assert clean["phone"] == "+4930901820"
    assert clean["custom_fields"] == {"Dieta": "wegańska"}
    assert clean["joined_at"] == dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    assert clean["minutes_attended"] == 45
    assert clean["company"] is None


def test_every_bad_field_is_named_at_once():
    with pytest.raises(ValidationFailed) as caught:
        normalize_participant({"email": "nope", "phone": "12", "country": "Atlantis", "first_name": "x" * 101,
                               "minutes_attended": "-5"}, default_region="PL")
    fields = {error["field"] for error in caught.value.errors}
    assert fields == {"email", "phone", "country", "first_name", "minutes_attended"}
    assert all(error["pointer"] == f"#/{error['field']}" for error in caught.value.errors)


def test_leaving_before_joining_is_refused():
    with pytest.raises(ValidationFailed, match="not valid") as caught:
        normalize_participant({"email": "a@example.com", "joined_at": "2026-11-20T10:00:00Z",
                               "left_at": "2026-11-20T09:00:00Z"}, default_region=None)
    assert caught.value.errors[0]["field"] == "left_at"


def test_remembered_emails_give_the_same_answers_and_are_forgotten_after_the_block(monkeypatch):
    from processor import normalize

    calls = []
    real = normalize._normalize_email
    monkeypatch.setattr(normalize, "_normalize_email", lambda value: calls.append(value) or real(value))
    with normalize.remembering_emails():
        assert normalize_email(" Ala@EXAMPLE.com ") == "Ala@example.com"
        assert email_index_form("Ala@example.com") == "ala@example.com"
        with pytest.raises(FieldError):
            normalize_email("not an email")
    assert calls == [" Ala@EXAMPLE.com ", "not an email"]
    normalize_email("Ala@example.com")
    assert len(calls) == 3


@pytest.mark.parametrize("value", ["tab\there", "bell\x07", "c1\x85x", "rlo\u202eevil", "del\x7f"])
def test_control_and_bidi_characters_are_refused(value):
    with pytest.raises(FieldError, match="control characters"):
        clean_text("first_name", value)
