"""Signed copies that prove themselves: the filled signature block, the certificate page, and `verify`."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from docx import Document

from contracts import evidence, service, verification
from tests.contracts.conftest import document_text
from tests.contracts.test_evidence import PNG, upload
from tests.contracts.test_service import SIGNER

SIGNED_AT = dt.datetime(2026, 11, 22, 12, 30, tzinfo=dt.UTC)


@pytest.fixture
def signed(app, organizer, details, registry):
    service.prepare(organizer, details)
    return evidence.sign_electronically(organizer, 1, now=SIGNED_AT, **SIGNER)


def test_signed_copy_is_not_the_draft(signed):
    assert signed.signed_document and signed.signed_document != signed.document
    assert signed.signed_document_sha256 == hashlib.sha256(signed.signed_document).hexdigest()


def test_signature_block_is_filled_with_signer_time_evidence_and_hash(signed):
    table = next(
        t
        for t in Document(io.BytesIO(signed.signed_document)).tables
        if t.rows[0].cells[0].text.startswith("For the Controller:")
    )
    controller = [row.cells[0].text for row in table.rows]
    processor = [row.cells[1].text for row in table.rows]
    assert controller[1] == "Name and role: Zofia Żółkiewska, Prezes zarządu"
    assert f"evidence {signed.signature.id}" in controller[2]
    assert f"SHA-256 of the accepted text {signed.document_sha256}" in controller[2]
    assert controller[3] == "Date and time (UTC): 2026-11-22 12:30:00"
    assert f"signing key {signed.signature.key_id}" in processor[2]
    assert processor[3] == "Date and time (UTC): 2026-11-22 12:30:00"


def test_signed_copy_says_when_this_version_was_accepted(signed, organizer):
    text = document_text(signed.signed_document)
    created = organizer.created_at.date().isoformat()
    assert f"in force from the account's creation on {created}; this version 1 accepted on 2026-11-22." in text
    assert "not yet accepted" not in text


def test_signed_copy_keeps_the_accepted_text(signed):
    draft = [p.text for p in Document(io.BytesIO(signed.document)).paragraphs]
    copy = [p.text for p in Document(io.BytesIO(signed.signed_document)).paragraphs]
    changed = [(a, b) for a, b in zip(draft, copy, strict=False) if a != b]
    assert len(changed) == 1 and "accepted on 2026-11-22" in changed[0][1]


def test_signed_copy_ends_with_a_certificate_page(signed):
    document = Document(io.BytesIO(signed.signed_document))
    certificate = document.tables[-1]
    rows = {row.cells[0].text: row.cells[1].text for row in certificate.rows}
    assert rows["Evidence id"] == str(signed.signature.id)
    assert rows["Signer"] == "Zofia Żółkiewska, Prezes zarządu"
    assert rows["Signed at (UTC)"] == "2026-11-22 12:30:00"
    assert rows["SHA-256 of the accepted text"] == signed.document_sha256
    assert rows["Processor's key"].startswith(signed.signature.key_id)
    assert "Certificate of signature" in document_text(signed.signed_document)
    record = json.loads(signed.signature.evidence_json)
    assert record["signed_document_sha256"] == signed.signed_document_sha256
    assert record["evidence_id"] == str(signed.signature.id)


def test_signed_copy_properties_name_the_processor(signed):
    props = Document(io.BytesIO(signed.signed_document)).core_properties
    assert props.author == "ClickMeeting Sp. z o.o."
    assert props.modified.replace(tzinfo=dt.UTC) == SIGNED_AT


def test_verify_accepts_the_signed_copy(signed):
    check = verification.verify_document(signed.signed_document)
    assert check.valid, check.reason
    assert check.reason.startswith("The signed copy of version 1 of the agreement of zofia")


@pytest.mark.parametrize("position", [0, 200, 5000, -30, -1])
def test_one_changed_byte_of_the_signed_copy_fails(signed, position):
    data = bytearray(signed.signed_document)
    data[position] ^= 0x01
    check = verification.verify_document(bytes(data))
    assert not check.valid and "not issued here, or it was changed" in check.reason


def test_a_scan_countersigned_later_gets_its_signed_copy(app, organizer, details, registry):
    service.prepare(organizer, details)
    upload(organizer, 1, PNG)
    agreement = evidence.countersign_scan("zofia", 1, staff="Anna Nowak")
    text = document_text(agreement.signed_document)
    assert f"signed on paper (scan uploaded), scan SHA-256 {hashlib.sha256(PNG).hexdigest()}" in text
    assert "Name and role: Anna Nowak" in text
    assert verification.verify_document(agreement.signed_document).valid


def test_cli_verify_accepts_the_signed_copy_and_fails_on_a_changed_byte(runner, signed, tmp_path):
    good, bad = tmp_path / "signed.docx", tmp_path / "bad.docx"
    assert (
        runner.invoke(args=["contracts", "export", "--account", "zofia", "--version", "1", "-o", str(good)]).exit_code
        == 0
    )
    assert good.read_bytes() == signed.signed_document
    data = bytearray(signed.signed_document)
    data[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(data))
    ok = runner.invoke(args=["contracts", "verify", str(good)])
    assert ok.exit_code == 0 and ok.output.startswith("valid: The signed copy of version 1")
    refused = runner.invoke(args=["contracts", "verify", str(bad)])
    assert refused.exit_code == 1 and refused.output.startswith("Error: not valid:")


def test_export_refuses_a_version_not_yet_countersigned(runner, organizer, details, registry, tmp_path):
    service.prepare(organizer, details)
    result = runner.invoke(
        args=["contracts", "export", "--account", "zofia", "--version", "1", "-o", str(tmp_path / "x.docx")]
    )
    assert result.exit_code == 1 and "not countersigned yet" in result.output
