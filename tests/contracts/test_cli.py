"""`flask contracts ...`: render, verify, countersign and keygen, with one-line reasons on failure."""

from __future__ import annotations

import io

import pytest
from docx import Document

from contracts import evidence, service, signing
from tests.conftest import PASSWORD, fresh_code
from tests.contracts.conftest import NASTY, document_text
from tests.contracts.test_evidence import PNG, upload

RENDER = [
    "contracts",
    "render",
    "--account",
    "zofia",
    "--business-name",
    f"Webinary {NASTY}",
    "--street",
    "ul. Długa 1",
    "--postal-code",
    "80-387",
    "--city",
    "Gdańsk",
    "--country",
    "PL",
]


def test_render_writes_the_docx_and_records_the_draft(runner, organizer, registry, tmp_path):
    out = tmp_path / "dpa.docx"
    result = runner.invoke(args=[*RENDER, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Webinary {NASTY}" in document_text(out.read_bytes())
    assert service.get_version(organizer, 1).document == out.read_bytes()
    assert Document(io.BytesIO(out.read_bytes())).tables


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (["--account", "nobody"], "No account with login 'nobody'."),
        (["--country", "XX"], "country: Choose a country"),
        (["--postal-code", ""], "postal_code: This field is required."),
    ],
)
def test_render_refuses_bad_input_in_one_line_and_writes_nothing(runner, organizer, registry, tmp_path, change, reason):
    args = list(RENDER)
    args[args.index(change[0]) + 1] = change[1]
    out = tmp_path / "dpa.docx"
    result = runner.invoke(args=[*args, "-o", str(out)])
    assert result.exit_code == 1 and reason in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists() and service.versions(organizer) == []


def test_verify_accepts_the_signed_file_and_rejects_a_changed_byte(runner, organizer, details, registry, tmp_path):
    agreement = evidence.sign_electronically(
        organizer,
        service.prepare(organizer, details).version,
        signer_name="Z",
        signer_role="R",
        consent=True,
        ip="",
        user_agent="",
    )
    good, bad = tmp_path / "good.docx", tmp_path / "bad.docx"
    good.write_bytes(agreement.document)
    bad.write_bytes(agreement.document[:100] + bytes([agreement.document[100] ^ 1]) + agreement.document[101:])
    ok = runner.invoke(args=["contracts", "verify", str(good)])
    assert ok.exit_code == 0 and ok.output.startswith("valid: Version 1 of the agreement of zofia")
    refused = runner.invoke(args=["contracts", "verify", str(bad)])
    assert refused.exit_code == 1 and "not valid" in refused.output


def test_countersign_puts_a_scanned_version_in_force(runner, organizer, details, registry, make_staff):
    anna = make_staff("anna")
    service.prepare(organizer, details)
    upload(organizer, 1, PNG)
    countersign = ["contracts", "countersign", "--account", "zofia", "--version", "1", "--staff", "anna"]
    typed_name = runner.invoke(args=[*countersign[:-1], "Anna Nowak"], input=f"{PASSWORD}\n123456\n")
    assert typed_name.exit_code == 1 and "Unknown staff login" in typed_name.output  # a typed name is no one
    result = runner.invoke(args=countersign, input=f"{PASSWORD}\n{fresh_code(anna)}\n")
    assert result.exit_code == 0, result.output
    assert service.status(organizer).in_force.version == 1
    again = runner.invoke(args=countersign, input=f"{PASSWORD}\n{fresh_code(anna)}\n")
    assert again.exit_code == 1 and "no scan waiting" in again.output


def test_status_reports_the_version_in_force(runner, organizer, details, registry):
    service.prepare(organizer, details)
    result = runner.invoke(args=["contracts", "status", "--account", "zofia"])
    assert result.output.strip() == "zofia: version 1: Draft; in force: none"


def test_keygen_creates_the_key_once(runner, app_ctx):
    first = runner.invoke(args=["contracts", "keygen"])
    assert first.exit_code == 0 and signing.key_path().exists()
    key = signing.key_path().read_bytes()
    second = runner.invoke(args=["contracts", "keygen"])
    assert second.exit_code == 1 and "already exists" in second.output
    assert signing.key_path().read_bytes() == key


def test_render_to_a_pdf_name_converts_the_stored_docx(runner, organizer, registry, tmp_path, monkeypatch):
    from contracts import render

    monkeypatch.setattr(render, "to_pdf", lambda docx: b"%PDF-" + docx[:4])
    out = tmp_path / "dpa.pdf"
    result = runner.invoke(args=[*RENDER, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"%PDF-" + service.get_version(organizer, 1).document[:4]
