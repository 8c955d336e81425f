"""Signing a version (typed or by scan), the processor's countersignature, and verifying a document."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from contracts import service, signing
from contracts.models import Agreement, Signature
from processor.accounts.models import Account
from processor.accounts.service import get_by_login
from processor.db_types import utcnow
from processor.errors import Conflict, ValidationFailed, field_errors
from processor.extensions import commit_or_conflict, db

MAX_SCAN_BYTES = 10 * 1024 * 1024
# Three signatures are all we accept, so no library: https://en.wikipedia.org/wiki/List_of_file_signatures
SCAN_SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
SCAN_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str
    agreement: Agreement | None = None


def scan_mimetype(data: bytes) -> str:
    """Recognise a scan by its first bytes, whatever its name says; refuse anything else or anything too big."""
    if not data:
        raise _invalid("scan", "The file is empty.")
    if len(data) > MAX_SCAN_BYTES:
        raise _invalid("scan", f"The file is larger than {MAX_SCAN_BYTES // (1024 * 1024)} MB.")
    for magic, mimetype in SCAN_SIGNATURES:
        if data.startswith(magic):
            return mimetype
    raise _invalid("scan", "Upload a PDF, PNG or JPEG scan; this file is none of them.")


def sign_electronically(
    account: Account,
    version: int,
    *,
    signer_name: str,
    signer_role: str,
    consent: bool,
    ip: str,
    user_agent: str,
    now: dt.datetime | None = None,
) -> Agreement:
    """Record the organizer's typed signature and countersign its evidence at once: the version is in force."""
    now = now or utcnow()
    signer = _signer(signer_name, signer_role, consent=consent)
    agreement = _signable(account, version)
    key = signing.private_key()  # before anything is added: without the key nothing is recorded
    signature = Signature(
        agreement=agreement, method="electronic", signed_at=now, ip=ip[:45], user_agent=user_agent[:512], **signer
    )
    db.session.add(signature)
    _countersign(signature, key, by="the processor, automatically on electronic signature", now=now)
    return _commit(agreement)


def upload_scan(
    account: Account,
    version: int,
    *,
    data: bytes,
    signer_name: str,
    signer_role: str,
    ip: str,
    user_agent: str,
    now: dt.datetime | None = None,
) -> Agreement:
    """Keep the scan of the paper copy the organizer signed; staff countersign it later."""
    now = now or utcnow()
    mimetype = scan_mimetype(data)
    signer = _signer(signer_name, signer_role, consent=True)
    agreement = _signable(account, version)
    db.session.add(
        Signature(
            agreement=agreement,
            method="scan",
            signed_at=now,
            ip=ip[:45],
            user_agent=user_agent[:512],
            scan=data,
            scan_mimetype=mimetype,
            scan_sha256=hashlib.sha256(data).hexdigest(),
            **signer,
        )
    )
    agreement.status = "signed"
    return _commit(agreement)


def countersign_scan(login: str, version: int, *, staff: str, now: dt.datetime | None = None) -> Agreement:
    """Staff confirm a scanned paper signature; the processor signs its evidence and the version is in force."""
    staff = (staff or "").strip()
    if not staff:
        raise _invalid("staff", "Name the member of staff who checked the scan.")
    agreement = service.get_version(get_by_login(login), version)
    signature = agreement.signature
    if agreement.status != "signed" or signature is None or signature.method != "scan":
        raise Conflict(
            f"Version {version} of {login} has no scan waiting for a countersignature "
            f"(it is {agreement.status_label.lower()})."
        )
    _countersign(signature, signing.private_key(), by=staff, now=now or utcnow())
    return _commit(agreement)


