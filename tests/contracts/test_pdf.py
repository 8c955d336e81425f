"""PDF copies: converted by LibreOffice, and once countersigned, PAdES-signed under the processor's certificate."""

from __future__ import annotations

import asyncio
import io

import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from contracts import evidence, pades, render, service, signing, verification
from processor.errors import Conflict
from processor.extensions import db
from tests.conftest import missing
from tests.contracts.test_service import SIGNER
from tests.contracts.test_views import FORM


def blank_pdf() -> bytes:
    """A one-page PDF, standing in for LibreOffice's output where the conversion itself is not under test."""
    writer = PdfFileWriter()
    size = [generic.NumberObject(n) for n in (0, 0, 595, 842)]
    writer.insert_page(
        generic.DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Page"),
                NameObject("/MediaBox"): generic.ArrayObject(size),
                NameObject("/Resources"): generic.DictionaryObject(),
            }
        )
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def signed(app, organizer, details, registry):
    service.prepare(organizer, details)
    return evidence.sign_electronically(organizer, 1, **SIGNER)


@pytest.fixture
def fast_pdf(monkeypatch):
    monkeypatch.setattr(render, "to_pdf", lambda docx: blank_pdf())


def validate(data: bytes, record):
    _, _, der = pem.unarmor(record.certificate_pem.encode())
    embedded = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    return embedded, validate_pdf_signature(embedded, ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)]))


def test_signed_pdf_is_pades_and_valid_under_the_published_certificate(signed, runner, tmp_path):
    if not render.pdf_available():
        missing("LibreOffice (soffice) is not installed")
    data = evidence.signed_pdf(signed)
    record = signing.current_key().record
    embedded, status = validate(data, record)
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES baseline
    assert signing.certificate_fingerprint(embedded.signer_cert.dump()) == record.fingerprint
    good, bad = tmp_path / "signed.pdf", tmp_path / "bad.pdf"
    good.write_bytes(data)
    changed = bytearray(data)
    changed[len(changed) // 3] ^= 0x01
    bad.write_bytes(bytes(changed))
    ok = runner.invoke(args=["contracts", "verify", str(good)])
    assert ok.exit_code == 0 and ok.output.startswith("valid: The signed PDF of version 1 of the agreement of zofia")
    refused = runner.invoke(args=["contracts", "verify", str(bad)])
    assert refused.exit_code == 1 and refused.output.startswith("Error: not valid:")


@pytest.mark.parametrize("position", [20, 400, -200, -10])
def test_one_changed_byte_of_the_signed_pdf_fails(signed, fast_pdf, position):
    data = bytearray(evidence.signed_pdf(signed))
    data[position] ^= 0x01
    assert not verification.verify_document(bytes(data)).valid


def test_signed_pdf_verifies_after_a_key_rotation(signed, fast_pdf):
    data = evidence.signed_pdf(signed)
    signing.rotate_key()
    check = verification.verify_document(data)
    assert check.valid, check.reason


def test_pdf_signed_by_another_certificate_is_refused(signed, fast_pdf, app):
    data = evidence.signed_pdf(signed)
    record = signing.current_key().record
    record.fingerprint = "0" * 64

    db.session.commit()
    check = verification.verify_document(data)
    assert not check.valid and "not one of this processor's" in check.reason


def test_content_added_after_the_signature_is_refused(signed, fast_pdf):
    data = evidence.signed_pdf(signed)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.root[NameObject("/Lang")] = generic.TextStringObject("pl")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    check = verification.verify_document(out.getvalue())
    assert not check.valid and "added after" in check.reason


@pytest.mark.parametrize("data", [blank_pdf(), b"%PDF-1.7 not really"])
def test_unsigned_or_broken_pdf_is_refused(app_ctx, data):
    assert not verification.verify_document(data).valid


def test_signed_pdf_needs_a_countersigned_version(app, organizer, details, registry, fast_pdf):

    draft = service.prepare(organizer, details)
    with pytest.raises(Conflict, match="not countersigned"):
        evidence.signed_pdf(draft)


def test_pdf_signing_refuses_without_a_key(signed, fast_pdf):
    signing.key_path().unlink()
    with pytest.raises(signing.SigningKeyMissing):
        evidence.signed_pdf(signed)


def test_pades_reason_names_the_signed_docx(signed, fast_pdf):
    check = pades.check_pdf(evidence.signed_pdf(signed))
    assert check.valid and check.docx_sha256 == signed.signed_document_sha256


def test_pdf_signs_and_verifies_inside_a_thread_that_runs_an_event_loop(signed, fast_pdf):
    async def inside_a_loop():  # as under an async server worker, or beside Playwright's sync API in one process
        return pades.check_pdf(evidence.signed_pdf(signed))

    check = asyncio.run(inside_a_loop())
    assert check.valid and check.docx_sha256 == signed.signed_document_sha256


def test_pdf_is_refused_with_a_reason_without_libreoffice(monkeypatch):
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    assert not render.pdf_available()
    with pytest.raises(render.PdfUnavailable, match="download the DOCX"):
        render.to_pdf(b"PK")


def test_pdf_download_converts_the_draft_before_signing(auth, registry, signing_key, monkeypatch):
    converted = []
    monkeypatch.setattr(render, "to_pdf", lambda docx: converted.append(docx) or b"%PDF-1.7 fake")
    auth.signup("zofia")
    auth.client.post("/contracts/", data=FORM)
    response = auth.client.get("/contracts/v1/pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="dpa-zofia-v1.pdf"'
    assert converted == [auth.client.get("/contracts/v1/dpa-zofia-v1.docx").data]


def test_pdf_download_after_signing_is_the_signed_copy(auth, registry, signing_key, fast_pdf):
    auth.signup("zofia")
    auth.client.post("/contracts/", data=FORM)
    auth.client.post("/contracts/v1/sign", data={"signer_name": "Z", "signer_role": "R", "consent": "y"})
    response = auth.client.get("/contracts/v1/pdf")
    assert response.headers["Content-Disposition"] == 'attachment; filename="dpa-zofia-v1-signed.pdf"'
    assert verification.verify_document(response.data).valid
    docx = auth.client.get("/contracts/v1/signed.docx")
    assert docx.headers["Content-Disposition"] == 'attachment; filename="dpa-zofia-v1-signed.docx"'
    assert verification.verify_document(docx.data).valid
