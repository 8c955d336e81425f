"""EEA membership judged on the day: accessions, the EEA Agreement, the UK's transition and bridge, territories."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.transfers import policy
from processor.transfers.policy import TransferPolicy

D = dt.date.fromisoformat
ONE = dt.timedelta(days=1)


def judge(country, day):
    return TransferPolicy().check(country, on=day)


def around(country, first, last=None, inside="eea", before="not-adequate", after="not-adequate"):
    """(country, day, allowed, rule) for the day before, on and after each end of a span."""
    rows = [
        (country, D(first) - ONE, False, before),
        (country, D(first), True, inside),
        (country, D(first) + ONE, True, inside),
    ]
    if last:
        rows += [
            (country, D(last) - ONE, True, inside),
            (country, D(last), True, inside),
            (country, D(last) + ONE, after not in {None}, after),
        ]
    return rows


BOUNDARIES = [
    # Accessions after 2000-01-01 (earlier ones fall before the encoded range).
    *around("CY", "2004-05-01"),
    *around("CZ", "2004-05-01"),
    *around("EE", "2004-05-01"),
    *around("HU", "2004-05-01"),
    *around("LV", "2004-05-01"),
    *around("LT", "2004-05-01"),
    *around("MT", "2004-05-01"),
    *around("PL", "2004-05-01"),
    *around("SK", "2004-05-01"),
    *around("SI", "2004-05-01"),
    *around("BG", "2007-01-01"),
    *around("RO", "2007-01-01"),
    *around("HR", "2013-07-01"),
    *around("YT", "2014-01-01", before="outside-eu-territory"),
    ("GB", D("2020-01-30"), True, "eea"),
    ("GB", D("2020-01-31"), True, "eea"),  # the last day of EU membership
    ("GB", D("2020-02-01"), True, "eu-transition"),
    ("GB", D("2020-06-01"), True, "eu-transition"),
    ("GB", D("2020-12-30"), True, "eu-transition"),
    ("GB", D("2020-12-31"), True, "eu-transition"),
    ("GB", D("2021-01-01"), True, "eu-uk-bridge"),
    ("GB", D("2021-06-26"), True, "eu-uk-bridge"),
    ("GB", D("2021-06-27"), True, "eu-uk-bridge"),
    ("GB", D("2021-06-28"), True, "adequacy"),
    ("GB", D("2021-06-29"), True, "adequacy"),
    ("GI", D("2020-01-31"), True, "eea"),
    ("GI", D("2020-02-01"), True, "eu-transition"),
    ("GI", D("2020-12-30"), True, "eu-transition"),
    ("GI", D("2020-12-31"), True, "eu-transition"),
    ("GI", D("2021-01-01"), False, "outside-eu-territory"),
    ("GI", D("2021-01-02"), False, "outside-eu-territory"),
    ("BL", D("2011-12-30"), True, "eea"),
    ("BL", D("2011-12-31"), True, "eea"),
    ("BL", D("2012-01-01"), False, "outside-eu-territory"),
    ("BL", D("2012-01-02"), False, "outside-eu-territory"),
    ("PL", D("1999-12-31"), False, "no-rule-encoded"),
    ("PL", D("2000-01-01"), False, "not-adequate"),  # encoded from here; Poland joins on 2004-05-01
    ("FR", D("1999-12-31"), False, "no-rule-encoded"),
    ("FR", D("2000-01-01"), True, "eea"),
    ("FR", D("2000-01-02"), True, "eea"),
    ("FO", D("2010-03-04"), False, "outside-eu-territory"),
    ("FO", D("2010-03-05"), True, "adequacy"),
    ("FO", D("2010-03-06"), True, "adequacy"),
]


@pytest.mark.parametrize(("country", "day", "allowed", "rule"), BOUNDARIES, ids=lambda v: str(v))
def test_membership_is_judged_on_the_day_before_on_and_after_each_boundary(country, day, allowed, rule):
    decision = judge(country, day)
    assert (decision.allowed, decision.rule) == (allowed, rule), decision.reason
    assert str(day) in decision.reason and decision.source


@pytest.mark.parametrize(("country", "day"), [("IS", "2000-01-01"), ("NO", "2000-01-01"), ("LI", "2000-01-01")])
def test_the_eea_agreement_states_are_in_the_eea_from_the_first_encoded_day(country, day):
    decision = judge(country, D(day))
    assert decision.allowed and "EEA Agreement" in decision.reason


def test_croatia_before_its_accession_says_when_it_joins():
    decision = judge("HR", D("2010-01-01"))
    assert (decision.allowed, decision.rule) == (False, "not-adequate")
    assert "2013-07-01" in decision.reason


@pytest.mark.parametrize(
    ("code", "parent"),
    [("AX", "FI"), ("GF", "FR"), ("GP", "FR"), ("MQ", "FR"), ("RE", "FR"), ("MF", "FR"), ("YT", "FR")],
)
def test_eu_territory_with_its_own_iso_code_counts_as_the_eu(code, parent):
    decision = judge(code, D("2024-01-01"))
    assert (decision.allowed, decision.rule) == (True, "eea")
    assert f"({parent})" in decision.reason and "EU territory" in decision.reason


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("GL", "Greenland"),
        ("SJ", "Svalbard"),
        ("GI", "Gibraltar"),
        ("PF", "overseas country or territory"),
        ("NC", "overseas country or territory"),
        ("AW", "overseas country or territory"),
        ("CW", "overseas country or territory"),
        ("BL", "Saint-Barthélemy"),
    ],
)
def test_territories_outside_the_eu_are_refused_saying_why(code, words):
    decision = judge(code, D("2024-01-01"))
    assert (decision.allowed, decision.rule) == (False, "outside-eu-territory")
    assert words in decision.reason and decision.source


def test_the_faroe_islands_are_judged_by_their_own_decision():
    decision = judge("FO", D("2024-01-01"))
    assert (decision.allowed, decision.rule) == (True, "adequacy") and "2010/146/EU" in decision.source


def test_the_eea_list_of_a_day_follows_accessions_and_withdrawal():
    registry = TransferPolicy().registry
    assert "HR" not in registry.eea_on(D("2013-06-30")) and "HR" in registry.eea_on(D("2013-07-01"))
    assert "GB" in registry.eea_on(D("2020-01-31")) and "GB" not in registry.eea_on(D("2020-02-01"))
    assert len(registry.eea_on(D("2024-01-01"))) == 30


@pytest.mark.parametrize(
    ("today", "words"), [("2026-11-30", "runs only until 2031-12-27"), ("2032-06-01", "ended on 2031-12-27")]
)
def test_an_end_in_the_future_is_never_said_to_have_ended(monkeypatch, today, words):
    monkeypatch.setattr(policy, "today", lambda: D(today))
    decision = TransferPolicy().check("GB", on=D("2032-01-01"))
    assert (decision.allowed, decision.rule) == (False, "adequacy-expired")
    assert words in decision.reason
    if today < "2031-12-27":
        assert "ended on" not in decision.reason


def test_the_registry_page_period_never_says_a_future_end_has_passed():
    [uk] = [row for row in TransferPolicy().registry.rows if row.country == "GB"]
    assert uk.period(D("2026-11-30")) == "from 2021-06-28, running until 2031-12-27"
    assert uk.period(D("2032-01-01")) == "from 2021-06-28 to 2031-12-27"
