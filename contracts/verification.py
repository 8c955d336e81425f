"""Verifying a document: a DOCX (accepted text or signed copy) or a signed PDF against the stored evidence."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from contracts import pades, signing
from contracts.evidence import iso
from contracts.models import Agreement
from processor.accounts.models import Account
from processor.extensions import db


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str
    agreement: Agreement | None = None


def verify_document(data: bytes, *, account: Account | None = None) -> Verification:
    """Check a DOCX (draft or signed copy) or a signed PDF against the stored evidence and its countersignature.

    `account` limits the search to that organizer's own agreements.
    """
    if pades.is_pdf(data):
        return _verify_pdf(data, account=account)
    digest = hashlib.sha256(data).hexdigest()
    query = sa.select(Agreement).where(
        sa.or_(Agreement.document_sha256 == digest, Agreement.signed_document_sha256 == digest)
    )
    if account is not None:
        query = query.where(Agreement.account_id == account.id)
    agreement = db.session.scalars(query).first()
    if agreement is None or data not in (agreement.document, agreement.signed_document):
        return Verification(False, "This document was not issued here, or it was changed after it was issued.")
    signed_copy = data == agreement.signed_document
    copy = "The signed copy of version" if signed_copy else "Version"
    name = f"{copy} {agreement.version} of the agreement of {agreement.account.login}"
    return _check_evidence(agreement, name, signed_copy=signed_copy)


def _verify_pdf(data: bytes, *, account: Account | None) -> Verification:
    check = pades.check_pdf(data)
    if not check.valid:
        return Verification(False, check.reason)
    query = sa.select(Agreement).where(Agreement.signed_document_sha256 == check.docx_sha256)
    if account is not None:
        query = query.where(Agreement.account_id == account.id)
    agreement = db.session.scalars(query).first()
    if agreement is None:
        return Verification(False, "The PDF is signed by the processor but names no agreement issued here.")
    name = f"The signed PDF of version {agreement.version} of the agreement of {agreement.account.login}"
    result = _check_evidence(agreement, name, signed_copy=True)
    return Verification(result.valid, f"{result.reason} {check.reason}." if result.valid else result.reason, agreement)


def _check_evidence(agreement: Agreement, name: str, *, signed_copy: bool) -> Verification:
    signature = agreement.signature
    if signature is None or signature.countersignature is None:
        return Verification(
            False,
            f"{name} was issued here but is not countersigned (it is {agreement.status_label.lower()}).",
            agreement,
        )
    evidence = signature.evidence_json.encode()
    record = json.loads(evidence)
    # A signed copy must be the one the evidence names; evidence from before signed copies names none.
    names_copy = record.get("signed_document_sha256")
    if (
        record["document_sha256"] != agreement.document_sha256
        or (signed_copy and names_copy != agreement.signed_document_sha256)
        or names_copy not in (None, agreement.signed_document_sha256)
    ):
        return Verification(False, f"The evidence of {name} names another document.", agreement)
    reason = signing.check_countersignature(
        evidence, signature.countersignature, signature.key_id, signature.countersigned_at
    )
    if reason:
        return Verification(False, f"{name}: {reason}.", agreement)
    return Verification(
        True,
        f"{name}, signed by {signature.signer_name} ({signature.signer_role}) on "
        f"{iso(signature.signed_at)} and countersigned with key {signature.key_id}.",
        agreement,
    )
