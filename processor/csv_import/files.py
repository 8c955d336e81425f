"""Where an import's files live: instance/imports/, encrypted (progress is its job's, see tasks.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from processor.csv_import import vault
from processor.csv_import.detect import FileRefused

new_key = vault.new_key


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


def delete_all(imp) -> None:
    for path in (upload_path(imp), report_path(imp)):
        path.unlink(missing_ok=True)
