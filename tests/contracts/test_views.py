"""The "Data processing agreement" pages: prepare, download, sign, certificate, verify, each for its owner only."""

from __future__ import annotations

import io

import pytest

from contracts import render
from tests.contracts.conftest import NASTY, document_text

FORM = {
    "business_name": f"Webinary {NASTY}",
    "street": "ul. Długa 1",
    "postal_code": "80-387",
    "city": "Gdańsk",
    "country": "PL",
    "contact": "Zofia Żółkiewska, zofia@example.com",
}
SIGN = {"signer_name": "Zofia Żółkiewska", "signer_role": "Prezes", "consent": "y"}


@pytest.fixture
def signed_in(auth, registry, signing_key):
    auth.signup("zofia")
    return auth.client


def test_page_shows_account_facts_read_only(signed_in):
    page = signed_in.get("/contracts/").get_data(as_text=True)
    assert 'name="login" readonly type="text" value="zofia"' in page
    assert 'name="account_title" readonly type="text" value="Analytical Webinars"' in page
    assert 'name="date_of_conclusion" readonly type="text" value="20' in page
    assert "two copies" in page and "Arkońska 6" in page


def test_preparing_shows_the_version_with_preview_and_download(signed_in):
    response = signed_in.post("/contracts/", data=FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/contracts/v1")
    page = signed_in.get("/contracts/v1").get_data(as_text=True)
    assert "Download dpa-zofia-v1.docx" in page and "Sign version 1" in page
    assert "Webinary Żółć &amp; &lt;Gęślą&gt;" in page  # the preview, escaped once as HTML


def test_posted_login_or_title_are_ignored(signed_in):
    signed_in.post("/contracts/", data=FORM | {"login": "mallory", "account_title": "Forged"})
    text = document_text(signed_in.get("/contracts/v1/dpa-zofia-v1.docx").data)
    assert "mallory" not in text and "Forged" not in text and "login zofia" in text


def test_download_is_a_docx_attachment_named_by_login_and_version(signed_in):
    signed_in.post("/contracts/", data=FORM)
    response = signed_in.get("/contracts/v1/dpa-zofia-v1.docx")
    assert response.mimetype == render.DOCX_MIMETYPE
    assert response.headers["Content-Disposition"] == 'attachment; filename="dpa-zofia-v1.docx"'
    assert f"Webinary {NASTY}" in document_text(response.data)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("business_name", "", "This field is required."),
        ("postal_code", "80/387", "Use letters, digits, spaces and dashes"),
        ("country", "XX", "Choose a country"),
        ("city", "Gdańsk\tPL", "Remove control characters"),
    ],
)
def test_bad_details_are_explained_beside_the_field(signed_in, field, value, message):
    response = signed_in.post("/contracts/", data=FORM | {field: value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page


def test_signing_leads_to_the_certificate(signed_in):
    signed_in.post("/contracts/", data=FORM)
    response = signed_in.post("/contracts/v1/sign", data=SIGN, headers={"User-Agent": "TestBrowser/1.0"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/contracts/v1/certificate")
    page = signed_in.get("/contracts/v1/certificate").get_data(as_text=True)
    for text in ("Countersigned (in force)", "Zofia Żółkiewska, Prezes", "TestBrowser/1.0", "Verified:"):
        assert text in page


def test_version_page_offers_the_signed_copy_once_signed(signed_in):
    signed_in.post("/contracts/", data=FORM)
    assert "Download the signed copy" not in signed_in.get("/contracts/v1").get_data(as_text=True)
    signed_in.post("/contracts/v1/sign", data=SIGN)
    page = signed_in.get("/contracts/v1").get_data(as_text=True)
    assert "Download the signed copy (DOCX)" in page and "/contracts/v1/signed.docx" in page


def test_signing_without_consent_is_explained(signed_in):
    signed_in.post("/contracts/", data=FORM)
    response = signed_in.post("/contracts/v1/sign", data=SIGN | {"consent": ""})
    assert response.status_code == 400 and "Sign version 1" in response.get_data(as_text=True)


def test_scan_upload_is_recognised_by_content_not_name(signed_in):
    signed_in.post("/contracts/", data=FORM)
    fake = {"signer_name": "Jan", "signer_role": "Prokurent", "scan": (io.BytesIO(b"GIF89a..."), "scan.pdf")}
    response = signed_in.post("/contracts/v1/scan", data=fake, content_type="multipart/form-data")
    assert response.status_code == 400 and "PDF, PNG or JPEG" in response.get_data(as_text=True)
    real = fake | {"scan": (io.BytesIO(b"%PDF-1.4 signed"), "skan.pdf")}
    response = signed_in.post("/contracts/v1/scan", data=real, content_type="multipart/form-data")
    assert response.status_code == 302
    page = signed_in.get("/contracts/v1/certificate").get_data(as_text=True)
    assert "Signed by the organizer" in page and "Not yet" in page
    scan = signed_in.get("/contracts/v1/scan")
    assert scan.mimetype == "application/pdf" and scan.data == b"%PDF-1.4 signed"


def test_verify_page_accepts_the_signed_copy_and_rejects_a_changed_one(signed_in):
    signed_in.post("/contracts/", data=FORM)
    signed_in.post("/contracts/v1/sign", data=SIGN)
    data = signed_in.get("/contracts/v1/dpa-zofia-v1.docx").data
    ok = signed_in.post(
        "/contracts/verify", data={"document": (io.BytesIO(data), "dpa.docx")}, content_type="multipart/form-data"
    )
    assert "Verified:" in ok.get_data(as_text=True)
    changed = data[:-1] + bytes([data[-1] ^ 1])
    bad = signed_in.post(
        "/contracts/verify", data={"document": (io.BytesIO(changed), "dpa.docx")}, content_type="multipart/form-data"
    )
    assert "Not verified:" in bad.get_data(as_text=True)


def test_another_organizer_gets_404_for_my_version(signed_in, auth):
    signed_in.post("/contracts/", data=FORM)
    auth.logout()
    auth.signup("other")
    for path in ("/contracts/v1", "/contracts/v1/dpa-zofia-v1.docx", "/contracts/v1/certificate"):
        assert auth.client.get(path).status_code == 404


def test_pages_need_a_login(client):
    response = client.get("/contracts/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_new_version_banner_names_what_changed(signed_in):
    signed_in.post("/contracts/", data=FORM)
    signed_in.post("/contracts/v1/sign", data=SIGN)
    signed_in.post(
        "/account/settings",
        data={
            "email": "zofia@example.com",
            "first_name": "Ada",
            "last_name": "L",
            "title": "Nowa nazwa",
            "country": "PL",
        },
    )
    page = signed_in.get("/contracts/").get_data(as_text=True)
    assert "A new version is offered because your account title changed" in page
    assert 'value="ul. Długa 1"' in page  # the form is pre-filled from the last version


def test_business_address_and_signer_stay_out_of_the_logs(signed_in, caplog):
    caplog.set_level("DEBUG")
    signed_in.post("/contracts/", data=FORM)
    signed_in.post("/contracts/v1/sign", data=SIGN)
    signed_in.get("/contracts/v1/certificate")
    for secret in ("Długa", "Żółć", "Żółkiewska", "80-387"):
        assert secret not in caplog.text
