"""In Chromium, at 1280 and 375 px: the access log reads by name, fits its card, filters, pages and exports."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from playwright.sync_api import expect

from processor.audit import record_access
from processor.clients import service as clients
from processor.extensions import db
from processor.registries import service as registries
from tests.browser.conftest import check_page, log_in, menu_link

pytestmark = pytest.mark.browser
HEAD = "ab12" * 16  # a 64-character hash, as re-keying and erasure write into their reasons


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def organizer(make_account):
    """Ada with a registry, an API client, and 60 entries of every sort: reads by her, messages, staff, jobs."""
    ada = make_account("ada")
    registry = registries.create_registry(ada.id, "Spring webinar with a rather long name for a registry")
    clients.create_client(
        name="crm-sync-integration", scopes="participants:read", purposes_granted="essential.service",
        country="US", account_id=ada.id, created_by="ada",
    )  # fmt: skip
    sorts = [
        ("account", "ada", "web", "essential.service", "participant list", True),
        ("client", "crm-sync-integration", "api", "essential.service.notifications.email", "queued 40 messages", True),
        ("staff", "sam.support", "support", "essential.service.operations.support", "ticket SUP-1234: asked", True),
        ("staff", "system:audit-rekey", "cli", "essential.service.security", f"access log re-keyed: head {HEAD}", True),
        ("client", "crm-sync-integration", "api", "marketing.communications.email", "no-marketing: never", False),
    ]
    for n in range(60):
        actor_type, actor, channel, purpose, reason, allowed = sorts[n % len(sorts)]
        record_access(
            account_id=ada.id,
            actor_type=actor_type,
            actor=actor,
            purpose=purpose,
            registry_id=registry.id if n % 2 else None,
            fields=("email", "first_name", "last_name", "phone", "company"),
            records=n,
            destination_country="US" if actor_type == "client" else None,
            allowed=allowed,
            reason=reason,
            channel=channel,
        )
    db.session.commit()
    return ada


def test_the_log_reads_by_name_and_its_table_fits(page, live_server, organizer, width):
    log_in(page, live_server)
    page.goto(f"{live_server}/access-log/")
    table = page.get_by_role("table", name="Accesses, newest first")
    expect(table).to_contain_text("You (ada)")
    expect(table).to_contain_text("Your API client “crm-sync-integration”")
    expect(table).to_contain_text("Upgrade: access-log re-keying")
    expect(table).to_contain_text("Emails to participants you ask for")
    expect(table).to_contain_text("Spring webinar with a rather long name")
    check_page(page)
    card = page.locator("section.card", has=table).bounding_box()
    region = page.get_by_role("region", name="Accesses, newest first")
    box = region.bounding_box()
    assert box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
    spill = region.evaluate("el => el.scrollWidth - el.clientWidth")
    if width == 1280:
        assert spill <= 0, f"the table is {spill}px wider than its card at 1280 px"
    else:
        assert spill > 0  # on a phone the table scrolls inside its own container, not the page


def test_filter_page_through_and_export(page, live_server, organizer, width):
    log_in(page, live_server)
    menu_link(page, "Access log").click()  # on a phone the menu is folded behind its button
    page.get_by_label("Who").select_option(label="You")
    page.get_by_label("Per page").select_option("25")
    page.get_by_role("button", name="Show entries").click()
    expect(page).to_have_url(re.compile(r"\?(?=.*actor=you)(?!.*ada)"))
    table = page.get_by_role("table", name="Accesses, newest first (filtered)")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(12)  # every fifth of 60
    page.get_by_label("Per page").select_option("25")
    page.get_by_label("Kind of access").select_option(label="Read")
    page.get_by_role("button", name="Show entries").click()
    expect(rows).to_have_count(12)
    check_page(page)

    page.get_by_label("Kind of access").select_option(label="Any kind")
    page.get_by_label("Who").select_option(label="Anyone")
    page.get_by_role("button", name="Show entries").click()
    seen = []
    seen += table_seqs(page)
    page.get_by_role("link", name="Older entries").click()
    seen += table_seqs(page)
    check_page(page)
    page.get_by_role("link", name="Older entries").click()
    seen += table_seqs(page)
    expect(page.get_by_role("link", name="Older entries")).to_have_count(0)
    assert seen == list(range(60, 0, -1))
    page.get_by_role("link", name="Newer entries").click()
    assert table_seqs(page) == list(range(35, 10, -1))

    page.get_by_label("Who").select_option(label="Your API client “crm-sync-integration”")
    page.get_by_role("button", name="Show entries").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these entries as CSV").click()
    lines = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert lines[0][0] == "About this file" and "crm-sync-integration" in lines[1][1]
    body = lines[4:]
    assert len(body) == 24 and {r[2] for r in body} == {"Your API client “crm-sync-integration”"}


def table_seqs(page) -> list[int]:
    return [int(text) for text in page.locator("table.log-table tbody tr td:first-child").all_inner_texts()]


def test_a_bad_filter_is_said_plainly(page, live_server, organizer, width):
    log_in(page, live_server)
    response = page.goto(f"{live_server}/access-log/?from=2026-02-30&kind=everything")
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Some filters are not valid")
    expect(page.get_by_text("Choose a kind of access from the list.").first).to_be_visible()
    check_page(page)


def test_checkpoint_download_and_check_stay(page, live_server, organizer, width):
    log_in(page, live_server)
    page.goto(f"{live_server}/access-log/")
    expect(page.get_by_text("the chain of entries is intact")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download a signed checkpoint").click()
    assert json.loads(download.value.path().read_text())["seq"] == 60
    page.get_by_label("Check a checkpoint you kept").set_input_files(download.value.path())
    page.get_by_role("button", name="Check against the log").click()
    expect(page.get_by_text("The log still holds checkpoint #60, unchanged")).to_be_visible()
    check_page(page)
