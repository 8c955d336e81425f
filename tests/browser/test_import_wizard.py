"""In Chromium: a semicolon-separated cp1250 file with Polish names goes through the whole import wizard; a file
over the limit is refused before it is sent; multi-line values and warnings; the delete button asks first."""

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
        page.get_by_role("link", name="Download the report file").click()
    report = download.value.path().read_bytes().decode("utf-8-sig")
    assert "Ścibor" in report and "Źdźbło" in report and report.splitlines()[1].startswith("5;rejected;E-mail;")

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


def log_in(page, live_server):
    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")


def test_a_file_over_the_limit_is_refused_in_the_browser_before_it_is_sent(
    page, live_server, app, make_account, tmp_path
):
    app.config["IMPORT_MAX_BYTES"] = 1000
    account = make_account("ada")
    registries.create_registry(account.id, "Webinar")
    path = tmp_path / "big.csv"
    path.write_bytes(b"email\n" + b"someone@example.com\n" * 100)
    log_in(page, live_server)
    page.goto(f"{live_server}/imports/")
    requests = []
    page.on("request", lambda request: requests.append(request.method))
    page.get_by_label("CSV file").set_input_files(str(path))
    expect(page.get_by_role("alert")).to_contain_text("The file is larger than")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_timeout(300)
    assert "POST" not in requests
    assert page.url.endswith("/imports/")


def test_multi_line_values_warnings_and_a_confirmed_delete(page, live_server, make_account, tmp_path):
    account = make_account("ada")
    registry = registries.create_registry(account.id, "Webinar")
    path = tmp_path / "list.csv"
    path.write_bytes(
        b'email,first_name,company,phone\r\na@example.com,Ala,"Acme\r\nR&D",+48 601 234 567\r\n'
        b"b@example.com,Ola,Beta,12\r\n"
    )
    log_in(page, live_server)
    page.goto(f"{live_server}/imports/")
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/mapping")
    expect(page.locator("#samples-1")).to_contain_text("Ala · Ola")
    page.get_by_role("button", name="Run the dry run").click()
    page.get_by_role("heading", name="Dry run: nothing is written yet").wait_for()
    assert page.locator("#total-warnings").inner_text() == "1"
    assert page.locator("#total-errors").inner_text() == "0"
    page.get_by_role("button", name="Commit the import").click()
    page.get_by_role("heading", name="Import report").wait_for()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete the uploaded file").click()
    page.get_by_role("heading", name="Import report").wait_for()  # dismissed: nothing deleted, still here
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete the uploaded file").click()
    page.wait_for_url("**/imports/")
    page.goto(f"{live_server}/registries/{registry.id}")
    cell = page.get_by_role("cell", name="Acme")
    assert cell.inner_text() == "Acme\nR&D"  # shown on two lines
    assert cell.evaluate("element => getComputedStyle(element).whiteSpace") == "pre-line"
    assert people.find_by_email(registry, "b@example.com")["phone"] is None
