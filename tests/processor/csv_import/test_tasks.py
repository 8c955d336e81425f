"""Dry runs and commits away from the request: progress, failures recorded, interrupted imports detected."""

from __future__ import annotations

import io
import threading

import pytest

from processor.csv_import import files, run, service, tasks
from processor.extensions import db
from tests.processor import people

DATA = "email;first_name\r\n" + "".join(f"p{i}@example.pl;Łucja\r\n" for i in range(30))


def wait_for_threads():
    for thread in threading.enumerate():
        if thread.name.startswith("import-"):
            thread.join(timeout=60)


@pytest.fixture
def imp(app, organizer, registry):
    return service.start(organizer, registry, io.BytesIO(DATA.encode()))


def test_background_dry_run_and_commit_report_progress_and_finish(app, imp, organizer, registry):
    tasks.launch(imp, organizer, "plan")
    wait_for_threads()
    db.session.refresh(imp)
    assert tasks.progress(imp) == {"status": "planned", "done": 0, "total": 30, "failure": None}
    tasks.launch(imp, organizer, "commit")
    wait_for_threads()
    db.session.refresh(imp)
    assert imp.status == "committed" and imp.created == 30
    assert not files.progress_path(imp.id).exists()


def test_an_unexpected_failure_is_recorded_without_its_message_and_nothing_is_written(
    app, imp, organizer, registry, monkeypatch
):
    service.plan(imp, organizer)

    def explode(*args, **kwargs):
        raise RuntimeError("secret@example.pl broke it")

    monkeypatch.setattr(run, "commit", explode)
    tasks.launch(imp, organizer, "commit")
    wait_for_threads()
    db.session.refresh(imp)
    assert imp.status == "failed"
    assert "incident" in imp.failure and "secret" not in imp.failure
    assert people.list_participants(registry) == []


def test_a_running_import_without_fresh_progress_is_shown_as_interrupted(app, imp, organizer):
    service.plan(imp, organizer)
    service.mark(imp, "committing")  # as if the process died mid-commit: no progress file is being written
    state = tasks.progress(imp)
    assert state["status"] == "failed" and "interrupted" in state["failure"]


def test_a_commit_without_a_dry_run_is_refused_before_starting(app, imp, organizer):
    with pytest.raises(service.Conflict):
        tasks.launch(imp, organizer, "commit")
    assert imp.status == "uploaded"
