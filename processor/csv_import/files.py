"""Where an import's files live: instance/imports/, encrypted (progress is its job's, see tasks.py)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from processor.csv_import import vault, workbook
from processor.csv_import.detect import FileRefused

new_key = vault.new_key
# A workbook is compressed: its text may be this many times the upload limit.
WORKBOOK_TEXT_FACTOR = 5


def folder() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def upload_path(imp) -> Path:
    return folder() / f"{imp.id}.upload"


def report_path(imp) -> Path:
    return folder() / f"{imp.id}.errors"


def store_upload(imp, stream: BinaryIO, max_bytes: int) -> tuple[int, str]:
    """Encrypt the upload to disk as it arrives; refuse it past the size limit. Return (size, SHA-256)."""
    digest, size, path = hashlib.sha256(), 0, upload_path(imp)
    with vault.create_encrypted(path, imp.file_key) as out:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            size += len(chunk)
            if size > max_bytes:
                break
            digest.update(chunk)
            out.write(chunk)
    if size > max_bytes:
        path.unlink(missing_ok=True)
        raise FileRefused(f"The file is larger than {max_bytes / 1024 / 1024:,.0f} MB; split it into smaller files.")
    return size, digest.hexdigest()


def workbook_path(imp) -> Path:
    return folder() / f"{imp.id}.workbook"


def store_workbook(imp, stream: BinaryIO, limits, sheet: str | None) -> tuple[int, str, list[str]]:
    """Keep a workbook (encrypted, to switch sheets later) and its sheet as CSV, encrypted as it is written;
    return (the workbook's size, the sheet's name, every sheet's name). `stream` must be seekable (a workbook is a
    ZIP archive): Flask's upload stream is."""
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    if size > limits.max_bytes:
        raise FileRefused(
            f"The file is larger than {limits.max_bytes / 1024 / 1024:,.0f} MB; split it into smaller files."
        )
    with vault.create_encrypted(workbook_path(imp), imp.file_key) as out:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            out.write(chunk)
    stream.seek(0)
    names = workbook.sheet_names(stream)
    stream.seek(0)
    return size, convert_sheet(imp, stream, limits, sheet), names


def convert_sheet(imp, source: BinaryIO, limits, sheet: str | None) -> str:
    """Write a workbook's sheet as the import's CSV upload (encrypted); return the sheet's name."""
    with vault.create_encrypted(upload_path(imp), imp.file_key) as out:
        return workbook.to_csv(
            source, out, sheet=sheet, max_rows=limits.max_rows, max_bytes=WORKBOOK_TEXT_FACTOR * limits.max_bytes
        )


@contextlib.contextmanager
def stored_workbook(imp):
    """The kept workbook, decrypted into an anonymous temporary file (openpyxl needs to seek in it): the same
    exposure as the web server's own spooling of an upload, gone when closed."""
    with tempfile.TemporaryFile() as plain, vault.open_encrypted(workbook_path(imp), imp.file_key) as stream:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            plain.write(chunk)
        plain.seek(0)
        yield plain


def problems_path(imp) -> Path:
    return folder() / f"{imp.id}.problems"


def create_problems(imp) -> BinaryIO:
    """Every error and warning of a CLI import (JSON lines, see report.ProblemFile), for its `--json`."""
    return vault.create_encrypted(problems_path(imp), imp.file_key)


def open_problems(imp) -> BinaryIO | None:
    path = problems_path(imp)
    if imp.file_key is None or not path.exists():
        return None
    return vault.open_encrypted(path, imp.file_key)


def upload_opener(imp):
    path, key = upload_path(imp), imp.file_key
    return lambda: vault.open_encrypted(path, key)


def create_report(imp) -> BinaryIO:
    return vault.create_encrypted(report_path(imp), imp.file_key)


def open_report(imp) -> BinaryIO | None:
    path = report_path(imp)
    if imp.file_key is None or not path.exists():
        return None
    return vault.open_encrypted(path, imp.file_key)


def delete_upload(imp) -> None:
    upload_path(imp).unlink(missing_ok=True)
    workbook_path(imp).unlink(missing_ok=True)


def delete_all(imp) -> None:
    for path in (upload_path(imp), workbook_path(imp), report_path(imp), problems_path(imp)):
        path.unlink(missing_ok=True)
