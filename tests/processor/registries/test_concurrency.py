"""Two concurrent transactions cannot both add the same email to a registry (PostgreSQL)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from processor.extensions import db
from processor.normalize import normalize_participant
from processor.registries import service as registries


def test_duplicate_emails_from_concurrent_transactions_are_refused(app, registry, engine_name):
    if engine_name != "postgresql":
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL")
    target = SimpleNamespace(id=registry.id, account_id=registry.account_id, custom_field_names=[])
    index = registries.email_index(registry.account_id, "race@example.org")
    db.session.commit()
    a_inserted, b_checked = threading.Event(), threading.Event()
    outcome = {}

    def write(name, before=None, between=None):
        with app.app_context():
            try:
                with db.engine.begin() as connection:
                    if before:
                        before(connection)
                    clean = normalize_participant({"email": "Race@example.org"}, default_region=None)
                    registries.write_participants(connection, target, inserts=[clean], updates=[], source="api")
                    if between:
                        between()
                outcome[name] = "added"
            except registries.DuplicateParticipant:
                outcome[name] = "duplicate"

    def b_looks_first(connection):
        a_inserted.wait(10)
        # A has not committed: B cannot see its row, so only the unique constraint can stop B.
        outcome["b_saw"] = registries.existing_by_index(target, [index], connection=connection)
        b_checked.set()

    def a_waits_for_b():
        a_inserted.set()
        b_checked.wait(10)

    threads = [
        threading.Thread(target=write, args=("a", None, a_waits_for_b)),
        threading.Thread(target=write, args=("b", b_looks_first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == {"a": "added", "b": "duplicate", "b_saw": {}}
    assert registries.count_participants(registry) == 1
