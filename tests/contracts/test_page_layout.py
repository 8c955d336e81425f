"""The DPA pages read in order: the document, then its signing form; fingerprints and keys in "Technical details"."""

from __future__ import annotations

import lxml.html
import pytest

from contracts.models import Agreement
from processor.extensions import db
from tests.contracts.test_views import FORM, SIGN


@pytest.fixture
def signed_in(auth, registry, signing_key):
    auth.signup("zofia")
    auth.client.post("/contracts/", data=FORM)
    return auth.client


def html(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def order(page, *xpaths) -> list[int]:
    """Where each element stands in the document (one element per xpath)."""
    positions = {element: number for number, element in enumerate(page.iter())}
    return [positions[page.xpath(xpath)[0]] for xpath in xpaths]


def technical(page):
    (box,) = page.xpath('//details[summary[normalize-space()="Technical details"]]')
    return box


def test_the_signing_form_comes_after_the_whole_document(signed_in):
    page = html(signed_in.get("/contracts/v1"))
    document, last_block, form = order(
        page, '//*[@id="document"]', '(//*[@id="document"]//*)[last()]', '//form[contains(@action, "/sign")]'
    )
    assert document < last_block < form
    assert page.xpath('//*[@id="document"]//h3')  # the agreement's title is in the document section


def test_the_version_page_keeps_the_hash_behind_technical_details(signed_in, app_ctx):
    digest = db.session.query(Agreement).one().document_sha256
    page = html(signed_in.get("/contracts/v1"))
    assert digest in technical(page).text_content()
    outside = page.get_element_by_id("main").text_content().replace(technical(page).text_content(), "")
    assert digest not in outside and "SHA-256" not in outside


def test_the_certificate_keeps_fingerprints_keys_and_addresses_behind_technical_details(signed_in, signing_key):
    signed_in.post("/contracts/v1/sign", data=SIGN, headers={"User-Agent": "TestBrowser/1.0"})
    page = html(signed_in.get("/contracts/v1/certificate"))
    hidden = technical(page).text_content()
    for text in ("SHA-256", signing_key.record.key_id, "TestBrowser/1.0", "Countersignature", "127.0.0.1"):
        assert text in hidden, text
    outside = page.get_element_by_id("main").text_content().replace(hidden, "")
    for text in ("SHA-256", signing_key.record.key_id, "TestBrowser/1.0", "Ed25519", "ECDSA"):
        assert text not in outside, text
    assert "Zofia Żółkiewska, Prezes" in outside and "Countersigned (in force)" in outside


def test_a_consent_error_is_tied_to_the_checkbox(signed_in):
    response = signed_in.post("/contracts/v1/sign", data=SIGN | {"consent": ""})
    page = html(response)
    (box,) = page.xpath('//input[@name="consent"]')
    assert box.get("aria-invalid") == "true"
    assert "Tick the box" in page.get_element_by_id(box.get("aria-describedby")).text_content()
    page = html(signed_in.get("/contracts/v1"))
    (box,) = page.xpath('//input[@name="consent"]')
    assert box.get("aria-invalid") is None  # not aria-invalid="None", which axe-core calls critical


def test_the_dashboard_tells_where_the_agreement_stands(signed_in):
    state = html(signed_in.get("/dashboard")).get_element_by_id("dpa-state").text_content()
    assert "Not signed" in state and "version 1 is a draft" in state
    signed_in.post("/contracts/v1/sign", data=SIGN)
    page = html(signed_in.get("/dashboard"))
    assert "version 1 in force" in page.get_element_by_id("dpa-state").text_content()
    assert page.get_element_by_id("step-dpa").get("data-done") == "yes"
