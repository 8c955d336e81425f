"""With CSRF protection on, the unsubscribe link still works from a mail client (no session, no form token)."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.accounts import sessions
from processor.marketing import service


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_one_click_unsubscribe_needs_no_csrf_token(client, make_account):
    ada = make_account("ada")
    service.record_consent(ada.id, opted_in=True, source="account-page")
    response = client.post(f"/marketing/unsubscribe/{service.unsubscribe_token(ada.id)}")
    assert response.status_code == 200
    assert service.current_consent(ada.id).opted_in is False


def test_consent_form_still_needs_its_csrf_token(client, make_account):
    ada = make_account("ada")
    sessions.start(ada, lifetime=dt.timedelta(hours=1))  # a signed-in browser, so only CSRF can refuse
    with client.session_transaction() as session:
        session["_user_id"] = ada.get_id()
        session["_fresh"] = True
    assert client.post("/marketing/consent", data={"choice": "in"}).status_code == 400
    assert service.current_consent(ada.id) is None
