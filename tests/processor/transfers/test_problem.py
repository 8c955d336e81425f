"""A refused transfer reaches an API caller as 403 problem+json naming the rule and the date."""

from __future__ import annotations

import datetime as dt

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
    assert (body["rule"], body["date"], body["country"]) == ("privacy-shield-certification-required",
                                                             "2019-01-01", "US")
    assert "privacy-shield-certification-required" in body["detail"] and "2019-01-01" in body["detail"]
    assert "2016/1250" in body["source"]
