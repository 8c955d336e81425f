"""A database that refuses writes (read-only after a failover, or full) mid-commit: a clear reason on the import
and its job, and nothing half-written."""

from __future__ import annotations

import contextlib
import io
import types

import pytest

from processor import jobs
from processor.csv_import import run, service, tasks
from processor.extensions import db
from processor.registries import service as registries

DATA = "email;first_name\r\n" + "".join(f"p{i}@example.pl;Ola\r\n" for i in range(3000))
SETUP = {
    # PostgreSQL: the import's transaction is read-only, as on a replica promoted away from under it.
    ("read-only", "postgresql"): (["SET TRANSACTION READ ONLY"], []),
    ("read-only", "sqlite"): (["PRAGMA query_only = 1"], ["PRAGMA query_only = 0"]),
    # SQLite: the file may not grow past its current size, as on a full disk.
    ("full", "sqlite"): (["PRAGMA max_page_count = {pages}"], ["PRAGMA max_page_count = 1073741823"]),
}


class _RefusingEngine:
    """The import's write connection, set up to refuse (the rest of the app keeps its normal connections)."""

    def __init__(self, engine, setup: list[str], teardown: list[str]):
        self.engine, self.setup, self.teardown = engine, setup, teardown

    @contextlib.contextmanager
    def begin(self):
        with self.engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar() if "{pages}" in "".join(self.setup) else 0
            for statement in self.setup:
                connection.exec_driver_sql(statement.format(pages=pages))
            try:
                yield connection
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                for statement in self.teardown:
                    connection.exec_driver_sql(statement)
                connection.commit()


@pytest.mark.parametrize(("refusal", "says"), [("read-only", "read-only"), ("full", "out of space")])
def test_a_database_refusing_writes_mid_commit_gives_a_clear_reason_and_writes_nothing(
    app, organizer, registry, engine_name, monkeypatch, refusal, says
):
    if (refusal, engine_name) not in SETUP:
        pytest.skip(f"no way to make {engine_name} {refusal} for one connection")
    imp = service.start(organizer, registry, io.BytesIO(DATA.encode()))
    service.plan(imp, organizer)
    setup, teardown = SETUP[(refusal, engine_name)]
    monkeypatch.setattr(
        run, "db", types.SimpleNamespace(engine=_RefusingEngine(db.engine, setup, teardown), session=db.session)
    )
    job = tasks.launch(imp, organizer, "commit")
    db.session.refresh(imp)
    assert imp.status == "failed" and says in imp.failure and "incident" not in imp.failure
    assert jobs.get_job(job.id).failure == imp.failure
    assert registries.list_participants(registry) == []
