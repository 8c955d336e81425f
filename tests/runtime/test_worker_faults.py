"""Real workers, real kills (PostgreSQL, Redis): a `kill -9` mid-import or mid-rotation loses nothing, leaves no
process behind, and the next worker finishes the job (the import from scratch, the rotation where it stopped)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from processor import jobs
from processor.csv_import import service as imports
from processor.csv_import import tasks
from processor.extensions import db
from processor.registries import service as registries
from processor.registries.models import participants
from tests.runtime.conftest import alive, wait_until

pytestmark = pytest.mark.timeout(240)
ROWS = 40_000


@pytest.fixture
def app_config(worker_config):
    return {**{k: v for k, v in worker_config.items() if k != "DATABASE_URL"}, "JOBS_IMMEDIATE": False}


@pytest.fixture(autouse=True)
def _postgres_only(engine_name):
    if engine_name != "postgresql":
        pytest.skip("the kill tests run on PostgreSQL (SQLite's single writer is covered by the unit tests)")


def _count(registry) -> int:
    db.session.rollback()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(participants).where(participants.c.registry_id == registry.id)
    )


def test_kill_9_of_the_worker_mid_import_rolls_back_leaves_no_process_and_the_retry_commits(
    app_ctx, make_account, start_worker
):
    organizer = make_account("ada", country="PL")
    registry = registries.create_registry(organizer.id, "Big webinar", dt.date(2026, 12, 1))
    data = "email;first_name\r\n" + "".join(f"p{i}@example.pl;Łucja\r\n" for i in range(ROWS))
    imp = imports.start(organizer, registry, io.BytesIO(data.encode()))
    imports.plan(imp, organizer)
    job = tasks.launch(imp, organizer, "commit")

    worker = start_worker()
    tree = wait_until(lambda: len(t := worker.tree()) >= 3 and t, timeout=60)  # forkserver, pool, tracker
    wait_until(lambda: jobs.state(jobs.get_job(job.id))["status"] == "running", timeout=30)
    worker.kill()
    assert _count(registry) == 0  # the commit's transaction died with it
    wait_until(lambda: not any(alive(pid) for pid in tree), timeout=10)

    start_worker()  # sees the stale heartbeat, retries from scratch
    finished = wait_until(lambda: (j := jobs.get_job(job.id)).status in ("done", "failed") and j, timeout=180)
    assert finished.status == "done", finished.failure
    assert finished.attempts == 2
    assert _count(registry) == ROWS
    db.session.refresh(imp)
    assert imp.status == "committed" and imp.created == ROWS


def test_kill_9_of_the_worker_mid_rotation_resumes_to_the_same_version(app_ctx, make_account, start_worker):
    organizer = make_account("ada", country="PL")
    registry = registries.create_registry(organizer.id, "Webinar", dt.date(2026, 12, 1))
    data = "email;first_name\r\n" + "".join(f"r{i}@example.pl;Ola\r\n" for i in range(6000))
    imp = imports.start(organizer, registry, io.BytesIO(data.encode()))
    imports.plan(imp, organizer)
    imports.commit(imp, organizer)
    job = jobs.enqueue("keys.rotate_account", organizer.id)

    def rotated() -> int:
        db.session.rollback()
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(participants)
            .where(participants.c.registry_id == registry.id, participants.c.key_version == 2)
        )

    worker = start_worker()
    wait_until(lambda: rotated() > 0, timeout=60, every=0.01)
    worker.kill()
    partly = rotated()
    assert 0 < partly < 6000, "the kill came after the rotation ended; nothing was proven"

    start_worker()
    finished = wait_until(lambda: (j := jobs.get_job(job.id)).status in ("done", "failed") and j, timeout=120)
    assert finished.status == "done", finished.failure
    assert finished.result["version"] == 2
    assert rotated() == 6000
