"""A refused transfer reaches an API caller as 403 problem+json naming the rule and the date."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.transfers.policy import TransferPolicy


def test_a_refused_transfer_is_a_403_problem_naming_the_rule_and_the_date(app, client):
    def read_participants():
        TransferPolicy().require("US", on=dt.date(2019, 1, 1))
        return {"participants": []}

    app.add_url_rule("/api/v1/_test/participants", view_func=read_participants)
    response = client.get("/api/v1/_test/participants")
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith("/transfer-refused")
    assert (body["rule"], body["date"], body["country"]) == (
        "privacy-shield-certification-required",
        "2019-01-01",
        "US",
    )
    assert "privacy-shield-certification-required" in body["detail"] and "2019-01-01" in body["detail"]
    assert "2016/1250" in body["source"]


@pytest.mark.parametrize(
    ("query", "allowed", "rule"),
    [
        ("country=US&on=2024-01-01&dpf_certified=true", True, "adequacy-dpf"),
        ("country=US&on=2024-01-01&attests=dpf", True, "adequacy-dpf"),
        ("country=US&on=2024-01-01&attests=privacy-shield", False, "dpf-certification-required"),
        ("country=JP&on=2024-01-01", False, "appi-attestation-required"),
        ("country=JP&on=2024-01-01&attests=dpf&attests=appi", True, "adequacy"),
        ("country=AX&on=2024-01-01", True, "eea"),
        ("country=PL&on=1999-12-31", False, "no-rule-encoded"),
        ("country=us&on=2019-01-01", False, "privacy-shield-certification-required"),
        ("country=GB&on=2031-12-28", False, "adequacy-expired"),
        ("country=U.S.A.", False, "malformed-country"),
    ],
)
def test_the_api_answers_a_decision_for_a_country_and_day(client, query, allowed, rule):
    response = client.get(f"/api/v1/transfers/decision?{query}")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["allowed"], body["rule"]) == (allowed, rule)
    assert body["reason"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("country=US&on=2024-02-30", "on"),
        ("on=2024-01-01", "country"),
        ("country=US&dpf_certified=maybe", "dpf_certified"),
        ("country=US&attests=gold", "attests"),
    ],
)
def test_the_api_refuses_a_bad_query_as_problem_json(client, query, parameter):
    response = client.get(f"/api/v1/transfers/decision?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert [e["parameter"] for e in response.get_json()["errors"]] == [parameter]
