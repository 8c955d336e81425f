"""What filling the DPA costs: the median time to render one agreement against rendering the bare template.

Baseline: the same template rendered with an empty context and undefined-tolerant Jinja (parsing the DOCX,
running Jinja over its XML and saving the zip: the work any render does). Goal: a filled agreement, with ten
sub-processors in the annex, the strict environment and the template-variable check, costs at most 1.5x that.
"""

from __future__ import annotations

import statistics
import time

from contracts import render


def _context() -> dict:
    context = dict.fromkeys(render.template_variables(), 'Webinary Żółć & <Co> "Gdańsk"')
    return context | {
        "version": 3,
        "retention_days_free": 60,
        "retention_days_paid": 90,
        "return_window_days": 7,
        "personal_data_types": ["email address", "first and last name", "phone number", "attendance"],
        "subprocessors": [
            {
                "name": f"Sub-processor {i} & Co",
                "purpose": "Hosting <EU>",
                "country": "Germany (DE)",
                "dpf_certified": "no",
                "added_at": "2026-11-01",
            }
            for i in range(10)
        ],
    }


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
    return [
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
