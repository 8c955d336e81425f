"""Messages to the queue, and the pulse and cancel flag of running jobs, in the queue's store (Redis or the
SqliteHuey file).

The queue store holds each running job's pulse (rows done, heartbeat time): on SQLite an import's commit holds
the database's write lock for its whole transaction, so a heartbeat written there would wait for it.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from flask import current_app

from processor.jobs.queue import queue_of

if TYPE_CHECKING:
    from huey import Huey


def queue() -> Huey:
    return queue_of(current_app._get_current_object())


def send(job_id, *, delay: float | None = None) -> None:
    """Put a message for the job on the queue (the worker that takes it runs the job), after `delay` seconds."""
    # First the mark, kept beside the message and lost with it (see message_kept): written after, it could come
    # after a quick worker had already run the job and dropped it, and stay for good.
    queue().storage.put_data(f"sent:{job_id}", b"1")
    run_job = current_app.extensions["jobs.run_job"]
    if delay:
        run_job.schedule(args=(str(job_id),), delay=delay)
    else:
        run_job(str(job_id))


def message_kept(job_id) -> bool:
    """Whether the queue store still holds the mark written with the job's message. A store that lost its data
    (Redis restarted without persistence, the SqliteHuey file deleted) lost both: the message must be sent again."""
    raw = queue().storage.peek_data(f"sent:{job_id}")
    return isinstance(raw, bytes) and bool(raw)  # not huey's EmptyData


def write_pulse(job_id, done: int, total: int) -> None:
    queue().storage.put_data(f"pulse:{job_id}", json.dumps({"done": done, "total": total, "at": time.time()}).encode())


def read_pulse(job_id) -> dict | None:
    raw = queue().storage.peek_data(f"pulse:{job_id}")
    if not isinstance(raw, bytes) or not raw:  # huey's EmptyData when there is none
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def drop_pulse(job_id) -> None:
    queue().storage.pop_data(f"pulse:{job_id}")
    queue().storage.pop_data(f"cancel:{job_id}")
    forget_sent(job_id)


def forget_sent(job_id) -> None:
    """Drop the mark of a job's message once the job left the queue."""
    queue().storage.pop_data(f"sent:{job_id}")


def ask_to_cancel(job_id) -> None:
    """Flag a running job to stop, in the queue store: on SQLite the import's commit holds the database's only
    write lock, so a flag written there would wait for the very commit it is meant to stop."""
    queue().storage.put_data(f"cancel:{job_id}", b"1")


def cancel_asked(job_id) -> bool:
    raw = queue().storage.peek_data(f"cancel:{job_id}")
    return isinstance(raw, bytes) and bool(raw)  # not huey's EmptyData
