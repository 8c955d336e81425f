"""TOTP two-factor sign-in with recovery codes, staff who always use it, and password reset by emailed link."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from pathlib import Path

import pyotp
import pytest

from processor.accounts import reset, two_factor
from processor.accounts.models import RecoveryCode
from processor.extensions import db
from tests.conftest import PASSWORD, fresh_code


def enrol(client, account) -> list[str]:
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page).group(1)
    assert "otpauth://totp/" in page
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    return re.findall(r"<li><code>([0-9a-f]{10}-[0-9a-f]{10})</code></li>", response.get_data(as_text=True))


def test_an_organizer_turns_on_two_factor_and_then_needs_a_code(app_ctx, client, auth, make_account):
    account = make_account("ada")
    auth.login()
    codes = enrol(client, account)
    assert len(codes) == 10
    stored = db.session.scalars(db.select(RecoveryCode.code_hash)).all()
    assert not set(codes) & set(stored)  # only hashes are kept
    auth.logout()
    assert auth.login().headers["Location"].endswith("/account/login/code")
    assert client.get("/dashboard").status_code == 302  # the password alone opened no session
    assert client.post("/account/login/code", data={"code": "000000"}).status_code == 401
    db.session.refresh(account)
    response = client.post("/account/login/code", data={"code": fresh_code(account)})
    assert response.headers["Location"].endswith("/dashboard")


def test_a_code_is_accepted_once_and_a_recovery_code_once(app_ctx, client, auth, make_account):
    account = make_account("ada")
    auth.login()
    codes = enrol(client, account)
    auth.logout()
    db.session.refresh(account)
    code = fresh_code(account)
    auth.login()
    assert client.post("/account/login/code", data={"code": code}).status_code == 302
    auth.logout()
    auth.login()
    assert client.post("/account/login/code", data={"code": code}).status_code == 401  # replayed
    assert client.post("/account/login/code", data={"code": codes[0]}).status_code == 302
    auth.logout()
    auth.login()
    assert client.post("/account/login/code", data={"code": codes[0]}).status_code == 401


def test_the_code_step_cannot_be_reached_without_the_password(client, make_account):
    make_account("ada")
    response = client.post("/account/login/code", data={"code": "123456"})
    assert response.headers["Location"].endswith("/account/login")
    assert client.get("/dashboard").status_code == 302


def test_staff_cannot_sign_in_with_a_password_alone_nor_turn_two_factor_off(app_ctx, client, auth, make_staff):
    staff = make_staff("root")
    assert auth.login("root").headers["Location"].endswith("/account/login/code")
    assert client.get("/dashboard").status_code == 302
    auth.login_with_code(staff)
    assert client.get("/transfers/staff").status_code == 200
    client.post("/account/two-factor/off", data={"password": PASSWORD})
    db.session.refresh(staff)
    assert staff.two_factor


def test_a_login_in_the_old_staff_logins_setting_is_no_longer_staff(app, client, auth):
    app.config["STAFF_LOGINS"] = ["ada"]
    auth.signup("ada")
    assert client.get("/transfers/staff").status_code == 403


def test_staff_need_a_long_password(app_ctx):
    from processor import staff
    from processor.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        staff.create_staff(login="sam", email="s@p.example", first_name="S", last_name="S", password="short but 12c")


def mails(app) -> list[Path]:
    return sorted((Path(app.instance_path) / "mail").glob("*.eml"))


def body(path: Path) -> str:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default).get_content()


def test_the_reset_page_answers_alike_and_mails_only_a_real_address(app, client, make_account, caplog):
    make_account("ada")
    caplog.set_level(logging.WARNING, logger="processor.accounts.mail")
    unknown = client.post("/account/reset", data={"email": "nobody@example.com"}, follow_redirects=True)
    assert mails(app) == []
    known = client.post("/account/reset", data={"email": "ada@example.com"}, follow_redirects=True)
    assert (unknown.status_code, unknown.get_data()) == (known.status_code, known.get_data())
    (mail,) = mails(app)
    assert str(mail) in caplog.text and "ada@example.com" not in caplog.text
    link = re.search(r"http://localhost(/account/reset/\S+)", body(mail)).group(1)
    response = client.post(link, data={"password": "a brand new passphrase"})
    assert response.headers["Location"].endswith("/dashboard")
    client.post("/account/logout")
    again = client.post(link, data={"password": "yet another passphrase"})
    assert again.headers["Location"].endswith("/account/reset")  # used once, then void
    assert client.post("/account/login", data={"login": "ada", "password": PASSWORD}).status_code == 401
    ok = client.post("/account/login", data={"login": "ada", "password": "a brand new passphrase"})
    assert ok.status_code == 302


def test_a_reset_link_expires(app_ctx, client, make_account, monkeypatch):
    token = reset.make_token(make_account("ada"))
    monkeypatch.setattr(reset, "_max_age", lambda: -1)
    response = client.post(f"/account/reset/{token}", data={"password": "a brand new passphrase"})
    assert response.headers["Location"].endswith("/account/reset")


def test_a_reset_keeps_the_second_factor(app_ctx, client, auth, make_account):
    account = make_account("ada")
    auth.login()
    enrol(client, account)
    auth.logout()
    db.session.refresh(account)
    response = client.post(f"/account/reset/{reset.make_token(account)}", data={"password": "a brand new passphrase"})
    assert response.headers["Location"].endswith("/account/login/code")
    assert client.get("/dashboard").status_code == 302
    assert two_factor.remaining_recovery_codes(account) == 10


@pytest.fixture
def app_config(request):
    return {"RATELIMIT_ENABLED": True, "LOGIN_RESET_MAIL_LIMIT": "2 per hour"} if "flood" in request.node.name else {}


def test_the_reset_form_cannot_flood_a_mailbox(app, client, make_account):
    make_account("ada")
    for n in range(4):
        response = client.post(
            "/account/reset", data={"email": "ada@example.com"}, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}
        )
        assert response.status_code == 302
    assert len(mails(app)) == 2
