"""What each kind of job does: a function registered under its kind, given a context to report progress to."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from processor.errors import Conflict

TASKS: dict[str, Callable[..., dict | None]] = {}


class JobCancelled(Conflict):
    title = "Job cancelled"

    def __init__(self):
        super().__init__("The job was cancelled; what it had not committed was rolled back.")


def task(kind: str):
    """Register `fn(ctx, **args) -> dict | None` as what a job of this kind does (its dict is the job's result)."""

    def register(fn):
        TASKS[kind] = fn
        return fn

    return register


@dataclass
class JobContext:
    """Handed to a task: its job's id and organizer, and where to report progress (read by the heartbeat)."""

    job_id: uuid.UUID
    account_id: uuid.UUID | None
    attempt: int = 1
    done: int = 0
    total: int = 0
    cancelled: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int | None = None) -> None:
        """Record rows done (of total); raise JobCancelled once a cancel was asked for, so the task stops."""
        self.done = done
        if total is not None:
            self.total = total
        if self.cancelled.is_set():
            raise JobCancelled()

    def advance(self, rows: int) -> None:
        """Add rows to the rows done (for tasks that count in batches)."""
        self.progress(self.done + rows)
