"""PostgreSQL restarted under a running job (a cluster of this test's own): the job is retried and finishes, and
the web keeps answering once the database is back."""

from __future__ import annotations

import io

import flask_migrate
import pytest
import sqlalchemy as sa

from app import create_app
from processor import jobs
from processor.accounts import service as accounts
from processor.clients import service as clients
from processor.csv_import import service as imports
from processor.extensions import db
from processor.registries import service as registries
from processor.registries.models import participants
from tests.conftest import PASSWORD, TEST_MASTER_KEY, Client
from tests.runtime.conftest import wait_until, write_instance_config

pytestmark = pytest.mark.timeout(300)
ROWS = 20_000


def test_a_postgresql_restart_mid_rotation_is_retried_and_the_web_answers(
    own_postgres, redis_url, tmp_path, start_worker
):
    instance = tmp_path / "instance"
    write_instance_config(
        instance,
        SECRET_KEY="test-secret-key-not-for-production",
        APP_ENV="testing",
        DATABASE_URL=own_postgres.url,
        REDIS_URL=redis_url,
        MASTER_KEY=TEST_MASTER_KEY,
        JOBS_STALE_SECONDS=3,
        JOBS_REAP_SECONDS=0.5,
        HUEY_NAME=f"test-{tmp_path.name}",
    )
    app = create_app(instance_path=str(instance))
    app.test_client_class = Client
    with app.app_context():
        flask_migrate.upgrade()
        owner = accounts.create_account(
            login="ada",
            email="ada@example.com",
            first_name="Ada",
            last_name="L",
            password=PASSWORD,
            title="Webinars",
            plan="paid",
            country="PL",
        )
        registry = registries.create_registry(owner.id, "Webinar")
        data = "email;first_name\r\n" + "".join(f"r{i}@example.pl;Ola\r\n" for i in range(ROWS))
        imp = imports.start(owner, registry, io.BytesIO(data.encode()))
        imports.plan(imp, owner)
        imports.commit(imp, owner)
        _, token = clients.create_client(
            name="svc",
            scopes="participants:read",
            purposes_granted="essential.service",
            country="DE",
            account_id=owner.id,
            created_by="test",
        )
        job = jobs.enqueue("keys.rotate_account", owner.id)

        def rotated() -> int:
            db.session.rollback()
            return db.session.scalar(
                sa.select(sa.func.count()).select_from(participants).where(participants.c.key_version == 2)
            )

        start_worker()
        wait_until(lambda: rotated() > 0, timeout=120, every=0.01)
        db.session.rollback()  # its connection goes back to the pool the web's requests use
        own_postgres.restart()
        # The pool's connections died with the server: the first request after it must still be answered.
        answer = app.test_client().get("/api/v1/registries", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        assert rotated() < ROWS, "the restart came after the rotation ended; nothing was proven"

        finished = wait_until(lambda: (j := jobs.get_job(job.id)).status in ("done", "failed") and j, timeout=180)
        assert finished.status == "done", finished.failure
        assert finished.attempts >= 2
        assert rotated() == ROWS
        db.engine.dispose()
