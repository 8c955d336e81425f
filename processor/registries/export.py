"""Formats of an export: JSON and Excel-safe CSV, made row by row from what the gate hands over.

`json_chunks` and `csv_chunks` yield the text piece by piece with how many rows each piece holds (a web download
streams them, `per_chunk` rows at a time); `write_json` and `write_csv` write every row to a file as it is made
(the CLI) and call `handed` after each row is written, so the gate logs exactly what left, even when a write fails.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator

from processor.csv_safety import neutralize_row
from processor.registries.models import ENCRYPTED_FIELDS, Registry

ROWS_PER_CHUNK = 200  # rows per piece of a streamed download: few writes, little memory
Chunks = Iterator[tuple[str, int]]


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if value is None or isinstance(value, (int, dict)) else str(value)


def json_chunks(registry: Registry, rows: Iterable[dict], per_chunk: int = ROWS_PER_CHUNK) -> Chunks:
    head = {
        "id": str(registry.id),
        "name": registry.name,
        "webinar_date": registry.webinar_date.isoformat() if registry.webinar_date else None,
    }
    parts, count = ['{"registry": ' + json.dumps(head, ensure_ascii=False) + ', "participants": ['], 0
    for participant in rows:
        parts.append(
            ("," if count else "")
            + "\n  "
            + json.dumps({key: _plain(value) for key, value in participant.items()}, ensure_ascii=False)
        )
        count += 1
        if count % per_chunk == 0:
            yield "".join(parts), per_chunk
            parts = []
    parts.append("\n]}\n")
    yield "".join(parts), count % per_chunk


def csv_chunks(registry: Registry, rows: Iterable[dict], per_chunk: int = ROWS_PER_CHUNK) -> Chunks:
    custom = list(registry.custom_field_names or [])
    standard = [f for f in ENCRYPTED_FIELDS if f != "custom_fields"]
    columns = ["id", *standard, "source", "updated_at"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # A custom field named like a standard column is told apart by a prefix.
    writer.writerow(neutralize_row([*columns, *(f"custom:{n}" if n in columns else n for n in custom)]))
    count = 0
    for participant in rows:
        values = [_plain(participant[c]) for c in columns]
        values += [participant["custom_fields"].get(name) for name in custom]
        writer.writerow(neutralize_row(values))
        count += 1
        if count % per_chunk == 0:
            yield buffer.getvalue(), per_chunk
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue(), count % per_chunk


def _writer(chunks: Callable[..., Chunks]):
    def write(registry: Registry, rows: Iterable[dict], out, handed: Callable[[], None]) -> int:
        count = 0
        for text, rows_in_text in chunks(registry, rows, per_chunk=1):
            out.write(text)
            for _ in range(rows_in_text):
                count += 1
                handed()
        return count

    return write


write_json = _writer(json_chunks)
write_csv = _writer(csv_chunks)
