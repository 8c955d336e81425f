"""In Chromium: sign up, log out, log in, see the dashboard; a wrong password shows an error and no session."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import fill_sign_up
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}  # the real forms, CSRF tokens included


def test_sign_up_log_out_log_in_and_see_the_dashboard(page, live_server):
    page.goto(f"{live_server}/")
    fill_sign_up(
        page,
        login="zofia",
        email="zofia@example.com",
        first_name="Zofia",
        last_name="Żółkiewska",
        account_title="Webinary Gdańsk & Co",
        plan="free",
        country="PL",
        password=PASSWORD,
    )
    page.wait_for_url("**/dashboard")
    expect(page.get_by_role("heading", name="Welcome, Zofia")).to_be_visible()
    expect(page.get_by_text("Webinary Gdańsk & Co")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/account/login")
    page.goto(f"{live_server}/dashboard")
    page.wait_for_url("**/account/login**")

    page.get_by_label("Login").fill("zofia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")
    expect(page.get_by_role("heading", name="Welcome, Zofia")).to_be_visible()


def test_wrong_password_shows_an_error_and_gives_no_session(page, live_server, make_account):
    make_account("ada")
    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill("ada")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Wrong login or password.")).to_be_visible()
    page.goto(f"{live_server}/dashboard")
    page.wait_for_url("**/account/login**")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