def verify_document(data: bytes, *, account: Account | None = None) -> Verification:
    """Check a DOCX against the stored hash and the countersignature; `account` limits the search to its own."""
    digest = hashlib.sha256(data).hexdigest()
    query = sa.select(Agreement).where(Agreement.document_sha256 == digest)
    if account is not None:
        query = query.where(Agreement.account_id == account.id)
    agreement = db.session.scalars(query).first()
    if agreement is None or agreement.document != data:
        return Verification(False, "This document was not issued here, or it was changed after it was issued.")
    name = f"Version {agreement.version} of the agreement of {agreement.account.login}"
    signature = agreement.signature
    if signature is None or signature.countersignature is None:
        return Verification(
            False,
            f"{name} was issued here but is not countersigned (it is {agreement.status_label.lower()}).",
            agreement,
        )
    evidence = signature.evidence_json.encode()
    if json.loads(evidence)["document_sha256"] != digest:
        return Verification(False, f"The evidence of {name} names another document.", agreement)
    if reason := signing.check_countersignature(evidence, signature.countersignature, signature.key_id):
        return Verification(False, f"{name}: {reason}.", agreement)
    return Verification(
        True,
        f"{name}, signed by {signature.signer_name} ({signature.signer_role}) on "
        f"{_iso(signature.signed_at)} and countersigned with key {signature.key_id}.",
        agreement,
    )


def evidence_of(signature: Signature) -> dict:
    """Everything the countersignature covers, as it will be serialised."""
    agreement = signature.agreement
    return {
        "agreement_id": str(agreement.id),
        "login": agreement.account.login,
        "version": agreement.version,
        "document_sha256": agreement.document_sha256,
        "template_version": agreement.template_version,
        "context": json.loads(agreement.context_json),
        "method": signature.method,
        "signer_name": signature.signer_name,
        "signer_role": signature.signer_role,
        "signed_at": _iso(signature.signed_at),
        "ip": signature.ip,
        "user_agent": signature.user_agent,
        "scan_sha256": signature.scan_sha256,
        "scan_mimetype": signature.scan_mimetype,
        "countersigned_at": _iso(signature.countersigned_at),
        "countersigned_by": signature.countersigned_by,
        "key_id": signature.key_id,
    }


def _countersign(signature: Signature, key, *, by: str, now: dt.datetime) -> None:
    signature.countersigned_at, signature.countersigned_by = now, by
    signature.key_id = signing.key_id(key.public_key())
    evidence = signing.canonical_json(evidence_of(signature))
    signature.countersignature = signing.countersign(evidence, key)
    signature.evidence_json = evidence.decode()
    signature.agreement.status = "countersigned"


def _signable(account: Account, version: int) -> Agreement:
    agreement = service.get_version(account, version)
    if agreement.status != "draft":
        raise Conflict(f"Version {version} is already {agreement.status_label.lower()}.")
    if agreement.fingerprint != service.offer(account).fingerprint:
        raise Conflict(
            f"Version {version} is out of date (the wording, your account title or the sub-processors "
            "changed since it was prepared): prepare it again, then sign."
        )
    return agreement


def _signer(name: str, role: str, *, consent: bool) -> dict:
    problems = {}
    for field, value in (("signer_name", name), ("signer_role", role)):
        value = (value or "").strip()
        if not value:
            problems[field] = "This field is required."
        elif len(value) > 200:
            problems[field] = "At most 200 characters."
        elif any(unicodedata.category(ch) == "Cc" for ch in value):
            problems[field] = "Remove control characters."
    if not consent:
        problems["consent"] = "Tick the box to confirm that you sign this agreement for the organizer."
    if problems:
        raise ValidationFailed(
            "The agreement was not signed.",
            errors=field_errors(problems),
        )
    return {"signer_name": name.strip(), "signer_role": role.strip()}


def _commit(agreement: Agreement) -> Agreement:
    commit_or_conflict(f"Version {agreement.version} was signed at the same moment by someone else.")
    return agreement


def _invalid(field: str, detail: str) -> ValidationFailed:
    return ValidationFailed("The agreement was not signed.", errors=field_errors({field: detail}))


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None
