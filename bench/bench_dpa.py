"""What the DPA costs: rendering one agreement against the bare template, and PAdES-signing its PDF.

Render baseline: the same template rendered with an empty context and undefined-tolerant Jinja (parsing the DOCX,
running Jinja over its XML and saving the zip: the work any render does). Goal: a filled agreement, with ten
sub-processors in the annex, the strict environment and the template-variable check, costs at most 1.5x that.

Signing: the median time pyHanko takes to add the processor's PAdES signature (ECDSA P-256) to the agreement's
PDF, converted once by LibreOffice. Goal: under 1 s. The conversion
itself (seconds, a LibreOffice process) is not part of the figure.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Flask

from contracts import pades, render, signing
from contracts.models import SigningKey


def _context() -> dict:
    context = dict.fromkeys(render.template_variables(), 'Webinary Żółć & <Co> "Gdańsk"')
    return context | {
        "version": 3,
        "retention_days_free": 60,
        "retention_days_paid": 90,
        "return_window_days": 7,
        "request_days": 30,
        "request_extension_months": 2,
        "subprocessor_notice_days": 30,
        "personal_data_types": ["email address", "first and last name", "phone number", "attendance"],
        "message_kinds": ["invitation", "reminder", "follow-up", "certificate of attendance", "link to the recording"],
        "subprocessors": [
            {
                "name": f"Sub-processor {i} & Co",
                "address": "Industriestr. 25, 91710 Gunzenhausen, Germany",
                "purpose": "Hosting <EU>",
                "country": "Germany (DE)",
                "basis": "within the European Economic Area",
                "attestation": "none held",
                "status": "engaged since 2026-11-01",
            }
            for i in range(10)
        ],
    }


def _key() -> signing.CurrentKey:
    """A signing key and certificate made as `contracts keygen` makes them, without a database."""
    app = Flask(__name__)
    app.config["PROCESSOR_NAME"] = "ClickMeeting Sp. z o.o."
    private = ec.generate_private_key(ec.SECP256R1())
    with app.app_context():
        certificate = signing._self_issued(private, dt.datetime.now(dt.UTC))
    record = SigningKey(key_id="bench", certificate_pem=certificate.public_bytes(Encoding.PEM).decode())
    return signing.CurrentKey(private, record)


def _pdf(docx: bytes) -> tuple[bytes, str]:
    if not render.pdf_available():
        raise RuntimeError("LibreOffice (soffice) is not installed: there is no DPA PDF to sign")
    return render.to_pdf(docx), "the rendered DPA"


def _median_ms(func, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def run(scale: float) -> list[dict]:
    runs = max(5, int(40 * scale))
    context = _context()
    render.render_docx(context)  # warm the template cache, like a running server
    render.render_bare()
    baseline = _median_ms(render.render_bare, runs)
    filled = _median_ms(lambda: render.render_docx(context), runs)
    pdf, which = _pdf(render.render_docx(context))
    key = _key()
    reason = "Data processing agreement of bench, version 3; signed DOCX SHA-256 " + "0" * 64
    signed = _median_ms(lambda: pades.sign_pdf(pdf, key, reason=reason), max(5, int(20 * scale)))
    return [
        {
            "name": f"PAdES-sign {which}, {len(pdf) // 1024} KB (median)",
            "value": signed,
            "unit": "ms",
            "baseline": 1000.0,
            "ratio": signed / 1000,
            "target": "< 1.0x of 1 s",
        },
        {
            "name": "render one DPA (median)",
            "value": filled,
            "unit": "ms",
            "baseline": baseline,
            "ratio": filled / baseline,
            "target": "<= 1.5x",
        },
        {"name": "DPAs rendered per second", "value": 1000 / filled, "unit": "/s"},
    ]
