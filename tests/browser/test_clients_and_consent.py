"""In Chromium: an organizer creates an API client (token shown once), opts in to marketing, reads the access log."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from processor.clients import service
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _log_in(page, live_server):
    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")


def test_create_client_token_once_then_revoke(page, live_server, make_account):
    make_account("ada")
    _log_in(page, live_server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API clients").click()
    page.get_by_label("Name").fill("my-crm")
    page.get_by_label("Read participants").check()
    page.get_by_label("Emails to participants you ask for").check()
    page.get_by_label("Country the client runs in").select_option("DE")
    page.get_by_role("button", name="Create client").click()
    token = page.locator("#new-token").inner_text()
    assert service.authenticate(f"Bearer {token}").name == "my-crm"
    page.reload()
    assert page.locator("#new-token").count() == 0
    page.locator("summary", has_text="Revoke my-crm").click()
    page.get_by_role("button", name="Yes, revoke my-crm").click()
    expect(page.get_by_text("Client my-crm is revoked")).to_be_visible()


def test_opt_in_to_marketing_and_see_the_access_log(page, live_server, make_account):
    make_account("ada")
    _log_in(page, live_server)
    page.goto(f"{live_server}/account/settings")
    page.get_by_label("Yes, send me news").check()
    page.get_by_role("button", name="Save marketing choice").click()
    expect(page.get_by_text("Your marketing choice is saved.")).to_be_visible()
    expect(page.get_by_text("Your choice was recorded on")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Access log").click()
    expect(page.get_by_role("heading", name="Access log")).to_be_visible()
    expect(page.get_by_text("chain of entries is intact")).to_be_visible()
