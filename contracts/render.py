"""Render the DPA template into DOCX bytes (docxtpl, autoescaped, strict) and convert it to PDF with LibreOffice."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import jinja2
from docx import Document
from docx.table import Table
from docxtpl import DocxTemplate

from processor.errors import DomainError

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "templates" / "contracts" / "dpa.docx"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TIMEOUT_SECONDS = 120
# Polish company forms whose parts must not be split across lines ("Sp. z / o.o." was printed).
LEGAL_FORM = re.compile(r"\b(?:[Ss]p\.\s+z\s+o\.\s*o\.|[Ss]p\.\s+[jkp]\.|[Ss]\.\s*[Aa]\.)")
NBSP = "\u00a0"


class TemplateMismatch(DomainError):
    status = 500
    slug = "dpa-template-mismatch"
    title = "The DPA template and its data do not match"


class PdfUnavailable(DomainError):
    status = 503
    slug = "pdf-unavailable"
    title = "PDF conversion is not available"


def legal_name(value) -> str:
    """Join the parts of a company form ("Sp. z o.o.") with non-breaking spaces."""
    return LEGAL_FORM.sub(lambda match: re.sub(r"\s+", NBSP, match.group(0)), str(value))


def _environment(**options) -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True, **options)
    env.filters["legal_name"] = legal_name
    return env


def strict_environment() -> jinja2.Environment:
    """A Jinja environment where an undefined variable is an error and every value is XML-escaped."""
    return _environment(undefined=jinja2.StrictUndefined)


@functools.cache
def _template_bytes(path: Path, mtime_ns: int) -> bytes:
    return path.read_bytes()


def template_bytes(path: Path = TEMPLATE_PATH) -> bytes:
    return _template_bytes(path, path.stat().st_mtime_ns)


def template_version(path: Path = TEMPLATE_PATH) -> str:
    """The template's label (its `version` property) and a hash of the file, so that any edit is a new version."""
    return _template_version(path, path.stat().st_mtime_ns)


@functools.cache
def _template_version(path: Path, mtime_ns: int) -> str:
    data = template_bytes(path)
    label = Document(io.BytesIO(data)).core_properties.version or "unlabelled"
    return f"{label}+{hashlib.sha256(data).hexdigest()[:12]}"


def template_variables(path: Path = TEMPLATE_PATH) -> frozenset[str]:
    """The names the template reads from its context."""
    return _template_variables(path, path.stat().st_mtime_ns)


@functools.cache
def _template_variables(path: Path, mtime_ns: int) -> frozenset[str]:
    document = DocxTemplate(io.BytesIO(template_bytes(path)))
    return frozenset(document.get_undeclared_template_variables(strict_environment()))


def render_docx(
    context: dict,
    path: Path = TEMPLATE_PATH,
    *,
    author: str = "",
    created: dt.datetime | None = None,
    modified: dt.datetime | None = None,
) -> bytes:
    """Fill the template; refuse when the context lacks a variable the template uses or has one it does not.

    The document's properties name the processor as author and the real dates: `created` when the version was
    prepared, `modified` when its signed copy was made.
    """
    expected = template_variables(path)
    if set(context) != expected:
        missing, unused = sorted(expected - set(context)), sorted(set(context) - expected)
        raise TemplateMismatch(f"Template variables missing from the context: {missing}; unused: {unused}.")
    document = DocxTemplate(io.BytesIO(template_bytes(path)))
    document.render(context, strict_environment(), autoescape=True)
    created = created or dt.datetime.now(dt.UTC)
    props = document.docx.core_properties
    props.author = props.last_modified_by = author
    props.title = f"Data processing agreement, {context.get('login', '')}, version {context.get('version', '')}"
    props.created, props.modified = created, modified or created
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_bare(path: Path = TEMPLATE_PATH) -> bytes:
    """Render with an empty context and undefined-tolerant Jinja: the benchmark's baseline, never a contract."""
    document = DocxTemplate(io.BytesIO(template_bytes(path)))
    document.render({}, _environment())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_available() -> bool:
    return shutil.which("soffice") is not None


def to_pdf(docx: bytes, *, timeout: int = PDF_TIMEOUT_SECONDS) -> bytes:
    """Convert DOCX bytes to PDF with `soffice --headless` in a private temporary directory."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise PdfUnavailable("LibreOffice is not installed here; download the DOCX, the contract of record.")
    with tempfile.TemporaryDirectory(prefix="dpa-pdf-") as tmp:
        work = Path(tmp)
        (work / "dpa.docx").write_bytes(docx)
        # A profile per conversion: concurrent soffice processes sharing one profile block each other.
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(work / "dpa.docx"),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout)  # noqa: S603 - fixed argv
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable("The PDF could not be produced; download the DOCX instead.") from exc
        pdf = work / "dpa.pdf"
        if not pdf.exists():
            raise PdfUnavailable("The PDF could not be produced; download the DOCX instead.")
        return pdf.read_bytes()


def preview_blocks(docx: bytes) -> list[dict]:
    """The document's headings, paragraphs and tables in order, for an HTML preview of exactly what is stored."""
    blocks = []
    for item in Document(io.BytesIO(docx)).iter_inner_content():
        if isinstance(item, Table):
            blocks.append({"kind": "table", "rows": [[cell.text for cell in row.cells] for row in item.rows]})
        elif item.text.strip():
            style = item.style.name if item.style is not None else ""
            kind = (
                "title"
                if style == "Title"
                else "heading"
                if style.startswith("Heading")
                else "bullet"
                if style.startswith("List")
                else "paragraph"
            )
            blocks.append({"kind": kind, "text": item.text})
    return blocks
