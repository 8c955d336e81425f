"""Sign-in done right: local redirects only, one answer for every failure, throttles no stranger can turn into a
lock-out, logout that ends the session on the server, security headers on every response."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app import create_app
from processor.accounts import service
from processor.accounts.redirects import local_path
from processor.extensions import db
from processor.retention import service as retention
from tests.conftest import PASSWORD, _config

ORGANIZER, STRANGER = "198.51.100.7", "203.0.113.9"
WRONG = "not the password at all"


@pytest.fixture
def app_config(request):
    if "throttle" in request.node.name or "limit" in request.node.name or "lock" in request.node.name:
        return {
            "RATELIMIT_ENABLED": True,
            "LOGIN_ADDRESS_LIMIT": "12 per minute",
            "LOGIN_PAIR_LIMIT": "3 per 15 minutes",
            "LOGIN_ACCOUNT_LIMIT": "6 per hour",
        }
    return {}


def post_login(client, login, password, address=ORGANIZER, query=""):
    return client.post(
        f"/account/login{query}", data={"login": login, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


@pytest.mark.parametrize(
    "query",
    [
        "?next=/%09/evil.example",
        "?next=//evil.example",
        "?next=%5C%5Cevil.example",
        "?next=/%5Cevil.example",
        "?next=https:evil.example",
        "?next=https://evil.example/",
        "?next=%20//evil.example",
        "?next=/%0d%0a/evil.example",
        "?next=javascript:alert(1)",
    ],
)
def test_a_redirect_to_another_site_after_login_is_refused(client, make_account, query):
    make_account("ada")
    location = post_login(client, "ada", PASSWORD, query=query).headers["Location"]
    assert urlsplit(location).netloc in ("", "localhost")
    assert urlsplit(location).path == "/dashboard"


@pytest.mark.parametrize("target", ["/registries/", "/registries/?page=2", "/account/settings#two"])
def test_a_local_path_after_login_is_followed(target):
    assert local_path(target) == target


@pytest.fixture
def hashes(monkeypatch):
    """Count the password hashes computed: each answer must cost the same single hash."""
    calls = []
    real = service.check_password_hash

    def counting(stored, password):
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(service, "check_password_hash", counting)
    return calls


def test_wrong_password_unknown_login_and_throttled_login_get_one_answer_at_one_cost(client, make_account, hashes):
    make_account("ada")
    answers = []
    for login, password in [("ada", WRONG), ("nobody", WRONG), ("ada", WRONG), ("ada", WRONG), ("ada", PASSWORD)]:
        hashes.clear()
        response = post_login(client, login, password)
        answers.append((response.status_code, service.LOGIN_FAILED in response.get_data(as_text=True)))
        assert len(hashes) == 1
    # The last one is the right password after three failures from this address: throttled, yet the same answer.
    assert answers == [(401, True)] * 5


def test_a_stranger_cannot_lock_an_organizer_out_by_failing_from_elsewhere(client, make_account):
    make_account("ada")
    for _ in range(5):
        post_login(client, "ada", WRONG, address=STRANGER)
    assert post_login(client, "ada", PASSWORD, address=STRANGER).status_code == 401
    assert post_login(client, "ada", PASSWORD, address=ORGANIZER).status_code == 302


def test_the_per_address_limit_answers_every_login_alike(client, make_account):
    make_account("ada")
    statuses = [post_login(client, login, WRONG).status_code for login in ["ada", "nobody"] * 6]
    assert statuses == [401] * 12
    assert post_login(client, "ada", PASSWORD).status_code == 429
    assert post_login(client, "nobody", PASSWORD).status_code == 429
    assert post_login(client, "ada", PASSWORD, address="192.0.2.55").status_code == 302


def test_a_spread_out_attack_throttles_the_password_but_not_the_reset_link(app, client, make_account):
    make_account("ada")
    for n in range(6):
        post_login(client, "ada", WRONG, address=f"192.0.2.{n + 10}")
    assert post_login(client, "ada", PASSWORD).status_code == 401
    with app.app_context():
        from processor.accounts import reset

        token = reset.make_token(service.find_by_login("ada"))
    response = client.post(
        f"/account/reset/{token}", data={"password": "a brand new passphrase"}, environ_base={"REMOTE_ADDR": ORGANIZER}
    )
    assert response.headers["Location"].endswith("/dashboard")
    client.post("/account/logout")
    assert post_login(client, "ada", "a brand new passphrase").status_code == 302


def test_a_held_account_is_told_apart_only_after_its_password_is_verified(app_ctx, make_account):
    retention.remove_account(make_account("ada"))
    with pytest.raises(service.LoginFailed):
        service.authenticate("ada", WRONG, address=ORGANIZER)
    assert service.authenticate("ada", PASSWORD, address=ORGANIZER).held is True


def test_a_session_cookie_replayed_after_logout_is_refused(client, auth, make_account):
    make_account("ada")
    auth.login()
    assert client.get("/dashboard").status_code == 200
    cookie = client.get_cookie("session").value
    auth.logout()
    client.set_cookie("session", cookie)
    assert client.get("/dashboard").status_code == 302


def test_logout_ends_only_this_browsers_session(app, client, auth, make_account):
    make_account("ada")
    other = app.test_client()
    auth.login()
    other.post("/account/login", data={"login": "ada", "password": PASSWORD})
    auth.logout()
    assert other.get("/dashboard").status_code == 200


@pytest.mark.parametrize("path", ["/account/login", "/static/style.css", "/api/v1/openapi.json", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # development and testing run on plain http


def test_hsts_is_sent_outside_development(database_url, tmp_path):
    app = create_app(_config(database_url, APP_ENV="production"), instance_path=str(tmp_path / "instance"))
    headers = app.test_client().get("/healthz").headers
    with app.app_context():
        db.engine.dispose()  # this app is not the fixture's: close its pool here
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_template_needs_inline_script_or_style():
    templates = Path(__file__).resolve().parents[3] / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\sstyle=|\son[a-z]+=|<style", text), path
