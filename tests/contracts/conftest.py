"""Fixtures for the DPA: an organizer with Polish business details and a small sub-processor registry."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from contracts import signing
from contracts.context import BusinessDetails

NASTY = "Żółć & <Gęślą> \"jaźń\" 'ąćęłńóśźż'"


@pytest.fixture
def details() -> BusinessDetails:
    return BusinessDetails.parse(
        business_name=f"Webinary {NASTY} Sp. z o.o.",
        street="ul. Świętojańska 5/7 & <b>",
        postal_code="81-368",
        city="Gdańsk",
        country="pl",
        contact="Zofia Żółkiewska, prezes, zofia@example.com",
        dpo="",
    )


@pytest.fixture
def signing_key(app_ctx):
    """The processor's signing key, created on purpose as `flask contracts keygen` does (never on first use)."""

    # Valid from before the fixed signing times some tests inject.
    return signing.create_key(signing.key_path(), now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))


@pytest.fixture
def registry(app_ctx):
    """Two current sub-processors, one outside the EEA under the Data Privacy Framework."""
    from processor.transfers.subprocessors import add_subprocessor

    return [
        add_subprocessor(name="Hetzner Online GmbH", purpose="Hosting & backups", country="DE", by="staff"),
        add_subprocessor(
            name='Mailgun <Technologies> "Inc"',
            purpose="Delivery of e-mail the organizer sends",
            country="US",
            dpf_certified=True,
            by="staff",
        ),
    ]


@pytest.fixture
def organizer(make_account, signing_key):
    return make_account("zofia", title='Webinary Gdańsk & <Co> "Zażółć"')


def document_text(data: bytes) -> str:
    """Every piece of text a reader sees: body paragraphs, table cells, headers and footers."""
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer):
            parts += [p.text for p in part.paragraphs]
            parts += [cell.text for table in part.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def annex_table(data: bytes) -> list[dict[str, str]] | None:
    """Annex IV as one dict per sub-processor (label: value); None when the document has no such table."""
    tables = [t for t in Document(io.BytesIO(data)).tables if t.rows[0].cells[0].text == "Sub-processor"]
    if not tables:
        return None
    return [{row.cells[0].text: row.cells[1].text for row in table.rows} for table in tables]
