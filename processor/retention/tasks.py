"""The erasure run as a job (enqueued daily by the queue's scheduler, or by `flask retention run`), and the
return package a held organizer asks for (its page, or `flask retention return`)."""

from __future__ import annotations

import datetime as dt

from processor import jobs
from processor.accounts.models import Account
from processor.extensions import db
from processor.retention import exits, service


@jobs.task("retention.run")
def erasure_task(ctx: jobs.JobContext, now: str | None = None) -> dict:
    """Erase every removed account whose hold is over; logins erased are the operator's, not participants' data."""
    run = service.erase_due_accounts(now=dt.datetime.fromisoformat(now) if now else None)
    return {
        "erased": run.erased,
        "retired": run.retired,
        "master_version": run.master_version,
        "warnings": run.warnings,
        "packages_destroyed": run.packages_destroyed,
    }


@jobs.task(exits.RETURN_JOB)
def return_package_task(ctx: jobs.JobContext) -> dict:
    """Seal the held account's participant database as a return package, to be downloaded once."""
    account = db.session.get(Account, ctx.account_id)
    return {"participants": exits.prepare_held_return(account, ctx.progress)}


@jobs.task(service.EARLY_ERASURE_JOB)
def erase_early_task(ctx: jobs.JobContext, now: str) -> dict:
    """Erase the held account now, as its organizer asked; seal its return package first."""
    account = db.session.get(Account, ctx.account_id)
    return {"warnings": service.erase_early(account, now=dt.datetime.fromisoformat(now))}
