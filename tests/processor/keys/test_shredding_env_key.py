"""With the master key in MASTER_KEY the service cannot retire it: shredding says so and fails."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from app import create_app
from processor.extensions import db
from processor.keys.ring import KeysShredded
from processor.registries import service as registries
from processor.retention import service as retention
from tests.conftest import _config
from tests.processor import people


def test_shredding_with_an_environment_master_key_warns_that_copies_stay_readable(app, runner, make_account):
    registry = registries.create_registry(make_account("ada").id, "Ada's")
    people.add_participant(registry, {"email": "gone@example.org"})
    result = runner.invoke(args=["keys", "shred", "ada", "--yes-destroy-all-participant-data"])
    assert result.exit_code == 1
    assert "copies of the database taken before stay decryptable" in result.output
    with pytest.raises(KeysShredded):
        people.list_participants(registry)


def test_a_retirement_left_pending_is_reported_by_every_run_and_at_start_up(
    app, runner, make_account, database_url, tmp_path, caplog
):
    account = make_account("ada")
    people.add_participant(registries.create_registry(account.id, "Ada's"), {"email": "gone@example.org"})
    removed = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    retention.remove_account(account, now=removed)
    for days in (90, 91):  # the erasure, then a run with nothing left to erase: the retirement is still due
        result = runner.invoke(args=["retention", "run", "--now", (removed + dt.timedelta(days=days)).isoformat()])
        assert result.exit_code == 0, result.output
        assert "copies of the database taken before stay decryptable" in result.stderr
    with caplog.at_level(logging.WARNING, logger="processor.keys"):
        other = create_app(_config(database_url), instance_path=str(tmp_path / "other-instance"))
        with other.app_context():
            db.engine.dispose()
    assert "master key versions up to 1 must be retired" in caplog.text
