"""Organizers read their own access log on a page."""

from __future__ import annotations

from processor.audit import record_access
from processor.extensions import db


def test_page_lists_own_entries_only_and_reports_the_chain_intact(client, auth, make_account):
    auth.signup("ada")
    bob = make_account("bob")
    from processor.accounts.service import get_by_login

    ada = get_by_login("ada")
    record_access(
        account_id=ada.id,
        actor_type="client",
        actor="mailer-ada",
        purpose="essential.service",
        fields=("email",),
        records=3,
        destination_country="DE",
        channel="api",
    )
    record_access(account_id=bob.id, actor_type="client", actor="mailer-bob", purpose="essential.service")
    db.session.commit()
    html = client.get("/access-log/").get_data(as_text=True)
    assert "mailer-ada" in html
    assert "mailer-bob" not in html
    assert "chain of entries is intact" in html


def test_page_needs_a_login(client):
    response = client.get("/access-log/")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
