"""In Chromium: a semicolon-separated cp1250 file with Polish names goes through the whole import wizard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from processor.registries import service as registries
from tests.conftest import PASSWORD
from tests.processor import people

pytestmark = pytest.mark.browser

FILE = (
    "sep=;\r\n"
    "Imię;Nazwisko;E-mail;Telefon;Kraj;Źródło\r\n"
    "Żaneta;Wąsowicz-Łęcka;zaneta@example.pl;601 234 567;Polska;newsletter\r\n"
    'Grzegorz;Brzęczyszczykiewicz;grzegorz@example.pl;;PL;=HYPERLINK("http://x")\r\n'
    "Ścibor;Źdźbło;to nie jest e-mail;;Polska;\r\n"
).encode("cp1250")


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_polish_cp1250_file_goes_through_the_wizard_into_the_registry(page, live_server, make_account, tmp_path):
    account = make_account("ada")
    registry = registries.create_registry(account.id, "Webinar o jaźni")
    path = tmp_path / "uczestnicy.csv"
    path.write_bytes(FILE)

    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    page.get_by_label("Registry").select_option(label="Webinar o jaźni")
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()

    page.wait_for_url("**/mapping")
    assert page.locator("#detected-encoding").inner_text() == "Windows-1250 (Central European)"
    assert page.locator("#detected-delimiter").inner_text() == "Semicolon"
    assert page.get_by_label("Imię").input_value() == "first_name"
    assert page.get_by_label("E-mail").input_value() == "email"
    expect(page.get_by_role("cell", name="Wąsowicz-Łęcka")).to_be_visible()
    expect(page.get_by_role("cell", name="+48601234567")).to_be_visible()
    page.get_by_label("Źródło").select_option("custom")
    page.get_by_role("button", name="Save and preview").click()
    page.wait_for_url("**/mapping")
    assert page.get_by_label("Źródło").input_value() == "custom"

    page.get_by_role("button", name="Run the dry run").click()
    page.get_by_role("heading", name="Dry run: nothing is written yet").wait_for()
    assert page.locator("#total-created").inner_text() == "2"
    assert page.locator("#total-errors").inner_text() == "1"
    assert people.list_participants(registry) == []

    page.get_by_role("button", name="Commit the import").click()
    page.get_by_role("heading", name="Import report").wait_for()
    assert page.locator("#total-created").inner_text() == "2"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error file").click()
    report = download.value.path().read_bytes().decode("utf-8-sig")
    assert "Ścibor" in report and "Źdźbło" in report and report.splitlines()[1].startswith("5;E-mail;")

    page.get_by_role("link", name="Open the registry").click()
    page.get_by_role("heading", name="Webinar o jaźni").wait_for()
    expect(page.get_by_role("cell", name="Żaneta Wąsowicz-Łęcka")).to_be_visible()
    expect(page.get_by_role("cell", name="Grzegorz Brzęczyszczykiewicz")).to_be_visible()
    expect(page.get_by_text("Ścibor")).to_be_hidden()

    stored = {p["email"]: p for p in people.list_participants(registry)}
    assert (stored["zaneta@example.pl"]["first_name"], stored["zaneta@example.pl"]["last_name"]) == (
        "Żaneta",
        "Wąsowicz-Łęcka",
    )
    assert stored["grzegorz@example.pl"]["last_name"] == "Brzęczyszczykiewicz"
    assert stored["zaneta@example.pl"]["custom_fields"] == {"Źródło": "newsletter"}
