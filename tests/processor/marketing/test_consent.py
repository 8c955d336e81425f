"""Marketing reaches only organizers who opted in; consent is recorded; unsubscribe works without a login."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from processor.accounts.service import get_by_login
from processor.marketing import service


def _audience(client, headers):
    response = client.get("/api/v1/marketing/audience", headers=headers)
    assert response.status_code == 200
    return response.get_json()["organizers"]


def test_opt_in_on_the_account_page_records_time_and_source(app_ctx, client, auth):
    auth.signup("ada")
    assert "You have not opted in" in client.get("/account/settings").get_data(as_text=True)
    client.post("/marketing/consent", data={"choice": "in"})
    consent = service.current_consent(get_by_login("ada").id)
    assert (consent.opted_in, consent.source) == (True, "account-page")
    assert consent.recorded_at is not None
    assert "Your choice was recorded on" in client.get("/account/settings").get_data(as_text=True)


def test_audience_lists_only_organizers_whose_latest_choice_is_in(client, make_account, make_client):
    ada, bob, cy = make_account("ada"), make_account("bob"), make_account("cyd")
    service.record_consent(ada.id, opted_in=True, source="account-page")
    service.record_consent(bob.id, opted_in=True, source="account-page")
    service.record_consent(bob.id, opted_in=False, source="account-page")
    assert cy  # never chose: not in the audience
    _, headers = make_client(scopes="marketing:audience")
    assert [m["login"] for m in _audience(client, headers)] == ["ada"]


def test_unsubscribe_link_works_without_login_and_is_recorded(client, make_account, make_client):
    ada = make_account("ada")
    service.record_consent(ada.id, opted_in=True, source="account-page")
    _, headers = make_client(scopes="marketing:audience")
    (member,) = _audience(client, headers)
    path = urlparse(member["unsubscribe_url"]).path
    assert "Unsubscribe" in client.get(path).get_data(as_text=True)
    response = client.post(path)
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    assert _audience(client, headers) == []
    assert service.current_consent(ada.id).source == "unsubscribe-link"


@pytest.mark.parametrize("token", ["nonsense", "InNvbWV0aGluZyI.forged"])
def test_tampered_unsubscribe_token_is_refused(client, token):
    assert client.post(f"/marketing/unsubscribe/{token}").status_code == 400
    assert client.get(f"/marketing/unsubscribe/{token}").status_code == 400


def test_audience_needs_its_scope(client, make_client):
    _, headers = make_client(scopes="participants:read")
    assert client.get("/api/v1/marketing/audience", headers=headers).status_code == 403


def test_audience_entries_hold_organizer_fields_only(client, make_account, make_client):
    service.record_consent(make_account("ada").id, opted_in=True, source="account-page")
    _, headers = make_client(scopes="marketing:audience")
    (member,) = _audience(client, headers)
    assert set(member) == {
        "account_id",
        "login",
        "email",
        "first_name",
        "last_name",
        "consented_at",
        "consent_source",
        "unsubscribe_url",
    }
