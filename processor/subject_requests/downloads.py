"""The access/portability download: one ZIP (JSON and CSV), encrypted at rest until fetched, gone after 7 days.

The file lives under instance/subject_requests/ encrypted (`processor.csv_import.vault`'s chunked AES-GCM) under a
random key kept only on the request's row; fetching it or its expiry deletes the file and clears the key, so a
backup of either the disk or the database alone never yields the data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
import zipfile
from pathlib import Path

from flask import current_app

from processor.csv_import import vault
from processor.csv_safety import neutralize_row
from processor.subject_requests.models import SubjectRequest

DOWNLOAD_DAYS = 7


def folder() -> Path:
    path = Path(current_app.instance_path) / "subject_requests"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_of(request: SubjectRequest) -> Path:
    return folder() / f"{request.id}.zip.enc"


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if value is None or isinstance(value, (int, dict)) else str(value)


def write_download(request: SubjectRequest, records: list[dict], now: dt.datetime) -> None:
    """Seal the person's records (one per registry row, with the registry's id and name) as JSON and CSV."""
    rows = [{key: _plain(value) for key, value in record.items()} for record in records]
    text = io.StringIO()
    columns = sorted({key for row in rows for key in row if key != "custom_fields"})
    writer = csv.writer(text)
    writer.writerow(neutralize_row([*columns, "custom_fields"]))
    for row in rows:
        writer.writerow(neutralize_row([*(row.get(c) for c in columns), json.dumps(row.get("custom_fields") or {})]))
    key = secrets.token_bytes(32)
    with vault.create_encrypted(path_of(request), key) as out, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("person.json", json.dumps({"request": str(request.id), "records": rows}, ensure_ascii=False))
        zf.writestr("person.csv", text.getvalue())
    request.download_key = key
    request.download_expires_at = now + dt.timedelta(days=DOWNLOAD_DAYS)


def read_download(request: SubjectRequest) -> bytes:
    with vault.open_encrypted(path_of(request), request.download_key) as stream:
        return stream.read()


def destroy_download(request: SubjectRequest) -> None:
    path_of(request).unlink(missing_ok=True)
    request.download_key = None
