"""Logging in and out, password storage, throttling, CSRF, settings."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from processor.accounts import service
from processor.accounts.models import Account
from processor.extensions import db
from tests.conftest import PASSWORD


def test_wrong_password_shows_an_error_and_no_session(client, make_account):
    make_account("ada")
    response = client.post("/account/login", data={"login": "ada", "password": "wrong password!!"})
    assert response.status_code == 401
    assert "Wrong login or password." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_login_then_logout(client, auth, make_account):
    make_account("ada")
    assert auth.login().headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200
    auth.logout()
    assert client.get("/dashboard").status_code == 302


def who(client) -> str:
    """The login the page header shows, as the request resolved it from the session cookie."""
    page = client.get("/dashboard")
    assert page.status_code == 200
    return page.get_data(as_text=True).split('<span class="who">', 1)[1].split("</span>", 1)[0]


def test_logging_out_and_in_as_another_organizer_shows_the_other(client, auth, make_account):
    make_account("ada")
    make_account("bob")
    auth.login("ada")
    assert who(client) == "ada"
    auth.logout()
    assert client.get("/dashboard").status_code == 302
    auth.login("bob")
    assert who(client) == "bob"


def test_two_browsers_each_see_their_own_organizer(app, client, auth, make_account):
    make_account("ada")
    make_account("bob")
    other = app.test_client()
    auth.login("ada")
    other.post("/account/login", data={"login": "bob", "password": PASSWORD})
    assert (who(client), who(other), who(client)) == ("ada", "bob", "ada")
    auth.logout()
    assert client.get("/dashboard").status_code == 302
    assert who(other) == "bob"


def test_database_holds_nothing_from_which_the_password_can_be_recovered(app, make_account, engine_name):
    account = make_account("ada")
    row = db.session.execute(sa.text("SELECT * FROM accounts")).mappings().one()
    stored = " ".join(str(value) for value in row.values())
    assert PASSWORD not in stored
    for digest in (hashlib.md5, hashlib.sha1, hashlib.sha256):
        assert digest(PASSWORD.encode()).hexdigest() not in stored
    assert account.password_hash.startswith("scrypt:")
    if engine_name == "sqlite":
        raw = Path(db.engine.url.database).read_bytes()
        assert PASSWORD.encode() not in raw


def test_unknown_login_is_refused_like_a_wrong_password(make_account):
    with pytest.raises(service.LoginFailed, match=r"Wrong login or password\."):
        service.authenticate("nobody", PASSWORD, address="192.0.2.1")


@pytest.fixture
def app_config(request):
    return {"WTF_CSRF_ENABLED": True} if "csrf" in request.node.name else {}


def test_csrf_missing_token_is_rejected_and_nothing_created(app_ctx, client):
    data = {
        "login": "eve",
        "email": "e@example.com",
        "first_name": "E",
        "last_name": "V",
        "title": "T",
        "plan": "free",
        "country": "PL",
        "password": PASSWORD,
    }
    response = client.post("/account/signup", data=data)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account)) == 0


def test_changing_the_password_ends_other_sessions(app, client, auth, make_account):
    make_account("ada")
    auth.login()
    other = app.test_client()
    other.post("/account/login", data={"login": "ada", "password": PASSWORD})
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "an even longer passphrase"}
    )
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert other.get("/dashboard").status_code == 302
    assert auth.login(password="an even longer passphrase").status_code == 302


def test_settings_change_the_profile_but_not_login_or_creation_date(client, auth, make_account):
    account = make_account("ada")
    created = account.created_at
    auth.login()
    response = client.post(
        "/account/settings",
        data={
            "email": "new@example.com",
            "first_name": "Ada",
            "last_name": "King",
            "title": "New Title",
            "country": "DE",
            "login": "hijack",
            "created_at": "2000-01-01",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    account = db.session.scalar(sa.select(Account))
    assert (account.login, account.title, account.country, account.created_at) == ("ada", "New Title", "DE", created)
