"""An access log written before the chain was keyed (s4_gate_03) verifies again after `flask audit rekey-legacy`,
which records that it was re-keyed and the legacy head; an altered legacy entry is reported, never re-keyed."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from processor import jobs
from processor.audit import checkpoints, record_access
from processor.audit.chain import GENESIS, legacy_entry_hash
from processor.audit.models import AccessLogEntry, AccessLogHead
from processor.extensions import db
from processor.jobs.runner import execute as run_job


def _log(account, n):
    for i in range(n):
        record_access(
            account_id=account.id,
            actor_type="client",
            actor="mailer",
            purpose="essential.service.notifications.email",
            registry_id=uuid.uuid4(),
            fields=("email",),
            records=i,
            reason="granted",
            channel="api",
        )
    db.session.commit()


def _entries(account):
    return db.session.scalars(
        sa.select(AccessLogEntry).where(AccessLogEntry.account_id == account.id).order_by(AccessLogEntry.seq)
    ).all()


def _make_legacy(account):
    """Hash the organizer's entries so far as the log did before s4_gate_03: unkeyed SHA-256, linked."""
    prev = GENESIS
    for entry in _entries(account):
        entry.prev_hash = prev
        entry.entry_hash = prev = legacy_entry_hash(entry)
    db.session.get(AccessLogHead, account.id).entry_hash = prev
    db.session.commit()
    return prev


def _upgraded_log(make_account):
    """Three entries from before the upgrade, then two written by the keyed chain after it."""
    account = make_account("ada")
    _log(account, 3)
    legacy_head = _make_legacy(account)
    _log(account, 2)
    return account, legacy_head


def test_a_log_with_legacy_entries_verifies_after_rekey(app_ctx, make_account, runner):
    account, legacy_head = _upgraded_log(make_account)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1

    result = runner.invoke(args=["audit", "rekey-legacy"])

    assert result.exit_code == 0, result.output
    assert f"ada: 3 legacy entries re-keyed (legacy head {legacy_head})" in result.output
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    db.session.expire_all()
    entries = _entries(account)
    assert len(entries) == 6
    assert entries[-1].actor == "system:audit-rekey"
    assert "entries #1-#3 were hashed without the chain key" in entries[-1].reason
    assert f"legacy head {legacy_head}" in entries[-1].reason


def test_running_twice_changes_nothing(app_ctx, make_account, runner):
    account, _ = _upgraded_log(make_account)
    runner.invoke(args=["audit", "rekey-legacy"])
    db.session.expire_all()
    before = [(entry.seq, entry.entry_hash) for entry in _entries(account)]

    result = runner.invoke(args=["audit", "rekey-legacy", "--account", "ada"])

    assert result.exit_code == 0, result.output
    assert "done: 0 of 1 access logs re-keyed" in result.output
    db.session.expire_all()
    assert [(entry.seq, entry.entry_hash) for entry in _entries(account)] == before


def test_an_altered_legacy_entry_is_reported_and_the_log_left_alone(app_ctx, make_account, runner):
    account, _ = _upgraded_log(make_account)
    db.session.execute(
        sa.update(AccessLogEntry)
        .where(AccessLogEntry.account_id == account.id, AccessLogEntry.seq == 2)
        .values(records=99)
    )
    db.session.commit()
    before = [(entry.seq, entry.entry_hash) for entry in _entries(account)]

    result = runner.invoke(args=["audit", "rekey-legacy"])

    assert result.exit_code == 1
    assert "NOT RE-KEYED: access log of ada: entry" in result.output
    assert "(#2)" in result.output
    db.session.expire_all()
    assert [(entry.seq, entry.entry_hash) for entry in _entries(account)] == before


def test_a_stored_checkpoint_is_signed_again_over_the_rekeyed_head(app_ctx, make_account, runner):
    account, _ = _upgraded_log(make_account)
    checkpoints.issue(account.id)

    assert runner.invoke(args=["audit", "rekey-legacy"]).exit_code == 0

    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_rekey_is_a_job_and_no_wait_leaves_it_to_a_worker(app, app_ctx, make_account, runner):
    account, legacy_head = _upgraded_log(make_account)
    app.config["JOBS_IMMEDIATE"] = False
    result = runner.invoke(args=["audit", "rekey-legacy", "--account", "ada", "--no-wait"])
    assert result.exit_code == 0, result.output
    [job] = jobs.list_jobs(status="queued")
    assert (job.kind, job.account_id) == ("audit.rekey_legacy", account.id)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1  # the CLI itself re-keyed nothing
    run_job(job.id)
    assert jobs.get_job(job.id).result["rekeyed"] == [f"ada: 3 legacy entries re-keyed (legacy head {legacy_head})"]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
