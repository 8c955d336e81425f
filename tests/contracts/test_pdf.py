"""The PDF copy, made by LibreOffice where it is installed; the DOCX stays the contract of record."""

from __future__ import annotations

import pytest

from contracts import render
from tests.conftest import missing
from tests.contracts.test_views import FORM


def sample_context() -> dict:
    context = dict.fromkeys(render.template_variables(), "Żółć & <Co>")
    return context | {
        "personal_data_types": ["email address"],
        "version": 1,
        "subprocessors": [
            {
                "name": "Hetzner",
                "purpose": "Hosting",
                "country": "Germany (DE)",
                "dpf_certified": "no",
                "added_at": "2026-11-01",
            }
        ],
    }


def test_pdf_is_converted_from_the_docx():
    if not render.pdf_available():
        missing("LibreOffice (soffice) is not installed")
    pdf = render.to_pdf(render.render_docx(sample_context()))
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]


def test_pdf_is_refused_with_a_reason_without_libreoffice(monkeypatch):
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    assert not render.pdf_available()
    with pytest.raises(render.PdfUnavailable, match="download the DOCX"):
        render.to_pdf(b"PK")


def test_pdf_download_converts_the_stored_version(auth, registry, monkeypatch):
    converted = []
    monkeypatch.setattr(render, "to_pdf", lambda docx: converted.append(docx) or b"%PDF-1.7 fake")
    auth.signup("zofia")
    auth.client.post("/contracts/", data=FORM)
    response = auth.client.get("/contracts/v1/pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="dpa-zofia-v1.pdf"'
    assert converted == [auth.client.get("/contracts/v1/dpa-zofia-v1.docx").data]
