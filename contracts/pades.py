"""PAdES signatures on the DPA's PDF copy: signed with pyHanko under the processor's certificate, and checked.

A PDF reader shows the signature and whether the file changed since; trust in the self-issued certificate comes
from its fingerprint, which the site publishes (`/contracts/signing-keys`). The signature's reason names the
agreement and the SHA-256 of the signed DOCX it was converted from, so `contracts verify` can tie the PDF back to
its stored evidence.
"""

from __future__ import annotations

import asyncio
import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from contracts import signing

FIELD_NAME = "ProcessorSignature"
REASON_DIGEST = re.compile(r"signed DOCX SHA-256 ([0-9a-f]{64})")


@dataclass(frozen=True)
class PdfCheck:
    valid: bool
    reason: str
    docx_sha256: str | None = None


def is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def sign_pdf(pdf: bytes, key: signing.CurrentKey, *, reason: str, location: str = "") -> bytes:
    """Add a PAdES (ETSI.CAdES.detached) signature over the whole file under the processor's certificate."""
    # lazy: pyHanko and what it pulls in (aiohttp ...) take 30 MB and half a second; only signing and checking a
    # PDF need them, not every web worker and CLI process (a participant import's peak memory counted them).
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    certificate = asn1_x509.Certificate.load(_der(key.record.certificate_pem))
    private = asn1_keys.PrivateKeyInfo.load(
        key.private.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=private,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location or None,
    )
    out = _outside_any_event_loop(signers.sign_pdf, IncrementalPdfFileWriter(io.BytesIO(pdf)), metadata, signer=signer)
    return out.getvalue()


def check_pdf(data: bytes) -> PdfCheck:
    """Validate the processor's signature: intact, over the whole file, by a key of ours valid on its day."""
    # lazy: pyHanko, as in sign_pdf.
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        return PdfCheck(False, "This PDF cannot be read; it was damaged or changed after it was issued.")
    if not signatures:
        return PdfCheck(False, "This PDF carries no signature of the processor.")
    embedded = signatures[-1]
    try:
        certificate = embedded.signer_cert
    except (ValueError, KeyError, TypeError):
        return PdfCheck(False, "The PDF's signature cannot be read; it was changed after it was issued.")
    record = signing.key_by_fingerprint(signing.certificate_fingerprint(certificate.dump()))
    if record is None or record.certificate_pem is None:
        return PdfCheck(False, "The PDF was signed with a certificate that is not one of this processor's.")
    trusted = asn1_x509.Certificate.load(_der(record.certificate_pem))
    try:
        status = _outside_any_event_loop(validate_pdf_signature, embedded, ValidationContext(trust_roots=[trusted]))
    except (PdfError, ValueError, KeyError, TypeError):
        return PdfCheck(False, "The PDF's signature cannot be checked; it was changed after it was issued.")
    if not (status.intact and status.valid):
        return PdfCheck(False, "The PDF was changed after the processor signed it.")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return PdfCheck(False, "The PDF has content added after the processor's signature.")
    signed_at = status.signer_reported_dt
    if signed_at is None or not record.covers(signed_at):
        return PdfCheck(False, f"Key {record.key_id} was not the processor's signing key when this PDF was signed.")
    match = REASON_DIGEST.search(str(embedded.sig_object.get("/Reason", "")))
    if match is None:
        return PdfCheck(False, "The PDF's signature does not name the agreement it belongs to.")
    return PdfCheck(True, f"PDF signed by the processor with key {record.key_id}", match.group(1))


def _outside_any_event_loop(call, *args, **kwargs):
    """Run one of pyHanko's synchronous calls, which each start their own `asyncio.run()`.

    That is refused in a thread that already runs an event loop (an async server worker, or Playwright's sync API
    in the same test process), so there the call runs in a short-lived thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pades") as pool:
        return pool.submit(call, *args, **kwargs).result()


def _der(pem: str) -> bytes:
    return x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
