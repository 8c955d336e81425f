"""Generate templates/contracts/dpa.docx, the DPA template a lawyer then edits in Word or LibreOffice.

Run `python -m contracts.build_template` (or `make dpa-template`). Every Jinja tag is written inside one run,
because docxtpl cannot see a tag that Word has split across runs. After the committed .docx is edited by hand,
re-running this script overwrites those edits: edit one or the other, not both. The wording lives in
`contracts/clauses.py`; this module only lays it out.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from contracts import clauses

OUTPUT = Path(__file__).resolve().parent.parent / "templates" / "contracts" / "dpa.docx"
# Bump when the wording changes; the template version also carries a hash of the file, so any edit counts.
TEMPLATE_LABEL = "2026-12"
FONT = "DejaVu Serif"  # one family for title, headings, body, tables, header and footer
SIGNATURE_ROW_HEIGHT = Cm(3)  # room for a handwritten signature on the paper copy
THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def build(path: Path = OUTPUT) -> Path:
    """Write the DPA template to `path` and return it."""
    doc = Document()
    _drop_thumbnail(doc)
    _one_font(doc)
    props = doc.core_properties
    # The rendered agreement gets its real creation date and the processor as author (contracts/render.py).
    props.title, props.subject, props.author = "Data processing agreement", "GDPR Article 28", "Template"
    props.version = TEMPLATE_LABEL
    props.created = props.modified = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    props.last_modified_by = props.author
    props.revision = 1

    section = doc.sections[0]
    section.header.paragraphs[0].text = "Data processing agreement · {{ login }} · version {{ version }}"
    _footer(section.footer.paragraphs[0])

    title = doc.add_heading("Data processing agreement", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, clauses.PREAMBLE)
    _para(doc, clauses.IN_FORCE)
    for heading, paragraphs in clauses.CLAUSES:
        _heading(doc, heading)
        for text in paragraphs:
            _para(doc, text)
    _signatures(doc)

    doc.add_page_break()
    _heading(doc, "Annex I. List of parties")
    _table(doc, clauses.ANNEX_I, header=("", "Controller", "Processor"))
    _heading(doc, "Annex II. Description of the processing")
    _table(doc, clauses.ANNEX_II)
    _heading(doc, "Annex III. Technical and organisational measures")
    _para(doc, clauses.ANNEX_III_INTRO)
    _table(doc, [(m.measure, m.text, m.feature) for m in clauses.MEASURES], header=("Measure", "What", "Done by"))
    _heading(doc, "Annex IV. List of sub-processors")
    _annex_iv(doc)

    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


def _drop_thumbnail(doc) -> None:
    """python-docx's default document ships a thumbnail of another document; file browsers would show it."""
    rels = doc.part.package.rels
    for rel_id, rel in list(rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            del rels[rel_id]


def _one_font(doc) -> None:
    """Give every style the document uses the same font family, overriding the theme's heading font."""
    for name in ("Normal", "Title", "Heading 2", "List Bullet", "Header", "Footer"):
        style = doc.styles[name]
        style.font.name = FONT
        fonts = style.element.rPr.find(qn("w:rFonts"))
        for attribute in THEME_FONT_ATTRIBUTES:
            fonts.attrib.pop(qn(attribute), None)
        fonts.set(qn("w:eastAsia"), FONT)
        fonts.set(qn("w:cs"), FONT)
    doc.styles["Normal"].font.size = Pt(10.5)
    for name in ("Header", "Footer"):
        doc.styles[name].font.size = Pt(8.5)


def _footer(paragraph) -> None:
    """Parties and version, then "page N of M" as Word fields; no internal hash (it belongs on the certificate)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    parties = "{{ processor_name|legal_name }} and {{ business_name|legal_name }}"
    paragraph.add_run(parties + " · version {{ version }} · page ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" of ")
    _field(paragraph, "NUMPAGES")


def _field(paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _signatures(doc) -> None:
    """The signature block: blank in a draft (room to sign on paper), filled in the signed copy."""
    table = doc.add_table(rows=len(clauses.SIGNATURE_ROWS), cols=2)
    table.style = "Table Grid"
    for index, (controller, processor, tall) in enumerate(clauses.SIGNATURE_ROWS):
        row = table.rows[index]
        row.cells[0].text, row.cells[1].text = controller, processor
        if tall:
            row.height, row.height_rule = SIGNATURE_ROW_HEIGHT, WD_ROW_HEIGHT_RULE.AT_LEAST
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _annex_iv(doc) -> None:
    """One small table per sub-processor; with none, one sentence and no empty table."""
    _para(doc, "{%p if subprocessors %}")
    _para(doc, clauses.ANNEX_IV_INTRO)
    _para(doc, "{%p for s in subprocessors %}")
    _table(doc, [(label, "{{ s." + key + " }}") for label, key in clauses.ANNEX_IV_ROWS])
    doc.add_paragraph()  # keeps consecutive tables apart
    _para(doc, "{%p endfor %}")
    _para(doc, "{%p else %}")
    _para(doc, clauses.ANNEX_IV_NONE)
    _para(doc, "{%p endif %}")


def _table(doc, rows, header: tuple[str, ...] | None = None) -> None:
    rows = list(rows)
    table = doc.add_table(rows=len(rows) + (1 if header else 0), cols=len(rows[0]))
    table.style = "Table Grid"
    offset = 0
    if header:
        for col, label in enumerate(header):
            table.cell(0, col).text = label
        offset = 1
    for index, values in enumerate(rows):
        for col, value in enumerate(values):
            table.cell(index + offset, col).text = value


def _heading(doc, text: str) -> None:
    doc.add_heading(text, level=2)


def _para(doc, text: str) -> None:
    doc.add_paragraph().add_run(text)  # one run, so each Jinja tag stays whole


if __name__ == "__main__":
    sys.stdout.write(f"wrote {build()}\n")
