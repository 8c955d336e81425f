"""Formats of an export: JSON and Excel-safe CSV, written row by row from what the gate hands over.

`handed` is called after each row is written, so the gate logs exactly what left, even when a write fails.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable

from processor.csv_safety import neutralize_row
from processor.registries.models import ENCRYPTED_FIELDS, Registry


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if value is None or isinstance(value, (int, dict)) else str(value)


def write_json(registry: Registry, rows: Iterable[dict], out, handed: Callable[[], None]) -> int:
    head = {
        "id": str(registry.id),
        "name": registry.name,
        "webinar_date": registry.webinar_date.isoformat() if registry.webinar_date else None,
    }
    out.write('{"registry": ' + json.dumps(head, ensure_ascii=False) + ', "participants": [')
    count = 0
    for participant in rows:
        out.write(
            ("," if count else "")
            + "\n  "
            + json.dumps({key: _plain(value) for key, value in participant.items()}, ensure_ascii=False)
        )
        count += 1
        handed()
    out.write("\n]}\n")
    return count


def write_csv(registry: Registry, rows: Iterable[dict], out, handed: Callable[[], None]) -> int:
    custom = list(registry.custom_field_names or [])
    standard = [f for f in ENCRYPTED_FIELDS if f != "custom_fields"]
    columns = ["id", *standard, "source", "updated_at"]
    writer = csv.writer(out)
    # A custom field named like a standard column is told apart by a prefix.
    writer.writerow(neutralize_row([*columns, *(f"custom:{n}" if n in columns else n for n in custom)]))
    count = 0
    for participant in rows:
        values = [_plain(participant[c]) for c in columns]
        values += [participant["custom_fields"].get(name) for name in custom]
        writer.writerow(neutralize_row(values))
        count += 1
        handed()
    return count
