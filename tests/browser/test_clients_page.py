"""In Chromium, at 1280 and 375 px: the API clients page creates a client (token copied with one click, shown
once), warns before creating one whose calls would be refused, and revokes only after confirmation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from processor.clients import service
from processor.extensions import db
from processor.registries import service as registries
from tests.browser.conftest import check_page, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def ada(make_account):
    account = make_account("ada")
    registries.create_registry(account.id, "Spring webinar")
    registries.create_registry(account.id, "Autumn webinar")
    return account


def _fill(page, country="DE"):
    page.get_by_label("Name", exact=True).fill("my-crm")
    page.get_by_label("Read participants").check()
    page.get_by_label("Emails to participants you ask for").check()
    page.get_by_label("Country the client runs in").select_option(country)


def _clients():
    db.session.expire_all()
    return service.list_clients(include_organizers=True)


def test_create_a_limited_client_and_copy_its_token_once(page, live_server, ada, width):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    log_in(page, live_server)
    page.goto(f"{live_server}/clients/")
    check_page(page)
    _fill(page)
    page.get_by_label("Spring webinar").check()
    page.get_by_role("button", name="Create client").click()
    token = page.locator("#new-token").inner_text()
    check_page(page)
    page.get_by_role("button", name="Copy token").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == token
    created = service.authenticate(f"Bearer {token}")
    assert [r.name for r in created.registries] == ["Spring webinar"]
    card = page.locator(".client-card", has_text="my-crm")
    expect(card).to_contain_text("Emails to participants you ask for")
    expect(card).to_contain_text("Spring webinar")
    expect(card).to_contain_text("In 90 days")
    page.reload()
    assert page.locator("#new-token").count() == 0
    assert token not in page.content()
    expect(page.locator(".client-card", has_text="my-crm")).to_contain_text("Last used")


def test_revoke_happens_only_after_confirmation(page, live_server, ada, width):
    service.create_client(
        name="my-crm", scopes="participants:read", purposes_granted="essential.service", country="DE",
        account_id=ada.id, created_by="test",
    )  # fmt: skip
    log_in(page, live_server)
    page.goto(f"{live_server}/clients/")
    page.locator("summary", has_text="Revoke my-crm").click()
    confirm = page.get_by_role("button", name="Yes, revoke my-crm")
    expect(confirm).to_be_visible()
    expect(page.get_by_text("Its token stops working at once")).to_be_visible()
    check_page(page)
    assert all(c.active for c in _clients())  # opening the box revokes nothing
    confirm.click()
    expect(page.get_by_text("Client my-crm is revoked")).to_be_visible()
    assert not any(c.active for c in _clients())
    check_page(page)


def test_a_client_whose_calls_would_be_refused_needs_an_explicit_choice(page, live_server, ada, width):
    log_in(page, live_server)
    page.goto(f"{live_server}/clients/")
    _fill(page, country="US")
    page.get_by_role("button", name="Create client").click()
    warning = page.locator("#transfer-warning")
    expect(warning).to_be_visible()
    expect(warning).to_be_focused()
    expect(warning).to_contain_text("Data Privacy Framework")
    check_page(page)
    assert _clients() == [] and page.locator("#new-token").count() == 0
    # The form kept what was typed; creating anyway is a separate, explicit button.
    expect(page.get_by_label("Name", exact=True)).to_have_value("my-crm")
    page.get_by_role("button", name="Create it anyway; its calls stay refused").click()
    expect(page.locator("#new-token")).to_be_visible()
    expect(page.locator(".client-card", has_text="my-crm")).to_contain_text("Calls refused today")
    check_page(page)
    assert [c.name for c in _clients()] == ["my-crm"]


def test_the_warning_goes_away_when_the_attestation_is_given(page, live_server, ada, width):
    log_in(page, live_server)
    page.goto(f"{live_server}/clients/")
    _fill(page, country="US")
    page.get_by_role("button", name="Create client").click()
    expect(page.locator("#transfer-warning")).to_be_visible()
    page.get_by_label("Scope attestation the recipient holds").select_option("dpf")
    page.get_by_label("Attestation reference").fill("DPF list entry 12345")
    page.get_by_role("button", name="Create client", exact=True).click()
    expect(page.locator("#new-token")).to_be_visible()
    expect(page.locator(".client-card", has_text="my-crm")).not_to_contain_text("Calls refused today")
