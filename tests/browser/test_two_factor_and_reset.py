"""In Chromium: turn on two-factor sign-in and sign in with a code; reset a forgotten password by mailed link."""

from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}  # the real forms, CSRF tokens included


def log_in(page, live_server, password=PASSWORD):
    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill("ada")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_enrol_an_authenticator_then_sign_in_with_its_code(page, live_server, make_account):
    make_account("ada")
    log_in(page, live_server)
    page.wait_for_url("**/dashboard")
    page.goto(f"{live_server}/account/settings")
    page.get_by_role("link", name="Two-factor sign-in (off)").click()
    secret = page.locator("#totp-secret").inner_text()
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from your app").fill(totp.now())
    page.get_by_role("button", name="Turn two-factor sign-in on").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server)
    page.wait_for_url("**/account/login/code")
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    page.get_by_label("Authentication code").fill(totp.at(time.time() + 30))  # the next step: never a replay
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/dashboard")
    expect(page.get_by_role("heading", name="Welcome, Ada")).to_be_visible()


def test_reset_a_forgotten_password_by_the_mailed_link(page, live_server, make_account, app):
    make_account("ada")
    page.goto(f"{live_server}/account/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("If an account has this address")).to_be_visible()
    (mail,) = (Path(app.instance_path) / "mail").glob("*.eml")
    body = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default).get_content()
    path = re.search(r"https?://[^/\s]+(/account/reset/\S+)", body).group(1)

    page.goto(f"{live_server}{path}")
    page.get_by_label("New password").fill("a brand new passphrase")
    page.get_by_role("button", name="Set the new password").click()
    page.wait_for_url("**/dashboard")
    page.get_by_role("button", name="Log out").click()

    page.goto(f"{live_server}{path}")  # the link worked once
    expect(page.get_by_text("expired or was already used")).to_be_visible()
    log_in(page, live_server, password="a brand new passphrase")
    page.wait_for_url("**/dashboard")
