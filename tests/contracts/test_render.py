"""The rendered DOCX: every field filled, nothing left of the template syntax, special characters intact."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document

from contracts import render, service
from contracts.context import build_context
from tests.contracts.conftest import NASTY, annex_table, document_text


def test_template_variables_are_exactly_the_context(app, organizer, details, registry):
    context = build_context(
        account=organizer,
        details=details,
        version=1,
        template_version="t",
        annex=service.offer(organizer).annex,
        processor={"processor_name": "P", "processor_address": "A"},
        today=organizer.created_at.date(),
    )
    assert render.template_variables() == set(context)


def test_rendered_document_has_every_field_and_no_template_syntax(app, organizer, details, registry):
    agreement = service.prepare(organizer, details)
    text = document_text(agreement.document)
    context = json.loads(agreement.context_json)
    for name, value in context.items():
        if isinstance(value, str | int):
            assert str(value) in text, f"{name} is missing from the document"
    for item in context["personal_data_types"]:
        assert item in text
    assert "{{" not in text and "{%" not in text and "}}" not in text and "%}" not in text


def test_special_characters_are_rendered_exactly(app, organizer, details, registry):
    text = document_text(service.prepare(organizer, details).document)
    assert f"Webinary {NASTY} Sp. z o.o." in text
    assert "ul. Świętojańska 5/7 & <b>, 81-368 Gdańsk, Poland" in text
    assert 'account title Webinary Gdańsk & <Co> "Zażółć"' in text
    assert 'Mailgun <Technologies> "Inc"' in text
    assert "&amp;" not in text and "&lt;" not in text


def test_date_of_conclusion_is_the_account_creation_date(app, organizer, details, registry):
    text = document_text(service.prepare(organizer, details).document)
    created = organizer.created_at.date().isoformat()
    assert f"concluded on {created}" in text
    assert f"Date of conclusion: {created}, the date on which" in text


def test_header_and_footer_name_the_account_version_and_parties(app, organizer, details, registry):
    document = Document(io.BytesIO(service.prepare(organizer, details).document))
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "Data processing agreement · zofia · version 1"
    assert section.footer.paragraphs[0].text.startswith(
        f"ClickMeeting Sp. z o.o. and Webinary {NASTY} Sp. z o.o. · template {render.template_version()}"
    )


def test_annex_lists_exactly_the_registry(app, organizer, details, registry):
    rows = annex_table(service.prepare(organizer, details).document)
    from processor.transfers.subprocessors import list_subprocessors

    assert rows == [
        [
            s.name,
            s.purpose,
            f"{'Germany' if s.country == 'DE' else 'United States'} ({s.country})",
            "yes" if s.dpf_certified else "no",
            s.added_at.date().isoformat(),
        ]
        for s in sorted(list_subprocessors(), key=lambda s: s.name)
    ]
    assert len(rows) == len(registry) == 2


def test_empty_registry_says_no_sub_processors(app, organizer, details):
    agreement = service.prepare(organizer, details)
    assert annex_table(agreement.document) == []
    assert "The Processor engages no sub-processors." in document_text(agreement.document)


def test_with_sub_processors_the_none_sentence_is_left_out(app, organizer, details, registry):
    assert "engages no sub-processors" not in document_text(service.prepare(organizer, details).document)


def test_tom_annex_states_the_real_encryption(app, organizer, details, registry):
    text = document_text(service.prepare(organizer, details).document)
    for phrase in (
        "AES-256-GCM",
        "organizer, table, column and row",
        "HKDF",
        "HMAC-SHA256",
        "master key",
        "Crypto-shredding",
        "scrypt",
        "TLS",
        "hash-chained access log",
        "rotated",
    ):
        assert phrase in text


def test_liability_and_erasure_clauses_follow_the_seed(app, organizer, details, registry):
    text = document_text(service.prepare(organizer, details).document)
    assert "limited to the direct damages" in text
    assert "except in the case of its intentional fault or gross negligence" in text
    assert "settlement period directly preceding" in text
    assert "no less than 60 days (free test account) or 90 days (paid account)" in text
    assert "request made within 7 days of erasure" in text


@pytest.mark.parametrize("change", ["missing", "extra"])
def test_context_that_does_not_match_the_template_is_refused(change):
    context = dict.fromkeys(render.template_variables(), "x") | {"subprocessors": [], "personal_data_types": []}
    if change == "missing":
        del context["business_name"]
    else:
        context["surprise"] = "x"
    with pytest.raises(render.TemplateMismatch):
        render.render_docx(context)


def test_undefined_attribute_is_an_error_not_an_empty_string():
    import jinja2

    context = dict.fromkeys(render.template_variables(), "x") | {
        "personal_data_types": [],
        "subprocessors": [{"name": "only a name"}],
    }
    with pytest.raises(jinja2.UndefinedError):
        render.render_docx(context)


def test_bare_render_leaves_fields_empty_but_is_a_valid_docx():
    text = document_text(render.render_bare())
    assert "Data processing agreement" in text and "{{" not in text


def test_template_version_names_the_label_and_the_file_hash():
    label, _, digest = render.template_version().partition("+")
    assert label == "2026-11" and len(digest) == 12


def test_committed_template_matches_its_generator(tmp_path):
    from contracts.build_template import build

    rebuilt = Document(str(build(tmp_path / "dpa.docx")))
    committed = Document(str(render.TEMPLATE_PATH))
    assert [p.text for p in rebuilt.paragraphs] == [p.text for p in committed.paragraphs]


def test_preview_shows_the_stored_document(app, organizer, details, registry):
    blocks = render.preview_blocks(service.prepare(organizer, details).document)
    assert blocks[0] == {"kind": "title", "text": "Data processing agreement"}
    assert any(
        b["kind"] == "table"
        and ["Sub-processor", "Purpose", "Country", "EU-US DPF certified", "Engaged since"] in b["rows"]
        for b in blocks
    )
