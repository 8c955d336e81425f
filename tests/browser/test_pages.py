"""In Chromium, at 1280 and 375 px: every page of the shell fits the window and passes axe-core; the menu collapses
on a phone, focus goes to the first error, times are shown in local time, the dashboard counts and guides, the DPA's
signing form follows the document, and the favicon is served."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pyotp
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
from tests.browser.conftest import assert_accessible, assert_fits, check_page, fill_sign_up, log_in, menu_link
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
    requests.create_request(account.id, kind="access", email="grace@example.org", actor=requests.Actor("ada", "page"))
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
    add_subprocessor(
        name="Hetzner Online GmbH",
        address="Industriestr. 25, 91710 Gunzenhausen",
        purpose="Hosting",
        country="DE",
        by="root",
    )
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
    leave = page.get_by_role("button", name="Leave")
    assert leave.evaluate("button => getComputedStyle(button).color") != "rgb(255, 255, 255)"
    page.get_by_label("Your password, again").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Erase my data now").click()
    expect(page.get_by_role("heading", name="Your data is erased")).to_be_visible()
    check_page(page)


def test_the_menu_folds_behind_a_button_on_a_phone_and_opens_by_keyboard(page, live_server, make_account):
    make_account("ada")
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, live_server)
    menu = page.get_by_role("navigation", name="Main")
    button = page.get_by_role("button", name="Menu", exact=True)
    expect(menu).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    assert menu.bounding_box()["height"] > 0
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
    menu_link(page, "Requests").click()  # opens the folded menu first
    page.wait_for_url("**/requests/")

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    logout = page.get_by_role("button", name="Log out")
    assert logout.evaluate("button => getComputedStyle(button).color") == "rgb(255, 255, 255)"  # on the dark bar


def test_without_scripts_the_menu_is_shown_on_a_phone(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/account/login")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    assert_fits(page)
    context.close()


def focused(page) -> dict:
    """The element that has focus once the page's scripts ran (the body when none has)."""
    page.wait_for_load_state("load")
    return page.evaluate("({id: document.activeElement.id, text: document.activeElement.textContent.trim()})")


def test_focus_goes_to_the_first_error_after_a_bad_login(page, live_server, width, make_account):
    make_account("ada")
    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill("ada")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Wrong login or password.")).to_be_visible()
    assert focused(page)["text"].startswith("Wrong login or password.")
    page.get_by_label("Password").fill("")
    page.get_by_label("Login").fill("")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Login")).to_have_attribute("aria-invalid", "true")
    assert focused(page)["id"] == "login"


def test_focus_goes_to_the_first_field_in_error_after_a_bad_sign_up(page, live_server, width):
    page.goto(f"{live_server}/account/signup")
    fill_sign_up(
        page,
        login="zofia",
        email="not an address",
        first_name="Zofia",
        last_name="Żółkiewska",
        account_title="Webinary",
        country="PL",
        password="short",
    )
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    assert focused(page)["id"] == "email"
    check_page(page)


def test_times_are_shown_in_the_browsers_time_zone(browser, live_server, make_account):
    account = make_account("ada")
    context = browser.new_context(timezone_id="Asia/Kolkata", locale="en-GB")
    page = context.new_page()
    log_in(page, live_server)
    created = page.locator("#main time[data-local]").first
    local = account.created_at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    expect(created).to_contain_text(local.strftime("%H:%M"))
    expect(created).not_to_contain_text("UTC")
    assert created.get_attribute("title").endswith("UTC")  # the server's UTC text, kept as a tooltip
    context.close()


def test_the_dashboard_counts_and_guides(page, live_server, width, organizer):
    log_in(page, live_server)
    expect(page.locator("#count-registries")).to_have_text("1 registry")
    expect(page.locator("#count-participants")).to_have_text("2 participants")
    expect(page.locator("#count-requests")).to_have_text("1 open data-subject request")
    expect(page.locator("#dpa-state")).to_contain_text("version 1 in force")
    expect(page.locator("#steps-progress")).to_have_text("3 of 4 steps done")
    expect(page.get_by_role("link", name="Create an API client")).to_be_visible()
    check_page(page)


def test_the_signing_form_sits_below_the_document(page, live_server, width, organizer):
    log_in(page, live_server)
    page.goto(f"{live_server}/contracts/v2")
    document = page.locator("#document").bounding_box()
    form = page.get_by_role("button", name="Sign version 2").bounding_box()
    assert form["y"] > document["y"] + document["height"]
    expect(page.get_by_text(organizer_digest(organizer))).to_be_hidden()
    page.get_by_text("Technical details").click()
    expect(page.get_by_text(organizer_digest(organizer))).to_be_visible()
    check_page(page)


def organizer_digest(account) -> str:
    return dpa.get_version(account, 2).document_sha256


def test_the_favicon_is_served(page, live_server):
    response = page.request.get(f"{live_server}/favicon.ico")
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
    page.goto(f"{live_server}/account/login")
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{live_server}{href}").ok


def test_a_link_styled_button_is_readable_outside_the_top_bar(page, live_server):
    page.goto(f"{live_server}/account/login")
    page.evaluate(
        "document.querySelector('main .card').insertAdjacentHTML('beforeend',"
        ' \'<form><button type="button" class="link" id="probe">Delete</button></form>\')'
    )
    colour = page.evaluate("getComputedStyle(document.getElementById('probe')).color")
    assert colour != "rgb(255, 255, 255)"  # the top bar's white on the white card
    assert_accessible(page)


OWN_BOX = """<!doctype html><html lang="en"><head><title>Tables</title>
<link rel="stylesheet" href="/static/style.css"><link rel="stylesheet" href="/own.css">
<script src="/static/app.js" defer></script></head><body><main id="main">
<div class="own" role="region" aria-label="Own box" tabindex="0"><table id="boxed"><tr><td>x</td></tr></table></div>
<table id="bare"><tr><td>y</td></tr></table></main></body></html>"""


def test_a_table_gets_a_scrolling_box_unless_the_page_gave_it_one(page, live_server):
    page.route("**/tables", lambda route: route.fulfill(body=OWN_BOX, content_type="text/html"))
    page.route("**/own.css", lambda route: route.fulfill(body=".own { overflow-x:auto; }", content_type="text/css"))
    page.goto(f"{live_server}/tables")
    page.wait_for_load_state("load")
    assert page.locator("#bare").evaluate("t => t.parentElement.className") == "table-scroll"
    assert page.locator("#boxed").evaluate("t => t.parentElement.className") == "own"
