"""The web shell as served HTML: required markers, autocomplete, the favicon, readable times, the dashboard."""

from __future__ import annotations

import datetime as dt
import re

import lxml.html
import pytest

from processor import dashboard
from processor.accounts import reset
from processor.accounts import service as accounts
from processor.clients import service as clients
from processor.extensions import db
from processor.registries import service as registries
from processor.subject_requests import service as requests
from processor.web import when
from tests.processor import people

# An ISO timestamp shown as text (in an attribute it is fine: <time datetime="...">).
RAW_ISO = re.compile(r">[^<]*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def html(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def field(page, field_id):
    (element,) = page.xpath(f'//*[@id="{field_id}"]')
    (label,) = page.xpath(f'//label[@for="{field_id}"]')
    return element, label


@pytest.fixture
def signed_in(auth, make_account):
    make_account("ada")
    auth.login()
    return auth.client


@pytest.mark.parametrize(
    ("path", "required", "optional"),
    [
        ("/account/signup", ["login", "email", "first_name", "last_name", "title", "country", "password"], []),
        ("/account/login", ["login", "password"], []),
        ("/account/reset", ["email"], []),
        ("/account/return", ["login", "code"], []),
    ],
)
def test_required_fields_are_marked_and_carry_the_required_attribute(client, path, required, optional):
    page = html(client.get(path))
    for name in required:
        element, label = field(page, name)
        assert element.get("required") is not None, name
        assert "required" in label.classes, name
    for name in optional:
        element, label = field(page, name)
        assert element.get("required") is None and "required" not in label.classes, name


def test_signed_in_forms_mark_required_fields_but_not_optional_or_read_only_ones(signed_in, app):
    page = html(signed_in.get("/contracts/"))
    for name in ("business_name", "street", "postal_code", "city", "country", "contact"):
        element, label = field(page, name)
        assert element.get("required") is not None and "required" in label.classes, name
    for name in ("dpo", "login", "account_title"):
        element, label = field(page, name)
        assert element.get("required") is None and "required" not in label.classes, name
    assert "are required" in page.text_content()


AUTOCOMPLETE = {
    "/account/login": {"login": "username", "password": "current-password"},
    "/account/signup": {
        "login": "username",
        "email": "email",
        "first_name": "given-name",
        "last_name": "family-name",
        "title": "organization",
        "country": "country",
        "password": "new-password",
    },
    "/account/reset": {"email": "email"},
    "/account/return": {"login": "username", "code": "off"},
}
SIGNED_IN_AUTOCOMPLETE = {
    "/account/settings": {
        "email": "email",
        "first_name": "given-name",
        "last_name": "family-name",
        "title": "organization",
        "country": "country",
        "password": "current-password",
    },
    "/account/password": {"current_password": "current-password", "new_password": "new-password"},
    "/account/two-factor": {"code": "one-time-code"},
    "/contracts/": {
        "business_name": "organization",
        "street": "address-line1",
        "postal_code": "postal-code",
        "city": "address-level2",
        "country": "country",
    },
    "/requests/": {"email": "off"},
}


@pytest.mark.parametrize(("path", "expected"), AUTOCOMPLETE.items(), ids=list(AUTOCOMPLETE))
def test_public_forms_name_what_the_browser_may_fill(client, path, expected):
    page = html(client.get(path))
    assert {name: field(page, name)[0].get("autocomplete") for name in expected} == expected


@pytest.mark.parametrize(("path", "expected"), SIGNED_IN_AUTOCOMPLETE.items(), ids=list(SIGNED_IN_AUTOCOMPLETE))
def test_signed_in_forms_name_what_the_browser_may_fill(signed_in, path, expected):
    page = html(signed_in.get(path))
    assert {name: field(page, name)[0].get("autocomplete") for name in expected} == expected


def test_reset_and_second_factor_forms_name_what_the_browser_may_fill(client, make_account, make_staff, auth):
    account = make_account("ada")
    page = html(client.get(f"/account/reset/{reset.make_token(account)}"))
    assert field(page, "password")[0].get("autocomplete") == "new-password"
    make_staff("root")  # staff always give a second factor
    assert auth.login("root").headers["Location"].endswith("/account/login/code")
    page = html(client.get("/account/login/code"))
    assert field(page, "code")[0].get("autocomplete") == "one-time-code"


def test_favicon_is_linked_and_served(client):
    page = html(client.get("/account/login"))
    (icon,) = page.xpath('//link[@rel="icon"]')
    svg = client.get(icon.get("href"))
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 301 and legacy.headers["Location"].endswith(icon.get("href"))


def test_every_page_loads_the_shell_script_and_no_inline_script(client):
    page = html(client.get("/account/login"))
    scripts = page.xpath("//script")
    assert [s.get("src") for s in scripts] == ["/static/app.js"] and all(not s.text for s in scripts)
    assert client.get("/static/app.js").status_code == 200


def test_the_menu_has_a_button_that_names_what_it_opens(client):
    page = html(client.get("/account/login"))
    (button,) = page.xpath('//button[contains(@class, "menu-toggle")]')
    assert button.get("type") == "button" and button.get("aria-expanded") == "false"
    (menu,) = page.xpath(f'//*[@id="{button.get("aria-controls")}"]')
    assert menu.xpath('.//a[text()="Log in"]')  # without a script the menu is just there


@pytest.mark.parametrize(
    ("moment", "stamp", "text"),
    [
        (
            dt.datetime(2026, 11, 30, 16, 16, 30, 373329, tzinfo=dt.UTC),
            "2026-11-30T16:16:30+00:00",
            "30 Nov 2026, 16:16 UTC",
        ),
        (
            dt.datetime(2026, 11, 30, 17, 16, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            "2026-11-30T16:16:00+00:00",
            "30 Nov 2026, 16:16 UTC",
        ),
        (dt.datetime(2026, 1, 2, 3, 4), "2026-01-02T03:04:00+00:00", "2 Jan 2026, 03:04 UTC"),
    ],
)
def test_when_shows_a_readable_utc_time_a_script_may_localize(moment, stamp, text):
    element = lxml.html.fromstring(str(when(moment)))
    assert (element.tag, element.get("datetime"), element.text) == ("time", stamp, text)
    assert element.get("data-local") is not None


def test_request_pages_show_readable_times_not_raw_iso(signed_in, app_ctx):
    ada = accounts.find_by_login("ada")
    request = requests.create_request(ada.id, kind="access", email="grace@example.org", actor=requests.Actor("ada"))
    for path in ("/requests/", f"/requests/{request.id}", "/dashboard"):
        text = signed_in.get(path).get_data(as_text=True)
        assert not RAW_ISO.search(text), path
    page = html(signed_in.get(f"/requests/{request.id}"))
    assert len(page.xpath("//main//time[@data-local]")) >= 2  # received, and each step


@pytest.fixture
def organizer(make_account):
    account = make_account("ada")
    first = registries.create_registry(account.id, "Spring")
    second = registries.create_registry(account.id, "Autumn")
    people.add_participant(first, {"email": "grace@example.org"})
    people.add_participant(first, {"email": "linus@example.org"})
    people.add_participant(second, {"email": "grace@example.org"})
    requests.create_request(account.id, kind="access", email="grace@example.org", actor=requests.Actor("ada"))
    other = make_account("bob")
    people.add_participant(registries.create_registry(other.id, "Bob's"), {"email": "x@example.org"})
    requests.create_request(other.id, kind="access", email="x@example.org", actor=requests.Actor("bob"))
    return account


def test_counts_are_the_organizers_own(organizer):
    assert dashboard.counts(organizer.id) == dashboard.Counts(
        registries=2, participants=3, open_requests=1, api_clients=0
    )


def test_counts_leave_out_closed_requests_and_revoked_clients(organizer):
    request = requests.list_requests(organizer.id)[0]
    requests.refuse_request(request, reason="Not our participant.", actor=requests.Actor("ada"))
    db.session.commit()
    for name in ("mailer", "room"):
        clients.create_client(
            name=name,
            scopes="participants:read",
            purposes_granted="essential.service.notifications.email",
            country="DE",
            created_by="ada",
            account_id=organizer.id,
        )
    clients.revoke_client("room", account_id=organizer.id)
    assert dashboard.counts(organizer.id).open_requests == 0
    assert dashboard.counts(organizer.id).api_clients == 1


def test_dashboard_shows_counts_and_steps_without_repeating_the_menu(organizer, auth):
    auth.login()
    page = html(auth.client.get("/dashboard"))
    main = page.get_element_by_id("main")
    assert page.get_element_by_id("count-registries").text_content().split() == ["2", "registries"]
    assert page.get_element_by_id("count-participants").text_content().split() == ["3", "participants"]
    assert page.get_element_by_id("count-requests").text_content().split()[:2] == ["1", "open"]
    assert "Not signed" in page.get_element_by_id("dpa-state").text_content()
    steps = {li.get("id"): li.get("data-done") for li in main.xpath('.//ol[@class="steps-list"]/li')}
    assert steps == {"step-registry": "yes", "step-import": "yes", "step-dpa": "no", "step-client": "no"}
    assert page.get_element_by_id("steps-progress").text_content().startswith("2 of 4")
    assert not main.xpath('.//a[text()="Access log"]') and not main.xpath('.//a[text()="Account"]')


def test_a_new_organizer_sees_every_step_to_do(signed_in):
    page = html(signed_in.get("/dashboard"))
    steps = [li.get("data-done") for li in page.xpath('//ol[@class="steps-list"]/li')]
    assert steps == ["no", "no", "no", "no"]
    assert page.get_element_by_id("count-registries").text_content().split() == ["0", "registries"]
