"""In Chromium: fill the DPA form, download the DOCX, sign it, read the certificate, fetch the signed copy."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.contracts.conftest import document_text

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}  # the real forms, CSRF tokens included


def test_form_download_sign_certificate(page, live_server, make_account):
    from contracts import signing
    from processor.transfers.subprocessors import add_subprocessor

    key = signing.create_key(signing.key_path())
    add_subprocessor(name="Hetzner Online GmbH", purpose="Hosting", country="DE", by="staff")
    make_account("zofia", title="Webinary Gdańsk & Co")
    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill("zofia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")

    page.get_by_role("link", name="Data processing agreement").first.click()
    assert page.get_by_label("Login").input_value() == "zofia"
    assert page.get_by_label("Account title").get_attribute("readonly") is not None
    page.get_by_label("Business name").fill("Żółta Łódź & <Synowie> Sp. z o.o.")
    page.get_by_label("Street and number").fill("ul. Świętojańska 5")
    page.get_by_label("Postal code").fill("81/368")
    page.get_by_label("City").fill("Gdynia")
    page.get_by_label("Country", exact=True).select_option("PL")
    page.get_by_label("Contact person").fill("Zofia Żółkiewska, zofia@example.com")
    page.get_by_role("button", name="Prepare the agreement").click()
    expect(page.get_by_text("Use letters, digits, spaces and dashes")).to_be_visible()
    page.get_by_label("Postal code").fill("81-368")
    page.get_by_role("button", name="Prepare the agreement").click()
    page.wait_for_url("**/contracts/v1")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download dpa-zofia-v1.docx").click()
    download = download_info.value
    assert download.suggested_filename == "dpa-zofia-v1.docx"
    data = download.path().read_bytes()
    assert "Żółta Łódź & <Synowie> Sp.\u00a0z\u00a0o.o." in document_text(data)
    assert "Hetzner Online GmbH" in document_text(data)

    page.get_by_label("Your full name").fill("Zofia Żółkiewska")
    page.get_by_label("Your role").fill("Prezes zarządu")
    page.get_by_role("button", name="Sign version 1").click()
    expect(page.get_by_text("Tick the box")).to_be_visible()
    page.get_by_label("Your full name").fill("Zofia Żółkiewska")
    page.get_by_label("Your role").fill("Prezes zarządu")
    page.get_by_label("I am authorised to sign").check()
    page.get_by_role("button", name="Sign version 1").click()
    page.wait_for_url("**/contracts/v1/certificate")

    evidence = page.locator("#evidence")
    assert "Countersigned (in force)" in evidence.inner_text()
    assert "Zofia Żółkiewska, Prezes zarządu" in evidence.inner_text()
    assert hashlib.sha256(data).hexdigest() not in evidence.inner_text()  # evidence for experts, folded away
    expect(page.get_by_text("Verified: the stored agreement is unchanged")).to_be_visible()
    page.get_by_text("Technical details").click()
    assert hashlib.sha256(data).hexdigest() in evidence.inner_text()
    expect(page.locator("#check-detail")).to_contain_text("Version 1 of the agreement of zofia")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="dpa-zofia-v1-signed.docx").click()
    signed = download_info.value.path().read_bytes()
    text = document_text(signed)
    assert "Certificate of signature" in text and "Name and role: Zofia Żółkiewska, Prezes zarządu" in text
    assert f"SHA-256 of the accepted text {hashlib.sha256(data).hexdigest()}" in text

    page.goto(f"{live_server}/contracts/signing-keys")
    expect(page.locator("#signing-keys")).to_contain_text(key.record.fingerprint)
