"""The rendered DOCX, read back with python-docx: every clause by a stable anchor, the annexes, and the layout."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import zipfile

import jinja2
import pytest
from docx import Document
from docx.oxml.ns import qn

from contracts import build_template, clauses, render, service
from contracts.context import build_context
from processor import terms
from processor.messaging.models import KINDS
from processor.transfers.attestations import new_attestation
from processor.transfers.subprocessors import add_subprocessor
from tests.contracts.conftest import NASTY, annex_table, document_text

NBSP = "\u00a0"


@pytest.fixture
def text(app, organizer, details, registry) -> str:
    return document_text(service.prepare(organizer, details).document)


def test_template_variables_are_exactly_the_context(app, organizer, details, registry):
    context = build_context(
        account=organizer,
        details=details,
        version=1,
        annex=service.offer(organizer).annex,
        processor=service.offer(organizer).processor,
        today=organizer.created_at.date(),
    )
    assert render.template_variables() == set(context)


def test_rendered_document_has_every_field_and_no_template_syntax(app, organizer, details, registry):
    agreement = service.prepare(organizer, details)
    text = document_text(agreement.document).replace(NBSP, " ")
    context = json.loads(agreement.context_json)
    for name, value in context.items():
        if isinstance(value, str | int):
            assert str(value) in text, f"{name} is missing from the document"
    for item in context["personal_data_types"] + context["message_kinds"]:
        assert item in text
    assert "{{" not in text and "{%" not in text and "}}" not in text and "%}" not in text


# One anchor per point counsel sent back (issue 15) and per Art 28(3) element: a stable phrase of each clause.
CLAUSE_ANCHORS = {
    "definition of Participants": "“Participants” means the natural persons who register for",
    "definition of Personal Data": "“Personal Data” means any information relating to a Participant",
    "controller's obligations": "5. Obligations and rights of the Controller",
    "controller responsible for lawfulness": "The Controller is responsible for the lawfulness of the processing",
    "controller's rights": "The Controller has the right to receive the information of clause 6(h)",
    "Art 28(3)(a) instructions": "(a) process the Personal Data only on documented instructions",
    "Art 28(3)(b) confidentiality": "(b) ensure that persons authorised to process the Personal Data",
    "Art 28(3)(c) security": "(c) take all measures required pursuant to Article 32 GDPR",
    "Art 28(3)(d) sub-processors": "(d) respect the conditions of Article 28(2) and (4) GDPR",
    "Art 28(3)(e) who answers requests": "The Controller answers those requests; the Processor assists it under "
    "Article 28(3)(e) GDPR",
    "Art 28(3)(f) assistance": "(f) assist the Controller in ensuring compliance with the obligations pursuant",
    "Art 28(3)(g) delete or return": "(g) at the choice of the Controller, delete or return all the Personal Data",
    "Art 28(3)(h) audits": "(h) make available to the Controller all information necessary",
    "infringing instruction": "The Processor shall immediately inform the Controller if, in its opinion, an "
    "instruction infringes the GDPR",
    "Art 28(4) binding by contract": "The Processor binds each Sub-processor by a contract that imposes the same",
    "Art 28(4) full liability": "the Processor remains fully liable to the Controller for the performance of that "
    "Sub-processor's obligations",
    "nature of processing": "Nature of the processing: collecting Personal Data",
    "sensitive data": "Sensitive data: the Service is not intended for special categories of personal data",
    "breach notification": "notifies the Controller of a personal data breach without undue delay",
    "liability seed": "limited to the direct damages sustained by the Controller",
    "liability cap": "shall not exceed the amount of the remuneration due to the Processor for the settlement "
    "period directly preceding",
    "no zero cap for free accounts": "for a free test account, for which no remuneration is due, that amount does "
    "not apply",
    "intent and gross negligence uncapped": "The limitations of this clause do not apply to damage caused "
    "intentionally or through gross negligence",
    "where the law forbids": "nothing in this agreement limits liability where and insofar as the law does not "
    "permit it",
    "Art 82 unaffected": "The claims of data subjects under Article 82 GDPR are unaffected",
    "term": "This agreement runs for as long as the Service is provided",
    "termination": "The Controller may terminate the Service and this agreement with immediate effect",
    "precedence": "this agreement prevails over the terms of service",
    "governing law": "This agreement is governed by Polish law.",
    "jurisdiction": "the common court having jurisdiction over the seat of the Processor (Gdańsk, Poland)",
    "annex I": "Annex I. List of parties",
    "annex II": "Annex II. Description of the processing",
    "annex III": "Annex III. Technical and organisational measures",
    "annex IV": "Annex IV. List of sub-processors",
}


@pytest.mark.parametrize("anchor", CLAUSE_ANCHORS.values(), ids=CLAUSE_ANCHORS.keys())
def test_each_clause_is_in_the_document(text, anchor):
    assert anchor in text


def test_liability_caps_nothing_that_the_law_forbids_to_cap(text):
    assert "in no event exceed" not in text  # the seed's wording capped intent and gross negligence too
    assert "The limitations of this clause do not apply" in text.split("11. Liability")[1]


def test_in_force_names_the_account_creation_and_leaves_acceptance_to_the_signature(app, organizer, details, text):
    created = organizer.created_at.date().isoformat()
    assert f"in force from the account's creation on {created}; this version 1 is not yet accepted" in text
    assert "concluded on" not in text


def test_numbers_come_from_the_terms_the_code_enforces(app, organizer, details, registry, monkeypatch):
    monkeypatch.setattr(terms, "HOLD_DAYS", {"free": 61, "paid": 91})
    monkeypatch.setattr(terms, "RETURN_WINDOW_DAYS", 8)
    monkeypatch.setattr(terms, "SUBJECT_REQUEST_DAYS", 29)
    text = document_text(service.prepare(organizer, details).document)
    assert "no less than 61 days (free test account) or 91 days (paid account)" in text
    assert "within 8 days of erasure" in text and "when those days are over" in text
    assert "answered within 29 days of receipt" in text


def test_message_kinds_are_those_the_code_sends(text):
    sentence = next(line for line in text.splitlines() if line.startswith("Participants receive only"))
    assert len(KINDS) == 5
    assert "invitation, reminder, follow-up, certificate of attendance, link to the recording" in sentence


def test_security_annex_claims_nothing_the_code_does_not_do(text):
    assert "tested restore" not in text.lower()
    assert "all access to the Service and its API is over TLS" not in text
    for measure in clauses.MEASURES:
        assert measure.text in text and measure.feature in text


@pytest.mark.parametrize("measure", clauses.MEASURES, ids=lambda m: m.measure)
def test_each_measure_is_tied_to_a_module_that_exists(measure):
    importlib.import_module(measure.module)


def test_parties_annex_names_contact_role_and_dpo(app, organizer, details, registry):
    document = Document(io.BytesIO(service.prepare(organizer, details).document))
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Controller")
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows}
    assert rows["Contact person"] == [details.contact, "Data protection team, dpa@clickmeeting.com"]
    assert rows["Role"] == ["Controller", "Processor"]
    assert rows["Data protection officer"] == ["none appointed", "Data Protection Officer, iod@clickmeeting.com"]


def test_description_annex_covers_sensitive_data_and_nature(text):
    assert "Sensitive data\nNone intended" in text
    assert "Nature of the processing\nCollection, recording" in text


def test_special_characters_are_rendered_exactly(text):
    assert f"Webinary {NASTY} Sp.{NBSP}z{NBSP}o.o." in text
    assert "ul. Świętojańska 5/7 & <b>, 81-368 Gdańsk, Poland" in text
    assert 'account title Webinary Gdańsk & <Co> "Zażółć"' in text
    assert 'Mailgun <Technologies> "Inc"' in text
    assert "&amp;" not in text and "&lt;" not in text


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("ClickMeeting Sp. z o.o.", f"ClickMeeting Sp.{NBSP}z{NBSP}o.o."),
        ("Firma sp. z  o. o.", f"Firma sp.{NBSP}z{NBSP}o.{NBSP}o."),
        ("Kowalski Sp. k.", f"Kowalski Sp.{NBSP}k."),
        ("Orlen S. A.", f"Orlen S.{NBSP}A."),
        ("Spółka Zoo", "Spółka Zoo"),
    ],
)
def test_company_forms_do_not_break_across_lines(name, kept):
    assert render.legal_name(name) == kept


def test_header_and_footer_have_page_numbers_and_no_internal_hash(app, organizer, details, registry):
    document = Document(io.BytesIO(service.prepare(organizer, details).document))
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "Data processing agreement · zofia · version 1"
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith(f"ClickMeeting Sp.{NBSP}z{NBSP}o.o. and Webinary {NASTY}")
    instructions = [f.get(qn("w:instr")).strip() for f in footer._p.iter(qn("w:fldSimple"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    footer_xml = footer._p.xml
    assert render.template_version().split("+")[1] not in footer_xml and "template" not in footer.text


def test_one_font_family_for_every_paragraph(app, organizer, details, registry):
    document = Document(io.BytesIO(service.prepare(organizer, details).document))
    paragraphs = list(document.paragraphs)
    paragraphs += [p for t in document.tables for row in t.rows for cell in row.cells for p in cell.paragraphs]
    paragraphs += document.sections[0].footer.paragraphs + document.sections[0].header.paragraphs
    fonts = set()
    for paragraph in paragraphs:
        style = paragraph.style
        while style is not None and style.font.name is None:
            style = style.base_style
        fonts.add(style.font.name if style else None)
        fonts.update(run.font.name for run in paragraph.runs if run.font.name)
        if style is not None:
            theme = [a for a in build_template.THEME_FONT_ATTRIBUTES if style.element.rPr.rFonts.get(qn(a))]
            assert theme == [], f"{style.name} takes a theme font"
    assert fonts == {build_template.FONT}


def test_signature_block_has_room_to_sign(app, organizer, details, registry):
    document = Document(io.BytesIO(service.prepare(organizer, details).document))
    table = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("For the Controller:"))
    signature_row = table.rows[2]
    assert signature_row.cells[0].text == "Signature:"
    assert signature_row.height >= build_template.SIGNATURE_ROW_HEIGHT


def test_document_properties_name_the_processor_and_the_real_date(app, organizer, details, registry):
    now = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
    props = Document(io.BytesIO(service.prepare(organizer, details, now=now).document)).core_properties
    assert props.author == "ClickMeeting Sp. z o.o."
    assert props.created == now.replace(tzinfo=None) or props.created == now
    assert props.title == "Data processing agreement, zofia, version 1"


def test_document_carries_no_thumbnail_of_another_document(app, organizer, details, registry):

    names = zipfile.ZipFile(io.BytesIO(service.prepare(organizer, details).document)).namelist()
    assert not [name for name in names if "thumbnail" in name]


def test_sub_processor_annex_has_address_basis_and_attestation(app, organizer, details, registry):
    hetzner, mailgun = annex_table(service.prepare(organizer, details).document)
    assert list(hetzner) == [label for label, _ in clauses.ANNEX_IV_ROWS]
    assert hetzner["Sub-processor"] == "Hetzner Online GmbH" and hetzner["Country"] == "Germany (DE)"
    assert hetzner["Address"] == "not recorded"
    assert hetzner["Transfer basis"] == "within the European Economic Area"
    assert hetzner["Attestation held"] == "none held"
    assert mailgun["Transfer basis"].startswith("adequacy decision: Commission Implementing Decision (EU) 2023/1795")
    assert mailgun["Attestation held"].startswith("EU-US Data Privacy Framework certification")
    assert registry[0].added_at.date().isoformat() in hetzner["Status"]


def test_sub_processor_annex_shows_intended_ones_and_dated_attestations(app, organizer, details):
    app.config["SUBPROCESSOR_NOTICE_DAYS"] = 45
    attestation = new_attestation(
        kind="appi",
        reference="PPC list 2026/17",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2027, 12, 31),
        by="s",
    )
    sub = add_subprocessor(
        name="Tokyo Rooms KK",
        address="1-1 Chiyoda, Tokyo",
        purpose="Webinar rooms in Asia",
        country="JP",
        attestations=[attestation],
        by="staff",
    )
    document = service.prepare(organizer, details).document
    (row,) = annex_table(document)
    assert row["Address"] == "1-1 Chiyoda, Tokyo"
    assert row["Status"] == f"intended: takes effect on {sub.effective_on} (announced {sub.added_at.date()})"
    assert row["Attestation held"] == (
        "business operator under the APPI with the supplementary rules (Japan), reference PPC list 2026/17, "
        "valid from 2026-01-01 to 2027-12-31"
    )
    assert row["Transfer basis"].startswith("adequacy decision: ")
    assert "at least 45 days before it takes effect" in document_text(document)


def test_empty_registry_prints_one_sentence_and_no_table(app, organizer, details):
    document = service.prepare(organizer, details).document
    assert annex_table(document) is None
    text = document_text(document)
    assert "The Processor engages no sub-processors." in text
    assert "Sub-processors engaged as of" not in text


def test_with_sub_processors_the_none_sentence_is_left_out(text):
    assert "engages no sub-processors" not in text


@pytest.mark.parametrize("change", ["missing", "extra"])
def test_context_that_does_not_match_the_template_is_refused(change):
    context = dict.fromkeys(render.template_variables(), "x") | {
        "subprocessors": [],
        "personal_data_types": [],
        "message_kinds": [],
    }
    if change == "missing":
        del context["business_name"]
    else:
        context["surprise"] = "x"
    with pytest.raises(render.TemplateMismatch):
        render.render_docx(context)


def test_undefined_attribute_is_an_error_not_an_empty_string():

    context = dict.fromkeys(render.template_variables(), "x") | {
        "personal_data_types": [],
        "message_kinds": [],
        "subprocessors": [{"name": "only a name"}],
    }
    with pytest.raises(jinja2.UndefinedError):
        render.render_docx(context)


def test_bare_render_leaves_fields_empty_but_is_a_valid_docx():
    text = document_text(render.render_bare())
    assert "Data processing agreement" in text and "{{" not in text


def test_template_version_names_the_label_and_the_file_hash():
    label, _, digest = render.template_version().partition("+")
    assert label == build_template.TEMPLATE_LABEL and len(digest) == 12


def test_committed_template_matches_its_generator(tmp_path):
    rebuilt = Document(str(build_template.build(tmp_path / "dpa.docx")))
    committed = Document(str(render.TEMPLATE_PATH))
    assert [p.text for p in rebuilt.paragraphs] == [p.text for p in committed.paragraphs]
    assert [[c.text for r in t.rows for c in r.cells] for t in rebuilt.tables] == [
        [c.text for r in t.rows for c in r.cells] for t in committed.tables
    ]


def test_preview_shows_the_stored_document(app, organizer, details, registry):
    blocks = render.preview_blocks(service.prepare(organizer, details).document)
    assert blocks[0] == {"kind": "title", "text": "Data processing agreement"}
    assert any(
        b["kind"] == "table" and ["Transfer basis", "within the European Economic Area"] in b["rows"] for b in blocks
    )
