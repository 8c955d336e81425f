"""Signatures and countersignatures: the evidence is signed, and a changed document or evidence fails to verify."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from contracts import evidence, service, signing, verification
from contracts.models import Signature
from processor.errors import Conflict, ValidationFailed
from processor.extensions import db
from tests.contracts.test_service import SIGNER, sign

PDF = b"%PDF-1.7\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def upload(account, version, data):
    return evidence.upload_scan(
        account,
        version,
        data=data,
        signer_name="Jan Kowalski",
        signer_role="Prokurent",
        ip="198.51.100.4",
        user_agent="scanner",
    )


def test_electronic_signature_keeps_the_evidence_and_is_in_force(app, organizer, details, registry):
    now = dt.datetime(2026, 11, 22, 12, 30, tzinfo=dt.UTC)
    draft = service.prepare(organizer, details)
    agreement = evidence.sign_electronically(organizer, 1, now=now, **SIGNER)
    record = json.loads(agreement.signature.evidence_json)
    assert agreement.status == "countersigned"
    assert record["document_sha256"] == hashlib.sha256(draft.document).hexdigest()
    assert record["template_version"] == draft.template_version
    assert record["context"]["business_name"] == details.business_name
    assert (record["signer_name"], record["signer_role"]) == ("Zofia Żółkiewska", "Prezes zarządu")
    assert (record["signed_at"], record["ip"], record["user_agent"]) == ("2026-11-22T12:30:00Z", "192.0.2.7", "pytest")
    assert record["key_id"] == agreement.signature.key_id
    assert service.status(organizer).in_force.version == 1


def test_signed_document_verifies(app, organizer, details, registry):
    agreement = sign(organizer, service.prepare(organizer, details).version)
    check = verification.verify_document(agreement.document)
    assert check.valid, check.reason
    assert "Version 1 of the agreement of zofia" in check.reason


@pytest.mark.parametrize("position", [0, 1000, -1])
def test_one_changed_byte_fails_verification(app, organizer, details, registry, position):
    data = bytearray(sign(organizer, service.prepare(organizer, details).version).document)
    data[position] ^= 0x01
    check = verification.verify_document(bytes(data))
    assert not check.valid and "not issued here, or it was changed" in check.reason


def test_changed_evidence_fails_verification(app, organizer, details, registry):
    agreement = sign(organizer, service.prepare(organizer, details).version)
    agreement.signature.evidence_json = agreement.signature.evidence_json.replace("Prezes", "Członek")
    db.session.commit()
    check = verification.verify_document(agreement.document)
    assert not check.valid and "does not match the evidence" in check.reason


def test_an_unsigned_draft_does_not_verify(app, organizer, details, registry):
    draft = service.prepare(organizer, details)
    check = verification.verify_document(draft.document)
    assert not check.valid and "not countersigned" in check.reason


def test_verification_for_an_organizer_ignores_other_organizers_documents(
    app, organizer, details, registry, make_account
):
    agreement = sign(organizer, service.prepare(organizer, details).version)
    assert not verification.verify_document(agreement.document, account=make_account("other")).valid


def test_a_version_is_signed_once(app, organizer, details, registry):
    sign(organizer, service.prepare(organizer, details).version)
    with pytest.raises(Conflict, match="already countersigned"):
        sign(organizer, 1)


@pytest.mark.parametrize(
    ("field", "signer"),
    [
        ("signer_name", {"signer_name": "  "}),
        ("signer_role", {"signer_role": ""}),
        ("signer_name", {"signer_name": "x" * 201}),
        ("signer_name", {"signer_name": "Zofia\nŻ"}),
        ("consent", {"consent": False}),
    ],
)
def test_incomplete_signature_is_refused_and_nothing_is_written(app, organizer, details, registry, field, signer):
    service.prepare(organizer, details)
    with pytest.raises(ValidationFailed) as caught:
        evidence.sign_electronically(organizer, 1, **(SIGNER | signer))
    assert [e["field"] for e in caught.value.errors] == [field]
    assert db.session.query(Signature).count() == 0


@pytest.mark.parametrize(("data", "mimetype"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_scans_are_recognised_by_content(data, mimetype):
    assert evidence.scan_mimetype(data) == mimetype


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"0" * 10, "PDF, PNG or JPEG"),
        (b"PK\x03\x04 a docx", "PDF, PNG or JPEG"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "larger than 10 MB"),
    ],
)
def test_other_uploads_are_refused_with_a_reason(data, reason):
    with pytest.raises(ValidationFailed) as caught:
        evidence.scan_mimetype(data)
    assert reason in caught.value.errors[0]["detail"]


def test_scan_waits_for_staff_then_is_countersigned(app, organizer, details, registry):
    service.prepare(organizer, details)
    agreement = upload(organizer, 1, PNG)
    assert agreement.status == "signed" and agreement.signature.countersignature is None
    assert not verification.verify_document(agreement.document).valid
    agreement = evidence.countersign_scan("zofia", 1, staff="Anna Nowak")
    record = json.loads(agreement.signature.evidence_json)
    assert record["scan_sha256"] == hashlib.sha256(PNG).hexdigest() and record["countersigned_by"] == "Anna Nowak"
    assert verification.verify_document(agreement.document).valid


def test_countersigning_needs_a_waiting_scan(app, organizer, details, registry):
    sign(organizer, service.prepare(organizer, details).version)
    with pytest.raises(Conflict, match="no scan waiting"):
        evidence.countersign_scan("zofia", 1, staff="Anna Nowak")


def test_stored_signature_fields_are_exactly_what_was_countersigned(app, organizer, details, registry):
    agreement = sign(organizer, service.prepare(organizer, details).version)
    db.session.expire_all()  # read back from the database, as the certificate page does
    signature = db.session.get(Signature, agreement.signature.id)
    assert signing.canonical_json(evidence.evidence_of(signature)).decode() == signature.evidence_json
