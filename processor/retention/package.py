"""The return package: every registry of an erased organizer as CSV in one ZIP, sealed at erasure, kept 7 days.

Seed 004: the participant database is returned "at its request made within 7 days of erasure". Erasure destroys
the organizer's data keys, so the package is sealed just before, encrypted (chunked AES-GCM, see
`processor.csv_import.vault`) under a random key kept only on the account's exit row. It is destroyed, file and
key, when it is downloaded or when its 7 days are over, whichever comes first: nothing else of the organizer's
participant data outlives erasure, and this by at most 7 days.
"""

from __future__ import annotations

import io
import re
import secrets
import uuid
import zipfile
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app

from processor.csv_import import vault
from processor.extensions import db
from processor.registries import export
from processor.registries.models import Registry


def folder() -> Path:
    path = Path(current_app.instance_path) / "returns"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_for(account_id: uuid.UUID) -> Path:
    return folder() / f"{account_id}.zip.enc"


def write_zip(account_id: uuid.UUID, out: BinaryIO) -> int:
    """Write every registry of the organizer, decrypted, as one CSV each in a ZIP; return the participant count."""
    registries = db.session.scalars(
        sa.select(Registry).where(Registry.account_id == account_id).order_by(Registry.created_at, Registry.id)
    ).all()
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, registry in enumerate(registries, 1):
            name = re.sub(r"[^A-Za-z0-9._-]+", "-", registry.name).strip("-")[:60] or "registry"
            with archive.open(f"{number:03d}-{name}.csv", "w") as entry:
                text = io.TextIOWrapper(entry, encoding="utf-8", newline="")
                # The controller's own copy: restricted rows too (restriction limits use, not the controller).
                count += export.write_csv(registry, text, include_restricted=True)
                text.flush()
                text.detach()
    return count


def seal(account_id: uuid.UUID) -> tuple[bytes, int]:
    """Seal the package under a new random key; return (key, participant count)."""
    key = secrets.token_bytes(32)
    with vault.create_encrypted(path_for(account_id), key) as out:
        count = write_zip(account_id, out)
    return key, count


def read(account_id: uuid.UUID, key: bytes) -> bytes:
    with vault.open_encrypted(path_for(account_id), key) as stream:
        return stream.read()


def delete_file(account_id: uuid.UUID) -> None:
    path_for(account_id).unlink(missing_ok=True)
