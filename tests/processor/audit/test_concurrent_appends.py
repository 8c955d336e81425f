"""Appends to one organizer's chain from many threads at once: none fails, none is lost, the chain holds."""

from __future__ import annotations

import threading

import pytest

from processor.audit import service
from processor.extensions import db

THREADS = 8


def test_concurrent_appends_to_a_new_chain_all_succeed_in_order(app, make_account):
    account_id = make_account("racer").id
    db.session.remove()
    barrier, failures = threading.Barrier(THREADS), []

    def append(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                for _ in range(3):
                    service.record_access(
                        account_id=account_id, actor_type="client", actor=f"svc-{n}", purpose="essential.service"
                    )
                    db.session.commit()
            except Exception as exc:
                failures.append(type(exc).__name__)
                db.session.rollback()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    seqs = sorted(entry.seq for entry in service.list_entries(account_id, limit=1000))
    assert seqs == list(range(1, THREADS * 3 + 1))
    assert service.verify_account(account_id) is None


@pytest.fixture
def app_config():
    return {"SQLITE_BUSY_TIMEOUT_MS": 60_000}
