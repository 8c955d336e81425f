"""Organizer-instructed exports of a registry, decrypted: JSON and Excel-safe CSV, streamed page by page."""

from __future__ import annotations

import csv
import json

from processor.csv_safety import neutralize_row
from processor.registries import service
from processor.registries.models import ENCRYPTED_FIELDS, Registry

PAGE = 500


def iter_participants(registry: Registry, *, include_restricted: bool = False):
    """Every participant, page by page; restricted ones only for the controller's own copy (a return)."""
    after = None
    while page := service.list_participants(registry, after=after, limit=PAGE, include_restricted=include_restricted):
        yield from page
        after = (page[-1]["updated_at"], page[-1]["id"])


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if value is None or isinstance(value, (int, dict)) else str(value)


def write_json(registry: Registry, out, *, include_restricted: bool = False) -> int:
    head = {
        "id": str(registry.id),
        "name": registry.name,
        "webinar_date": registry.webinar_date.isoformat() if registry.webinar_date else None,
    }
    out.write('{"registry": ' + json.dumps(head, ensure_ascii=False) + ', "participants": [')
    count = 0
    for participant in iter_participants(registry, include_restricted=include_restricted):
        out.write(
            ("," if count else "")
            + "\n  "
            + json.dumps({key: _plain(value) for key, value in participant.items()}, ensure_ascii=False)
        )
        count += 1
    out.write("\n]}\n")
    return count


def write_csv(registry: Registry, out, *, include_restricted: bool = False) -> int:
    custom = list(registry.custom_field_names or [])
    standard = [f for f in ENCRYPTED_FIELDS if f != "custom_fields"]
    columns = ["id", *standard, "source", "updated_at"]
    writer = csv.writer(out)
    # A custom field named like a standard column is told apart by a prefix.
    writer.writerow(neutralize_row([*columns, *(f"custom:{n}" if n in columns else n for n in custom)]))
    count = 0
    for participant in iter_participants(registry, include_restricted=include_restricted):
        values = [_plain(participant[c]) for c in columns]
        values += [participant["custom_fields"].get(name) for name in custom]
        writer.writerow(neutralize_row(values))
        count += 1
    return count
