"""The signed copy of a version: the accepted document with its signature block filled and a certificate page.

It is made from the stored draft bytes, not by rendering the template again, so the text the Controller accepted
stays exactly as it was even when the template changed since (a scan countersigned weeks later). Only three
things change: "is not yet accepted" becomes "accepted on DATE", the signature cells get their values, and the
certificate page is appended.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from docx import Document
from docx.table import Table

from contracts import clauses
from processor.errors import DomainError

NAME_ROW, SIGNATURE_ROW, DATE_ROW = 1, 2, 3  # rows of clauses.SIGNATURE_ROWS


class SignedCopyFailed(DomainError):
    status = 500
    slug = "dpa-signed-copy-failed"
    title = "The signed copy could not be made"


@dataclass(frozen=True)
class SignatureBlock:
    """What the signature block and the certificate page show."""

    login: str
    version: int
    template_version: str
    evidence_id: str
    signer_name: str
    signer_role: str
    method_label: str
    signed_at: dt.datetime
    accepted_sha256: str
    countersigned_at: dt.datetime
    countersigned_by: str
    key_id: str
    key_fingerprint: str

    def values(self) -> dict[str, str]:
        return {
            "agreement": f"login {self.login}, version {self.version}, template {self.template_version}",
            "evidence_id": self.evidence_id,
            "signer": f"{self.signer_name}, {self.signer_role}",
            "method_label": self.method_label,
            "signed_at": _when(self.signed_at),
            "accepted_sha256": self.accepted_sha256,
            "countersigned": f"{_when(self.countersigned_at)} UTC by {self.countersigned_by}",
            "key": f"{self.key_id}, certificate SHA-256 {self.key_fingerprint}",
        }


def make_signed_copy(draft: bytes, block: SignatureBlock, *, author: str, created: dt.datetime) -> bytes:
    """Return the signed copy's DOCX bytes."""
    document = Document(io.BytesIO(draft))
    _accept(document, block.signed_at.date())
    _fill_signatures(_signature_table(document), block)
    _certificate_page(document, block)
    props = document.core_properties
    props.author = props.last_modified_by = author
    props.created, props.modified = created, block.countersigned_at
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _accept(document, day: dt.date) -> None:
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if clauses.NOT_YET_ACCEPTED in run.text:
                run.text = run.text.replace(clauses.NOT_YET_ACCEPTED, f"accepted on {day.isoformat()}")
                return
    raise SignedCopyFailed("The accepted document has no acceptance sentence to complete.")


def _signature_table(document) -> Table:
    for table in document.tables:
        if table.rows[0].cells[0].text.startswith("For the Controller:"):
            return table
    raise SignedCopyFailed("The accepted document has no signature block.")


def _fill_signatures(table: Table, block: SignatureBlock) -> None:
    controller, processor = table.rows[NAME_ROW].cells
    _append(controller, f"{block.signer_name}, {block.signer_role}")
    _append(processor, block.countersigned_by)
    controller, processor = table.rows[SIGNATURE_ROW].cells
    _append(
        controller,
        f"{block.method_label}; evidence {block.evidence_id}; SHA-256 of the accepted text {block.accepted_sha256}",
    )
    _append(
        processor,
        f"countersigned with the Processor's signing key {block.key_id} (certificate SHA-256 {block.key_fingerprint})",
    )
    controller, processor = table.rows[DATE_ROW].cells
    _append(controller, _when(block.signed_at))
    _append(processor, _when(block.countersigned_at))


def _append(cell, text: str) -> None:
    cell.paragraphs[-1].add_run(f" {text}")


def _certificate_page(document, block: SignatureBlock) -> None:
    document.add_page_break()
    document.add_heading(clauses.CERTIFICATE_HEADING, level=2)
    document.add_paragraph(clauses.CERTIFICATE_INTRO.format(version=block.version, login=block.login))
    values = block.values()
    table = document.add_table(rows=len(clauses.CERTIFICATE_ROWS), cols=2)
    table.style = "Table Grid"
    for index, (label, key) in enumerate(clauses.CERTIFICATE_ROWS):
        table.cell(index, 0).text, table.cell(index, 1).text = label, values[key]
    document.add_paragraph(clauses.CERTIFICATE_VERIFY)


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
