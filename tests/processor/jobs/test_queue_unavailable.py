"""A job queue that cannot be reached: the command says so in one line, and the job is not left queued forever."""

from __future__ import annotations

import socket

import pytest

from processor.jobs import service
from processor.jobs.models import Job


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_config():
    return {"JOBS_IMMEDIATE": False, "REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0"}


def test_the_cli_refuses_in_one_line_when_redis_is_down(app):
    result = app.test_cli_runner().invoke(args=["retention", "run", "--no-wait"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: The job queue cannot be reached (Redis down or the queue file unwritable); nothing was started. "
        "Try again when it is back."
    ]
    assert "Traceback" not in result.output
    with app.app_context():
        (job,) = service.list_jobs()
        assert job.status == "failed" and "cannot be reached" in job.failure


def test_enqueue_raises_a_503_problem(app_ctx):
    with pytest.raises(service.QueueUnavailable) as raised:
        service.enqueue("retention.run", now="2026-11-30T00:00:00+00:00")
    assert raised.value.status == 503
    assert all(job.status == "failed" for job in Job.query.all())
