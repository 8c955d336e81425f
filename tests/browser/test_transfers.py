"""In Chromium: staff announce and remove sub-processors; an organizer is told, objects, and is excluded."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, fresh_code

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}  # the real forms, CSRF tokens included


def log_in(page, live_server, login, account=None):
    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if account is not None:  # staff always give a second factor
        page.get_by_label("Authentication code").fill(fresh_code(account))
        page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/dashboard")


def test_staff_keep_the_list_and_an_organizer_sees_where_the_data_goes(page, live_server, make_account, make_staff):
    root = make_staff("root")
    make_account("ada")
    log_in(page, live_server, "root", root)
    page.goto(f"{live_server}/transfers/staff")
    page.get_by_label("Name", exact=True).fill("Far Away Ltd")
    page.get_by_label("Address", exact=True).fill("1 Far Road")
    page.get_by_label("Purpose", exact=True).fill("Hosting")
    page.get_by_label("Country where it processes the data").select_option("CN")
    page.get_by_role("button", name="Add sub-processor").click()
    expect(page.get_by_text("not-adequate")).to_be_visible()  # beside the country field

    page.get_by_label("Name", exact=True).fill("Old Host")
    page.get_by_label("Address", exact=True).fill("Berlin")
    page.get_by_label("Purpose", exact=True).fill("Hosting")
    page.get_by_label("Country where it processes the data").select_option("DE")
    page.get_by_role("button", name="Add sub-processor").click()
    page.get_by_role("button", name="Remove Old Host").click()
    expect(page.get_by_text("Old Host is removed")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Mail Co")
    page.get_by_label("Address", exact=True).fill("1 Main St, Boston")
    page.get_by_label("Purpose", exact=True).fill("Mail delivery")
    page.get_by_label("Country where it processes the data").select_option("US")
    page.get_by_label("Scope attestation it holds").select_option("dpf")
    page.get_by_label("Attestation reference").fill("DPF list #42")
    page.get_by_role("button", name="Add sub-processor").click()
    expect(page.get_by_text("Mail Co is announced and takes effect on")).to_be_visible()

    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, "ada")
    page.get_by_role("link", name="Where data goes").first.click()
    expect(page.get_by_role("heading", name="Where your participants' data goes")).to_be_visible()
    expect(page.get_by_text("Intended, not yet in effect")).to_be_visible()
    expect(page.get_by_role("cell", name="Removed")).to_be_visible()
    expect(page.get_by_text("never passed to Mail Co").first).to_be_visible()
    page.get_by_text("Object", exact=True).first.click()
    page.get_by_label("Why you object (optional)").first.fill("We send our own mail.")
    page.get_by_role("button", name="Object to this change").first.click()
    expect(page.get_by_text("Your objection is recorded")).to_be_visible()
    expect(page.get_by_text("You objected on")).to_be_visible()
    expect(page.get_by_text("Excluded on your objection")).to_be_visible()
    page.goto(f"{live_server}/transfers/staff")
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()
