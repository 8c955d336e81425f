"""In Chromium: remove the account, see the return code once, log in to the held page, erase early, and get the
participant database back with the login and the return code."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from processor import jobs
from processor.jobs.runner import execute as run_job
from processor.registries import service as registries
from tests.browser.conftest import check_page
from tests.conftest import PASSWORD
from tests.processor import people

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def organizer(make_account):
    account = make_account("ada", plan="free")
    registry = registries.create_registry(account.id, "Spring")
    people.add_participant(registry, {"email": "zofia@example.com", "last_name": "Żółkiewska"})
    return account


def log_in(page, live_server):
    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def zipped_text(path) -> str:
    with zipfile.ZipFile(io.BytesIO(Path(path).read_bytes())) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist())


def test_removal_then_early_erasure_then_return_with_the_code(page, live_server, organizer):
    log_in(page, live_server)
    page.wait_for_url("**/dashboard")
    page.goto(f"{live_server}/account/settings")
    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Remove my account").click()
    code = page.locator("#return-code").inner_text()
    assert len(code) == 24

    log_in(page, live_server)
    page.wait_for_url("**/account/held")
    expect(page.get_by_role("heading", name="Your account is removed")).to_be_visible()
    page.get_by_role("button", name="Download my participant database").click()
    page.wait_for_url("**/account/held/return")  # a job prepared it (run inline in tests): it is ready
    expect(page.get_by_text("It is ready")).to_be_visible()
    check_page(page)
    with page.expect_download() as held_download:
        page.get_by_role("button", name="Download my participant database").click()
    assert "Żółkiewska" in zipped_text(held_download.value.path())
    page.get_by_role("link", name="Back to your removed account").click()
    page.get_by_label("Your password, again").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Erase my data now").click()
    expect(page.get_by_role("heading", name="Your data is erased")).to_be_visible()

    page.get_by_role("link", name="return of the participant database").click()
    page.get_by_label("Login").fill("ada")
    page.get_by_label("Return code").fill(code)
    with page.expect_download() as returned:
        page.get_by_role("button", name="Download the participant database").click()
    assert "zofia@example.com" in zipped_text(returned.value.path())

    page.goto(f"{live_server}/account/return")
    page.get_by_label("Login").fill("ada")
    page.get_by_label("Return code").fill(code)
    page.get_by_role("button", name="Download the participant database").click()
    expect(page.get_by_text("nothing is left to return")).to_be_visible()


def test_reactivation_from_the_held_page(page, live_server, organizer):
    from processor.retention import service as retention

    retention.remove_account(organizer)
    log_in(page, live_server)
    page.wait_for_url("**/account/held")
    page.get_by_role("button", name="Reactivate my account").click()
    page.wait_for_url("**/dashboard")
    expect(page.get_by_text("Your account is reactivated")).to_be_visible()


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "JOBS_IMMEDIATE": False}])
def test_the_held_return_and_early_erasure_pages_follow_their_jobs_until_done(page, live_server, organizer, app):
    from processor.retention import service as retention

    retention.remove_account(organizer)
    log_in(page, live_server)
    page.wait_for_url("**/account/held")
    page.get_by_role("button", name="Download my participant database").click()
    expect(page.get_by_text("It is being prepared")).to_be_visible()
    expect(page.get_by_text("waiting for a job worker")).to_be_visible()
    check_page(page)
    [job] = jobs.list_jobs(account_id=organizer.id)
    run_job(job.id)  # a worker prepares it: the page notices (job_progress.js) and offers the download
    expect(page.get_by_text("It is ready")).to_be_visible(timeout=10_000)
    page.get_by_role("link", name="Back to your removed account").click()

    page.get_by_label("Your password, again").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Erase my data now").click()
    expect(page.get_by_role("heading", name="Erasing your data…")).to_be_visible()
    check_page(page)
    erasure = next(j for j in jobs.list_jobs(account_id=organizer.id) if j.kind == "retention.erase_early")
    run_job(erasure.id)
    expect(page.get_by_role("heading", name="Your data is erased")).to_be_visible(timeout=10_000)
