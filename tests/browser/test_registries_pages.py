"""In Chromium: the registry pages at 1280 and 375 px (axe-core, no sideways scroll), and what organizers do there:
rename, confirmed deletes, export, search by name or company, sort, lawful basis from a list."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from processor.audit import service as audit
from processor.extensions import db
from processor.registries import service as registries
from processor.registries import views
from processor.registries.models import Registry
from tests.browser.conftest import check_page, log_in
from tests.processor import people

pytestmark = pytest.mark.browser
PEOPLE = [
    {
        "email": "lukasz.zolkiewski.with.a.long.address@example.org",
        "first_name": "Łukasz",
        "last_name": "Żółkiewski",
        "company": "Gdańsk Ports and Harbours\nNorthern Division",
        "country": "PL",
    },
    {"email": "anna@example.org", "first_name": "Anna", "last_name": "Nowak", "company": "Portal Media"},
    {"email": "zoe@example.org", "first_name": "Zoë", "last_name": "Abbott", "company": "Acme"},
]


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def organizer(make_account):
    return make_account("ada")


@pytest.fixture
def registry(organizer):
    registry = registries.create_registry(organizer.id, "Compilers 101 — autumn edition")
    for person in PEOPLE:
        people.add_participant(registry, person)
    return registry


def shown_emails(page) -> list[str]:
    return page.locator("table.people tbody td[data-label=Email] a").all_inner_texts()


def log_entries(account_id):
    db.session.expire_all()
    return list(reversed(audit.list_entries(account_id)))


def test_every_registry_page_passes_at_both_widths(page, live_server, registry, width):
    log_in(page, live_server)
    page.goto(f"{live_server}/registries/")
    expect(page.get_by_role("link", name=registry.name)).to_be_visible()
    check_page(page)
    page.get_by_role("link", name=registry.name).click()
    expect(page.get_by_role("heading", name=registry.name)).to_be_visible()
    check_page(page)
    page.get_by_text("Delete this registry", exact=True).click()  # the confirmation box, open
    expect(page.get_by_role("button", name="Delete the registry and its participants")).to_be_visible()
    check_page(page)
    page.get_by_label("Search by name or company").fill("port")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#scope")).to_contain_text("2 match(es)")
    check_page(page)
    page.get_by_role("link", name="anna@example.org").click()
    expect(page.get_by_role("heading", name="Edit participant")).to_be_visible()
    check_page(page)
    page.goto(f"{live_server}/registries/{registry.id}/export")
    expect(page.get_by_role("heading", name=re.compile("Export"))).to_be_visible()
    check_page(page)


def test_delete_buttons_are_visible_danger_buttons(page, live_server, registry):
    log_in(page, live_server)
    page.goto(f"{live_server}/registries/{registry.id}")
    button = page.locator("table.people summary", has_text="Delete").first
    expect(button).to_be_visible()
    colours = button.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
    assert colours[0] != colours[1] and colours[0] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")


def test_rename(page, live_server, registry):
    log_in(page, live_server)
    page.goto(f"{live_server}/registries/{registry.id}")
    page.get_by_label("New name").fill("Compilers 102")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("heading", name="Compilers 102", exact=True)).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Registry, registry.id).name == "Compilers 102"


def test_participant_delete_needs_the_second_click(page, live_server, registry, width):
    log_in(page, live_server)
    page.goto(f"{live_server}/registries/{registry.id}")
    row = page.locator("table.people tbody tr", has_text="anna@example.org")
    row.get_by_text("Delete", exact=True).click()
    expect(row.get_by_text("Delete anna@example.org from this registry?")).to_be_visible()
    assert registries.count_participants(registry) == len(PEOPLE)  # nothing deleted on the first click
    row.get_by_role("button", name="Delete this participant").click()
    expect(page.get_by_text("The participant is deleted.")).to_be_visible()
    assert "anna@example.org" not in shown_emails(page)
    assert registries.count_participants(registry) == len(PEOPLE) - 1


def test_registry_delete_needs_the_second_click_and_is_logged(page, live_server, registry, organizer):
    registry_id = registry.id
    log_in(page, live_server)
    page.goto(f"{live_server}/registries/{registry_id}")
    page.get_by_text("Delete this registry", exact=True).click()
    db.session.expire_all()
    assert db.session.get(Registry, registry_id) is not None
    page.get_by_role("button", name="Delete the registry and its participants").click()
    expect(page.get_by_text(f"with its {len(PEOPLE)} participant(s)")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Registry, registry_id) is None
    entry = log_entries(organizer.id)[-1]
    assert entry.reason.startswith("registry deleted") and entry.records == len(PEOPLE)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_downloads_a_file_that_reads_back_and_is_logged(page, live_server, registry, organizer, fmt):
    log_in(page, live_server)
    page.goto(f"{live_server}/registries/{registry.id}")
    page.get_by_role("link", name="Export").click()
    page.get_by_label(re.compile(fmt.upper())).check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert info.value.suggested_filename.endswith(f".{fmt}")
    rows = list(csv.DictReader(io.StringIO(text))) if fmt == "csv" else json.loads(text)["participants"]
    assert sorted(r["email"] for r in rows) == sorted(p["email"] for p in PEOPLE)
    assert {r["company"] for r in rows} == {p["company"] for p in PEOPLE}
    entry = log_entries(organizer.id)[-1]
    assert (entry.records, entry.destination_country) == (len(PEOPLE), "PL")
    assert entry.reason == f"export: web download ({fmt.upper()})"


def test_search_finds_by_name_and_company_and_pages(page, live_server, registry, organizer, monkeypatch, width):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    log_in(page, live_server)
    page.goto(f"{live_server}/registries/{registry.id}")
    page.get_by_label("Search by name or company").fill("PORT")
    page.get_by_role("button", name="Search", exact=True).click()
    found = shown_emails(page)
    page.get_by_role("button", name="Next matches").click()
    found += shown_emails(page)
    assert sorted(found) == sorted([PEOPLE[0]["email"], "anna@example.org"])
    assert "PORT" not in page.url and "port" not in page.url.lower().split("/registries/")[1]
    page.get_by_label("Search by name or company").fill("zolkiew")  # accents and case do not matter
    page.get_by_role("button", name="Search", exact=True).click()
    assert shown_emails(page) == [PEOPLE[0]["email"]]
    searches = [e for e in log_entries(organizer.id) if "searched in" in e.reason]
    assert [e.records for e in searches] == [1, 1, 1] and all(e.purpose == "essential.service" for e in searches)


def test_sort_by_last_name_both_ways(page, live_server, registry, width):
    log_in(page, live_server)
    page.goto(f"{live_server}/registries/{registry.id}")
    page.get_by_label("Sort by").select_option("last_name")
    page.get_by_label("Order").select_option("asc")
    page.get_by_role("button", name="Sort").click()
    assert shown_emails(page) == ["zoe@example.org", "anna@example.org", PEOPLE[0]["email"]]
    page.get_by_label("Order").select_option("desc")
    page.get_by_role("button", name="Sort").click()
    assert shown_emails(page) == [PEOPLE[0]["email"], "anna@example.org", "zoe@example.org"]


def test_lawful_basis_is_picked_from_the_list(page, live_server, registry):
    log_in(page, live_server)
    page.goto(f"{live_server}/registries/{registry.id}/participants/new")
    select = page.get_by_label("Lawful basis")
    assert select.locator("option").all_inner_texts() == [
        "Not recorded",
        "Consent — Art. 6(1)(a)",
        "Contract — Art. 6(1)(b)",
        "Legal obligation — Art. 6(1)(c)",
        "Vital interests — Art. 6(1)(d)",
        "Public task — Art. 6(1)(e)",
        "Legitimate interests — Art. 6(1)(f)",
    ]
    page.get_by_label("Email").fill("new@example.org")
    select.select_option("legitimate_interests")
    page.get_by_role("button", name="Add participant").click()
    expect(page.get_by_text("The participant is added.")).to_be_visible()
    page.get_by_role("link", name="new@example.org").click()
    expect(page.locator("#lawful-basis")).to_have_text("Legitimate interests — Art. 6(1)(f)")
    expect(page.get_by_label("Lawful basis")).to_have_value("legitimate_interests")
