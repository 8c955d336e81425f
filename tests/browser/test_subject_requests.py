"""In Chromium: an organizer records a participant's request, sees its deadline, carries it out, downloads it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from processor.registries import service as registries
from tests.conftest import PASSWORD
from tests.processor import people

pytestmark = pytest.mark.browser
PERSON = "grace@example.org"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def organizer(make_account):
    account = make_account("ada")
    for number in range(3):
        registry = registries.create_registry(account.id, f"Webinar {number}")
        people.add_participant(registry, {"email": PERSON, "last_name": f"Hopper{number}"})
        people.add_participant(registry, {"email": f"other{number}@example.org"})
    return account


def log_in(page, live_server):
    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")


def record(page, kind: str):
    page.get_by_role("link", name="Requests", exact=True).first.click()
    page.get_by_label("Kind").select_option(kind)
    page.get_by_label("The person's email address").fill(PERSON)
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_text("The request is recorded")).to_be_visible()


def test_an_erasure_request_from_intake_to_done(page, live_server, organizer):
    log_in(page, live_server)
    record(page, "erasure")
    expect(page.locator("#found")).to_contain_text("3 registries")
    expect(page.locator("#days-left")).to_have_text("30 days left")
    page.goto(f"{live_server}/dashboard")
    expect(page.get_by_text("30 days left")).to_be_visible()
    page.get_by_role("link", name="erasure request").click()
    page.get_by_role("button", name="Carry out").click()
    expect(page.locator("#status")).to_have_text("done")
    expect(page.locator("#recipients")).to_be_visible()
    expect(page.get_by_text("deleted 3 record(s)")).to_be_visible()
    page.goto(f"{live_server}/registries/")
    page.get_by_role("link", name="Webinar 0").click()
    expect(page.get_by_role("link", name="other0@example.org")).to_be_visible()
    expect(page.get_by_text(PERSON)).to_have_count(0)


def test_an_access_request_gives_one_download_of_every_record(page, live_server, organizer):
    log_in(page, live_server)
    record(page, "access")
    page.get_by_role("button", name="Carry out").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the person's data").click()
    with zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes())) as archive:
        records = json.loads(archive.read("person.json"))["records"]
    assert sorted(r["last_name"] for r in records) == ["Hopper0", "Hopper1", "Hopper2"]
    page.reload()  # handed out once: the file and its key are gone
    expect(page.get_by_role("button", name="Download the person's data")).to_have_count(0)
    expect(page.get_by_text("download fetched")).to_be_visible()
