"""Key rotations and retirements as jobs: resumable in committed batches, so a retry picks up where it stopped."""

from __future__ import annotations

import contextlib
import uuid

from processor import jobs
from processor.errors import DomainError
from processor.keys.providers import MasterKeyError
from processor.keys.rotation import retire_master, rewrap_all, start_master_rotation
from processor.keys.shredding import finish_shredding, shred_account_keys
from processor.registries.rotation import reencrypt_account, start_account_rotation
from processor.registries.sealing import seal_legacy_rows, unsealed_count


@contextlib.contextmanager
def _master_key_errors():
    """A master-key problem is explained to the operator (its message names files and versions, not data)."""
    try:
        yield
    except MasterKeyError as exc:
        raise DomainError(str(exc)) from None


@jobs.task("keys.rotate_account")
def rotate_account_task(ctx: jobs.JobContext) -> dict:
    """Add a data-key version for the organizer (or resume the unfinished one) and re-encrypt its rows."""
    with _master_key_errors():
        target, pending = start_account_rotation(ctx.account_id)
        ctx.progress(0, pending)
        done = reencrypt_account(uuid.UUID(str(ctx.account_id)), target, progress=ctx.advance)
    return {"version": target, "reencrypted": done}


@jobs.task("keys.seal_legacy_rows")
def seal_legacy_rows_task(ctx: jobs.JobContext, batch: int) -> dict:
    """Give the rows written before row MACs (of one organizer, or all) their MAC, after checking their cells."""
    account_id = uuid.UUID(str(ctx.account_id)) if ctx.account_id else None
    with _master_key_errors():
        ctx.progress(0, unsealed_count(account_id))
        return seal_legacy_rows(account_id, batch_size=batch, progress=ctx.advance)


@jobs.task("keys.rotate_master")
def rotate_master_task(ctx: jobs.JobContext) -> dict:
    """Finish a retirement a shred left pending, else add a master version (or resume) and re-wrap every key."""
    with _master_key_errors():
        pending = finish_shredding()
        if pending.warnings or pending.retired:
            return {"retired": pending.retired, "version": pending.master_version, "warnings": pending.warnings}
        target, count = start_master_rotation()
        ctx.progress(0, count)
        rewrapped = rewrap_all(target, progress=ctx.advance)
    return {"version": target, "rewrapped": rewrapped, "retired": [], "warnings": []}


@jobs.task("keys.retire_master")
def retire_master_task(ctx: jobs.JobContext, version: int) -> dict:
    """Delete a master key version no organizer key uses any more."""
    with _master_key_errors():
        retire_master(version)
    return {"retired": version}


@jobs.task("keys.shred")
def shred_task(ctx: jobs.JobContext) -> dict:
    """Destroy the organizer's keys and retire the master versions that wrapped them (one master rotation).

    A retry after a lost worker finds the keys already destroyed (their tombstones stay) and finishes the
    retirement those tombstones call for."""
    with _master_key_errors():
        result = shred_account_keys(uuid.UUID(str(ctx.account_id)))
    return {
        "destroyed": result.destroyed,
        "master_version": result.master_version,
        "retired": result.retired,
        "warnings": result.warnings,
    }
