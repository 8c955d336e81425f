"""A staff export (`flask participants export`) as a job: the worker writes the registry, decrypted, into a file
that only the waiting CLI can read.

The CLI makes a one-time X25519 key pair and sends the public half with the job; the worker makes its own pair,
derives the file key from the two (HKDF-SHA256, bound to the job's id) and seals the export with it in
instance/exports/ (chunked AES-GCM, `processor.csv_import.vault`); its result carries its public half. Only the
CLI process, holding its private half in memory, can derive the key: nothing at rest (the file, the jobs table,
the queue) decrypts the export, and a file left by a CLI that died is unreadable (the hourly purge deletes it).
"""

from __future__ import annotations

import base64
import io
import time
import uuid
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from processor import jobs
from processor.access import Actor, gate
from processor.csv_import import vault
from processor.registries import export as exports

EXPORT_JOB = "registries.export"
WRITERS = {"json": exports.write_json, "csv": exports.write_csv}
STALE_HOURS = 1


def folder() -> Path:
    path = Path(current_app.instance_path) / "exports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_for(job_id) -> Path:
    return folder() / f"{uuid.UUID(str(job_id))}.enc"


def new_recipient() -> tuple[X25519PrivateKey, str]:
    """The CLI's one-time key pair: the private half stays in its memory, the public half goes with the job."""
    private = X25519PrivateKey.generate()
    return private, _b64(private.public_key())


def file_key(private: X25519PrivateKey, peer: str, job_id) -> bytes:
    shared = private.exchange(X25519PublicKey.from_public_bytes(base64.b64decode(peer)))
    info = b"participants-export|" + uuid.UUID(str(job_id)).bytes
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


def peer_path(job_id) -> Path:
    """The worker's public half for the file (public; beside it, so even a failed job's part can be read)."""
    return folder() / f"{uuid.UUID(str(job_id))}.peer"


def open_export(job_id, private: X25519PrivateKey) -> BinaryIO | None:
    """What the job wrote (all of it, or what it handed out before it failed), decrypted as it is read by the CLI
    that asked for it; None if it wrote nothing."""
    if not (path_for(job_id).exists() and peer_path(job_id).exists()):
        return None
    return vault.open_encrypted(path_for(job_id), file_key(private, peer_path(job_id).read_text(), job_id))


def delete(job_id) -> None:
    path_for(job_id).unlink(missing_ok=True)
    peer_path(job_id).unlink(missing_ok=True)


def purge_stale(now: float | None = None) -> int:
    """Delete export files older than STALE_HOURS (their CLI died; nobody can decrypt them anyway)."""
    cutoff, removed = (now or time.time()) - STALE_HOURS * 3600, 0
    for path in [*folder().glob("*.enc"), *folder().glob("*.peer")]:
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


@jobs.task(EXPORT_JOB)
def export_task(
    ctx: jobs.JobContext,
    registry_id: str,
    fmt: str,
    destination: str,
    reason: str,
    staff: str,
    attests: list[str],
    recipient: str,
) -> dict:
    """Write the registry, decrypted, sealed for the CLI that asked; logged as the export it is (gate.export)."""
    exporter = Actor("staff", staff, "cli", attestations=tuple(attests), reason=reason)
    registry = gate.open_registry(exporter, registry_id)
    mine = X25519PrivateKey.generate()
    key = file_key(mine, recipient, ctx.job_id)
    bad: list[dict] = []

    def write(registry, rows, out, handed) -> int:
        def one_more() -> None:
            handed()
            ctx.advance(1)

        return WRITERS[fmt](registry, rows, out, one_more)

    peer_path(ctx.job_id).write_text(_b64(mine.public_key()))
    # A failure part way leaves what was handed out (and logged as such) for the CLI to print, as before the
    # export was a job; the CLI deletes the file either way.
    with vault.create_encrypted(path_for(ctx.job_id), key) as sealed:
        text = io.TextIOWrapper(sealed, encoding="utf-8", newline="")
        try:
            count = gate.export(exporter, registry, write, text, destination=destination, reason=reason, bad=bad)
        finally:
            text.flush()
            text.detach()
    return {"count": count, "bad": [{"id": str(row["id"]), "incident": row["incident"]} for row in bad]}


def _b64(public: X25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()
