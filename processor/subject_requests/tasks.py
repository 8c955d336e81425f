"""The daily deadline check as a job: reminders 7 days before due dates, overdue flags, expired downloads."""

from __future__ import annotations

import datetime as dt

from processor import jobs
from processor.subject_requests import actions, service


@jobs.task("requests.deadlines")
def deadlines_task(ctx: jobs.JobContext, now: str | None = None) -> dict:
    """Remind and flag data-subject request deadlines and destroy downloads past their 7 days (no personal data)."""
    when = dt.datetime.fromisoformat(now) if now else None
    counts = service.flag_overdue(when)
    return {**counts, "downloads_destroyed": actions.purge_expired_downloads(when)}
