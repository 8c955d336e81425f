"""The erasure run as a job: enqueued daily by the queue's scheduler, or by `flask retention run`."""

from __future__ import annotations

import datetime as dt

from processor import jobs
from processor.retention import service


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
