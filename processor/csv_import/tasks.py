"""Dry runs and commits of the wizard's imports, and the CLI's one-pass imports (staging.py), run as jobs.

A crash or a `kill -9` mid-commit ends the worker's transaction unfinished, so the database rolls it back; the
job's stale heartbeat gets it retried from scratch by another worker (still all or nothing). Progress lives in the
`jobs` table and the queue store, readable from any web worker on any machine.
"""

from __future__ import annotations

import logging
import uuid

from processor import jobs
from processor.accounts.models import Account
from processor.csv_import import service, staging
from processor.csv_import.models import Import
from processor.errors import DomainError, is_transient, storage_refusal
from processor.extensions import db
from processor.registries import export_jobs

log = logging.getLogger(__name__)
STAGES = {"plan": ("planning", service.plan), "commit": ("committing", service.commit)}
RUNNING = ("planning", "committing")


def launch(imp: Import, account: Account, stage: str) -> jobs.models.Job:
    """Mark the import running and enqueue the stage as a job (of two clicks, one wins)."""
    status, _ = STAGES[stage]
    service.claim(imp, stage, status)
    return jobs.enqueue(
        f"imports.{stage}", account.id, subject_id=imp.id, total=imp.rows_total or 0, import_id=str(imp.id)
    )


def _run_stage(ctx: jobs.JobContext, import_id: str, stage: str) -> dict:
    imp = db.session.get(Import, uuid.UUID(import_id))
    _guarded(imp, stage, lambda: STAGES[stage][1](imp, db.session.get(Account, imp.account_id), ctx.progress))
    db.session.refresh(imp)
    return {"status": imp.status, **imp.counts}


def _guarded(imp: Import, stage: str, work) -> None:
    """Run a pass; any failure but a lost database marks the import failed with a reason fit to show."""
    try:
        work()
    except DomainError as exc:
        service.fail(imp.id, exc.detail)
        raise
    except Exception as exc:  # reported on the page by incident id; the message may quote data, so not shown
        if is_transient(exc):
            raise  # the database went away: the job is retried, the import stays in its stage
        detail = storage_refusal(exc)
        if detail is None:
            incident = uuid.uuid4().hex[:12]
            log.error("incident %s: import %s stopped in %s by %s", incident, imp.id, stage, type(exc).__name__)
            detail = (
                f"An unexpected error stopped the import (incident {incident}); nothing was "
                "written. Try again or quote the incident id to support."
            )
        service.fail(imp.id, detail)
        raise DomainError(detail) from None


@jobs.task("imports.plan")
def plan_task(ctx: jobs.JobContext, import_id: str) -> dict:
    """The dry run of a wizard import."""
    return _run_stage(ctx, import_id, "plan")


@jobs.task("imports.commit")
def commit_task(ctx: jobs.JobContext, import_id: str) -> dict:
    """The commit of a wizard import, in one transaction."""
    return _run_stage(ctx, import_id, "commit")


def launch_staged(imp: Import, *, dry_run: bool, report: bool, problems: bool) -> jobs.models.Job:
    """Mark a staged CLI import running and enqueue its one pass (see staging.py)."""
    staging.claim(imp, dry_run=dry_run)
    return jobs.enqueue(
        "imports.file",
        imp.account_id,
        subject_id=imp.id,
        import_id=str(imp.id),
        dry_run=dry_run,
        report=report,
        problems=problems,
    )


@jobs.task("imports.file")
def file_task(ctx: jobs.JobContext, import_id: str, dry_run: bool, report: bool, problems: bool) -> dict:
    """A CLI import's one pass: the dry run, or the judge-and-commit in one transaction."""
    imp = db.session.get(Import, uuid.UUID(import_id))
    account = db.session.get(Account, imp.account_id)
    _guarded(
        imp,
        "plan" if dry_run else "commit",
        lambda: staging.run_staged(imp, account, ctx.progress, dry_run=dry_run, report=report, problems=problems),
    )
    db.session.refresh(imp)
    return staging.result_of(imp, dry_run=dry_run)


@jobs.task("imports.purge")
def purge_task(ctx: jobs.JobContext) -> dict:
    """Delete uploads and error files past IMPORT_FILE_HOURS (they hold personal data), and export files whose CLI
    died (unreadable without it, but no reason to keep)."""
    return {"purged": service.purge_expired(), "exports_purged": export_jobs.purge_stale()}


def progress(imp: Import) -> dict:
    """Status, rows done of total, failure and start time of the import's current stage, from its job.

    A stage whose job ended without ending the import (its worker stopped on every attempt) is marked failed."""
    job = jobs.latest_for(imp.id) if imp.status in RUNNING else None
    state = jobs.state(job) if job is not None else None
    if imp.status in RUNNING and (state is None or state["status"] in ("failed", "cancelled", "done")):
        db.session.refresh(imp)
        if imp.status in RUNNING:
            reason = (state or {}).get("failure") or "The import was interrupted; nothing was written. Run it again."
            service.fail(imp.id, reason)
            db.session.refresh(imp)
    state = state or {}
    return {
        "status": imp.status,
        "done": state.get("done", 0),
        "total": state.get("total") or imp.rows_total or 0,
        "failure": imp.failure,
        "started_at": state["started_at"].isoformat() if state.get("started_at") else None,
        "retrying": bool(state.get("worker_lost")) or (state.get("attempts", 0) > 1 and imp.status in RUNNING),
        "waiting": state.get("status") == "queued",
    }
