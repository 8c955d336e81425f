"""The adequacy registry judges each destination on the day of the transfer."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.errors import Forbidden
from processor.transfers.policy import (
    TransferPolicy,
    TransferRefused,
    check_export_destination,
    default_registry,
    parse_registry,
)

D = dt.date.fromisoformat
EEA = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "IS",
    "LI",
    "NO",
]
# (country, adoption day): written out here rather than read from the data file, so a wrong row fails a test.
ADOPTED = [
    ("CH", "2000-07-26"),
    ("CA", "2001-12-20"),
    ("AR", "2003-06-30"),
    ("GG", "2003-11-21"),
    ("IM", "2004-04-28"),
    ("JE", "2008-05-08"),
    ("FO", "2010-03-05"),
    ("AD", "2010-10-19"),
    ("IL", "2011-01-31"),
    ("UY", "2012-08-21"),
    ("NZ", "2012-12-19"),
    ("JP", "2019-01-23"),
    ("GB", "2021-06-28"),
    ("KR", "2021-12-17"),
    ("BR", "2026-01-26"),
]


# The attestation each scope-limited decision needs (DOMAIN.md, "Scope-limited decisions").
SCOPE = {"CA": ["pipeda"], "JP": ["appi"], "KR": ["pipa"], "BR": ["lgpd"], "US": ["dpf"]}


def check(country, on, certified=False, attests=()):
    day = D(on) if isinstance(on, str) else on
    return TransferPolicy().check(country, on=day, attestations=attests, dpf_certified=certified)


@pytest.mark.parametrize("country", EEA)
@pytest.mark.parametrize("on", ["2013-07-01", "2024-01-01", "2040-06-30"])
def test_every_eea_country_is_allowed_on_any_day(country, on):
    decision = check(country, on)
    assert (decision.allowed, decision.rule, decision.country) == (True, "eea", country)
    assert on in decision.reason and "European Economic Area" in decision.reason
    assert decision.source


def test_the_eea_is_exactly_the_eu_27_plus_iceland_liechtenstein_and_norway():
    assert default_registry().eea == frozenset(EEA)
    assert default_registry().eea_on(D("2024-01-01")) == frozenset(EEA)
    assert len(EEA) == 30


@pytest.mark.parametrize(("country", "adopted"), ADOPTED)
@pytest.mark.parametrize(("offset", "allowed"), [(-1, False), (0, True), (1, True)])
def test_an_adequacy_decision_applies_from_its_adoption_day_inclusive(country, adopted, offset, allowed):
    decision = check(country, D(adopted) + dt.timedelta(days=offset), attests=SCOPE.get(country, ()))
    if country == "GB" and offset == -1:  # the day before, the EU-UK bridge still covered it
        assert (decision.allowed, decision.rule) == (True, "eu-uk-bridge")
        return
    if country == "FO" and offset == -1:
        assert (decision.allowed, decision.rule) == (False, "outside-eu-territory")
        return
    assert decision.allowed is allowed
    assert decision.rule == ("adequacy" if allowed else "not-adequate")
    assert decision.source  # the decision itself, or the one that applies from the next day


@pytest.mark.parametrize(
    ("on", "allowed", "rule"),
    [
        ("2031-12-26", True, "adequacy"),
        ("2031-12-27", True, "adequacy"),
        ("2031-12-28", False, "adequacy-expired"),
        ("2025-12-18", True, "adequacy"),
        ("2025-12-19", True, "adequacy"),  # the renewal day changes nothing: the decision runs on
        ("2025-12-20", True, "adequacy"),
    ],
)
def test_the_united_kingdom_is_adequate_through_2031_12_27_and_refused_after(on, allowed, rule):
    decision = check("GB", on)
    assert (decision.allowed, decision.rule) == (allowed, rule)
    assert on in decision.reason
    assert "2021/1772" in decision.source and "2025" in decision.source and "2031" in decision.source


@pytest.mark.parametrize(
    ("on", "attests", "rule"),
    [
        ("2000-07-25", "safe-harbor", "not-adequate"),
        ("2000-07-26", "safe-harbor", "safe-harbor"),
        ("2000-07-27", "safe-harbor", "safe-harbor"),
        ("2015-10-04", "safe-harbor", "safe-harbor"),
        ("2015-10-05", "safe-harbor", "safe-harbor"),  # Safe Harbor's last day
        ("2015-10-06", "safe-harbor", "adequacy-invalidated"),  # C-362/14 delivered: no longer covered
        ("2015-10-07", "safe-harbor", "adequacy-invalidated"),
        ("2016-07-11", "privacy-shield", "adequacy-invalidated"),
        ("2016-07-12", "privacy-shield", "privacy-shield"),
        ("2016-07-13", "privacy-shield", "privacy-shield"),
        ("2020-07-14", "privacy-shield", "privacy-shield"),
        ("2020-07-15", "privacy-shield", "privacy-shield"),  # Privacy Shield's last day
        ("2020-07-16", "privacy-shield", "adequacy-invalidated"),  # C-311/18 delivered
        ("2020-07-17", "privacy-shield", "adequacy-invalidated"),
        ("2023-07-09", "dpf", "adequacy-invalidated"),
        ("2023-07-10", "dpf", "adequacy-dpf"),
        ("2023-07-11", "dpf", "adequacy-dpf"),
        ("2024-01-01", "dpf", "adequacy-dpf"),
    ],
)
def test_a_certified_us_recipient_is_allowed_only_while_its_scheme_is_in_force(on, attests, rule):
    decision = check("US", on, attests=[attests])
    assert decision.rule == rule
    assert decision.allowed is (rule in {"safe-harbor", "privacy-shield", "adequacy-dpf"})
    assert on in decision.reason


@pytest.mark.parametrize(
    ("on", "case", "judgment", "last_day"),
    [
        ("2015-10-06", "C-362/14", "2015-10-06", "2015-10-05"),
        ("2020-07-16", "C-311/18", "2020-07-16", "2020-07-15"),
    ],
)
def test_an_invalidated_decision_stops_on_the_judgment_day_and_says_so(on, case, judgment, last_day):
    decision = check("US", on, attests=["safe-harbor", "privacy-shield"])
    assert (decision.allowed, decision.rule) == (False, "adequacy-invalidated")
    assert case in decision.reason and judgment in decision.reason and last_day in decision.reason


@pytest.mark.parametrize(
    ("held", "on"),
    [
        (["safe-harbor"], "2024-01-01"),
        (["privacy-shield"], "2024-01-01"),
        (["safe-harbor", "privacy-shield"], "2023-07-10"),
    ],
)
def test_a_safe_harbor_or_privacy_shield_certification_does_not_satisfy_the_dpf(held, on):
    decision = check("US", on, attests=held)
    assert (decision.allowed, decision.rule) == (False, "dpf-certification-required")
    assert "is not a Data Privacy Framework certification" in decision.reason


def test_the_dpf_flag_does_not_stand_for_an_older_us_scheme():
    assert check("US", "2019-01-01", certified=True).rule == "privacy-shield-certification-required"


@pytest.mark.parametrize(
    ("on", "rule", "source"),
    [
        ("2005-01-01", "safe-harbor-certification-required", "2000/520/EC"),
        ("2019-01-01", "privacy-shield-certification-required", "2016/1250"),
        ("2023-07-10", "dpf-certification-required", "2023/1795"),
        ("2024-01-01", "dpf-certification-required", "2023/1795"),
        ("2021-01-01", "adequacy-invalidated", "2016/1250"),
    ],
)
def test_an_uncertified_us_recipient_is_always_refused(on, rule, source):
    decision = check("US", on, certified=False)
    assert (decision.allowed, decision.rule) == (False, rule)
    assert source in decision.source
    assert on in decision.reason and rule in decision.reason


@pytest.mark.parametrize(
    ("country", "words"),
    [
        ("CA", "PIPEDA"),
        ("IL", "automated processing"),
        ("JP", "APPI"),
        ("KR", "Financial Services Commission"),
        ("BR", "LGPD"),
        ("US", "Data Privacy Framework"),
    ],
)
def test_a_scope_limit_is_stated_as_the_condition_of_an_allowed_transfer(country, words):
    decision = check(country, "2026-06-01", attests=SCOPE.get(country, ()))
    assert decision.allowed
    assert words in decision.condition and words in decision.reason


@pytest.mark.parametrize(("country", "kind"), [(c, k[0]) for c, k in SCOPE.items()])
@pytest.mark.parametrize("wrong", ["none", "other"])
def test_a_scope_limited_decision_refuses_a_recipient_without_its_attestation(country, kind, wrong):
    others = [k for k in ("dpf", "pipeda", "appi", "pipa", "lgpd") if k != kind][:1] if wrong == "other" else []
    decision = check(country, "2026-06-01", attests=others)
    noun = "certification" if kind == "dpf" else "attestation"
    assert (decision.allowed, decision.rule, decision.attestation) == (False, f"{kind}-{noun}-required", kind)
    assert f"'{kind}'" in decision.reason and decision.source


PL_ONLY = {"members": [{"country": "PL", "basis": "eu", "from": "2004-05-01", "source": "s"}], "source": "s"}


class Held:
    def __init__(self, kind, valid_from, valid_to=None):
        self.kind, self.valid_from, self.valid_to = kind, D(valid_from), D(valid_to) if valid_to else None


@pytest.mark.parametrize(
    ("on", "allowed"), [("2025-12-31", False), ("2026-01-01", True), ("2026-06-30", True), ("2026-07-01", False)]
)
def test_an_attestation_counts_only_on_the_days_it_is_valid(on, allowed):
    held = [Held("appi", "2026-01-01", "2026-06-30")]
    assert TransferPolicy().check("JP", on=D(on), attestations=held).allowed is allowed


def test_a_decision_without_scope_limit_has_no_condition():
    assert check("CH", "2024-01-01").condition == ""


def test_an_attestation_does_not_open_a_country_without_a_decision():
    assert check("CN", "2024-01-01", attests=["dpf", "appi"]).rule == "not-adequate"
    assert check("CH", "2024-01-01").allowed  # a decision without scope limit needs none


@pytest.mark.parametrize("country", ["CN", "IN", "RU", "AU", "SG"])
def test_a_country_without_any_decision_is_not_adequate(country):
    decision = check(country, "2024-01-01")
    assert (decision.allowed, decision.rule, decision.source) == (False, "not-adequate", "")


@pytest.mark.parametrize(("given", "expected"), [("pl", "PL"), (" de ", "DE"), ("Ch\n", "CH"), ("\tgb", "GB")])
def test_codes_are_read_without_regard_to_case_or_surrounding_whitespace(given, expected):
    decision = check(given, "2024-01-01")
    assert decision.allowed and decision.country == expected


def test_lower_case_us_with_certification_is_allowed():
    assert check("us", "2024-01-01", certified=True).rule == "adequacy-dpf"
    assert check("us", "2024-01-01", attests=[" DPF "]).rule == "adequacy-dpf"


@pytest.mark.parametrize(("code", "hint"), [("XX", ""), ("ZZ", ""), ("uk", "GB"), ("EL", "GR"), ("QQ", "")])
def test_an_unassigned_two_letter_code_is_refused_as_unknown(code, hint):
    decision = check(code, "2024-01-01")
    assert (decision.allowed, decision.rule) == (False, "unknown-country")
    assert hint in decision.reason


@pytest.mark.parametrize(
    "given",
    [None, "", "   ", "P", "POL", "P1", "12", "p l", "é1", 42, "PL;DROP", "PL\n\nX", "\ufb01", "ß", "\uff30\uff2c"],
)  # a ligature, sharp s, full-width PL
def test_malformed_input_is_refused_without_crashing(given):
    decision = TransferPolicy().check(given, on=D("2024-01-01"))
    assert (decision.allowed, decision.rule, decision.country) == (False, "malformed-country", "")


def test_the_day_defaults_to_today_and_a_datetime_counts_by_its_utc_day():
    assert check("PL", None).on == dt.datetime.now(dt.UTC).date()
    late = dt.datetime(2031, 12, 28, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))  # 2031-12-27 in UTC
    assert check("GB", late).allowed


def test_require_returns_the_allowing_decision():
    assert TransferPolicy().require("US", on=D("2024-01-01"), dpf_certified=True).rule == "adequacy-dpf"


def test_require_raises_a_403_naming_the_rule_and_the_date():
    with pytest.raises(TransferRefused) as caught:
        TransferPolicy().require("US", on=D("2019-01-01"))
    error = caught.value
    assert isinstance(error, Forbidden)
    assert (error.status, error.slug) == (403, "transfer-refused")
    assert "privacy-shield-certification-required" in error.detail and "2019-01-01" in error.detail
    assert error.extra == {
        "rule": "privacy-shield-certification-required",
        "date": "2019-01-01",
        "country": "US",
        "source": error.decision.source,
    }


def test_an_export_destination_is_checked_today_by_default():
    assert check_export_destination("de").rule == "eea"
    with pytest.raises(TransferRefused):
        check_export_destination("CN")
    with pytest.raises(TransferRefused):
        check_export_destination("GB", on=D("2032-01-01"))


def test_the_decisions_in_force_on_a_day_are_listed():
    assert "US" not in [row.country for row in TransferPolicy().in_force(D("2015-10-06"))]
    codes = [row.country for row in TransferPolicy().in_force(D("2020-01-01"))]
    assert "US" in codes and "BR" not in codes and "GB" not in codes


def test_every_row_of_the_shipped_registry_cites_its_source():
    registry = default_registry()
    assert registry.version
    assert all(str(row.start.year) in row.source for row in registry.rows)
    assert all(m.source for m in registry.members) and all(o.source for o in registry.outside)
    [brazil] = registry.by_country["BR"]
    assert "2026/179" in brazil.source
    assert {row.country for row in registry.rows} == {code for code, _ in ADOPTED} | {"US"}


@pytest.mark.parametrize(
    "row",
    [
        {"country": "XX", "rule": "adequacy", "from": "2020-01-01", "to": None, "source": "s"},
        {"country": "CH", "rule": "adequacy", "from": "2020-01-01", "to": "2019-01-01", "source": "s"},
        {"country": "CH", "rule": "adequacy", "from": "2020-01-01", "to": None, "source": ""},
        {"country": "US", "rule": "x", "from": "2020-01-01", "to": None, "attestation": "gold", "source": "s"},
        {
            "country": "US",
            "rule": "x",
            "from": "2016-07-12",
            "to": "2020-07-16",
            "invalidated": {"case": "C-311/18", "delivered": "2020-07-16"},
            "source": "s",
        },
    ],
)
def test_an_inconsistent_registry_row_is_refused_at_load(row):
    with pytest.raises(ValueError, match="adequacy row"):
        parse_registry({"version": "t", "eea": PL_ONLY, "decisions": [row]})


def test_a_registry_can_be_renewed_by_data_alone():
    renewed = parse_registry(
        {
            "version": "t",
            "eea": PL_ONLY,
            "decisions": [
                {"country": "GB", "rule": "adequacy", "from": "2021-06-28", "to": "2037-12-27", "source": "renewal"}
            ],
        }
    )
    assert TransferPolicy(renewed).check("GB", on=D("2033-01-01")).allowed


def test_decisions_are_remembered_per_code_day_and_certification_but_malformed_input_is_not():
    registry = parse_registry({"version": "t", "eea": PL_ONLY, "decisions": []})
    policy = TransferPolicy(registry)
    first = policy.check("pl", on=D("2024-01-01"))
    assert policy.check(" PL ", on=D("2024-01-01")) is first
    assert policy.check("PL", on=D("2024-01-02")) is not first
    policy.check("x" * 10_000, on=D("2024-01-01"))
    now = dt.datetime.now(dt.UTC).date()
    assert set(registry.memo) == {
        ("PL", D("2024-01-01"), frozenset(), now),
        ("PL", D("2024-01-02"), frozenset(), now),
    }


def test_the_memory_of_decisions_is_bounded(monkeypatch):
    monkeypatch.setattr("processor.transfers.policy.MEMO_LIMIT", 3)
    registry = parse_registry({"version": "t", "eea": PL_ONLY, "decisions": []})
    for day in range(1, 8):
        TransferPolicy(registry).check("PL", on=dt.date(2024, 1, day))
    assert len(registry.memo) <= 3


@pytest.mark.parametrize("country", ["PL", "US", "CH", "CN", "GB"])
@pytest.mark.parametrize(("on", "encoded"), [("1999-12-31", False), ("2000-01-01", True), ("1973-01-01", False)])
def test_a_day_before_2000_is_refused_as_no_rule_encoded(country, on, encoded):
    decision = check(country, on, attests=["dpf"])
    if encoded:
        assert decision.rule != "no-rule-encoded"
    else:
        assert (decision.allowed, decision.rule) == (False, "no-rule-encoded")
        assert "no rule encoded for that date" in decision.reason


def test_the_day_may_be_given_as_an_iso_date_string():
    assert TransferPolicy().check("US", on=" 2024-01-01 ", dpf_certified=True).rule == "adequacy-dpf"


@pytest.mark.parametrize("on", [20240101, "01/02/2024"])
def test_a_day_that_is_not_a_date_is_a_programming_error_not_a_decision(on):
    with pytest.raises((TypeError, ValueError)):
        TransferPolicy().check("US", on=on)
