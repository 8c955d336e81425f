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
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app

from processor.access import Actor, gate
from processor.csv_import import vault
from processor.extensions import db
from processor.registries import export
from processor.registries.models import Registry, participants

PACKAGER = Actor.system("return-package")  # the exit's own step logs the package (retention.exits)


def folder() -> Path:
    path = Path(current_app.instance_path) / "returns"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_for(account_id: uuid.UUID) -> Path:
    return folder() / f"{account_id}.zip.enc"


def held_path(account_id: uuid.UUID) -> Path:
    """A package prepared during the hold (by the `retention.return_package` job), until downloaded."""
    return folder() / f"{account_id}.held.zip.enc"


def participant_count(account_id: uuid.UUID) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(participants)
        .join(Registry, Registry.id == participants.c.registry_id)
        .where(Registry.account_id == account_id)
    )


def write_zip(account_id: uuid.UUID, out: BinaryIO, progress: Callable[[int], None] | None = None) -> int:
    """Write every registry of the organizer, decrypted, as one CSV each in a ZIP; return the participant count.

    `progress(participants written)` is called as rows are written."""
    registries = db.session.scalars(
        sa.select(Registry).where(Registry.account_id == account_id).order_by(Registry.created_at, Registry.id)
    ).all()
    count, written = 0, 0

    def counter() -> None:
        nonlocal written
        written += 1
        if progress is not None and written % 500 == 0:
            progress(written)

    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, registry in enumerate(registries, 1):
            name = re.sub(r"[^A-Za-z0-9._-]+", "-", registry.name).strip("-")[:60] or "registry"
            with archive.open(f"{number:03d}-{name}.csv", "w") as entry:
                text = io.TextIOWrapper(entry, encoding="utf-8", newline="")
                # The controller's own copy: restricted rows too (restriction limits use, not the controller).
                rows = gate.rows_within(PACKAGER, registry, op="return", purpose="essential.legal_obligation")
                count += export.write_csv(registry, rows, text, counter)
                text.flush()
                text.detach()
    return count


def seal_held(account_id: uuid.UUID, progress: Callable[[int], None] | None = None) -> tuple[bytes, int]:
    """Seal a package of the held data under a new random key; return (key, participant count)."""
    key = secrets.token_bytes(32)
    with vault.create_encrypted(held_path(account_id), key) as out:
        count = write_zip(account_id, out, progress)
    return key, count


def read_held(account_id: uuid.UUID, key: bytes) -> bytes:
    with vault.open_encrypted(held_path(account_id), key) as stream:
        return stream.read()


def delete_held(account_id: uuid.UUID) -> None:
    held_path(account_id).unlink(missing_ok=True)


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
