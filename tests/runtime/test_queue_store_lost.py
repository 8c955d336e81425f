"""Accepted work survives the queue store losing its messages (Redis restarted without persistence, the SqliteHuey
file replaced): the jobs table is the record, and a worker's reaper sends a lost job's message again."""

from __future__ import annotations

import pytest

from processor import jobs
from processor.jobs import runner, transport
from processor.jobs.queue import queue_of
from tests.runtime.conftest import wait_until

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def app_config(worker_settings):
    return {**{k: v for k, v in worker_settings.items() if k != "DATABASE_URL"}, "JOBS_IMMEDIATE": False}


def test_a_queued_job_whose_message_the_store_lost_is_run_by_the_next_worker(app, app_ctx, start_worker):
    job = jobs.enqueue("imports.purge")
    queue_of(app).flush()  # the store forgets every message and mark of this queue, as a restarted Redis would
    assert len(queue_of(app)) == 0
    start_worker()
    finished = wait_until(lambda: (j := jobs.get_job(job.id)).status in ("done", "failed") and j, timeout=60)
    assert (finished.status, finished.attempts) == ("done", 1)
    assert not transport.message_kept(job.id)  # its mark went with it: nothing is left to send again


def test_a_job_cancelled_before_it_started_leaves_no_mark_when_its_message_is_taken(app, app_ctx):
    job = jobs.enqueue("imports.purge")
    jobs.request_cancel(job.id)
    runner.execute(job.id)  # a worker takes the message of a job no longer queued
    assert jobs.get_job(job.id).status == "cancelled" and not transport.message_kept(job.id)


def test_a_message_still_in_the_store_is_not_sent_twice(app, app_ctx):
    job = jobs.enqueue("imports.purge")
    assert runner.resend_lost() == []  # too young to be judged lost
    assert runner.resend_lost(now=job.created_at.replace(year=job.created_at.year + 1)) == []  # its mark is there
    assert len(queue_of(app)) == 1
    queue_of(app).flush()
    assert runner.resend_lost(now=job.created_at.replace(year=job.created_at.year + 1)) == [job.id]
    assert len(queue_of(app)) == 1
