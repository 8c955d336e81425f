"""Signed checkpoints: cutting the log's tail back, or deleting a whole chain, no longer verifies as intact."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from app import create_app
from processor.accounts.service import get_by_login
from processor.audit import checkpoints, record_access, service
from processor.audit.chain import entry_hash
from processor.audit.models import AccessLogEntry, AccessLogHead
from processor.extensions import db


def _log(account, n):
    for i in range(n):
        record_access(
            account_id=account.id,
            actor_type="client",
            actor="mailer",
            purpose="essential.service.notifications.email",
            records=i,
            channel="api",
        )
    db.session.commit()


def _cut_back_to(account, seq):
    """What someone with write access to the tables could do: drop the tail and point the head at an older entry."""
    kept = db.session.scalar(
        sa.select(AccessLogEntry).where(AccessLogEntry.account_id == account.id, AccessLogEntry.seq == seq)
    )
    with db.engine.begin() as conn:
        conn.execute(
            sa.delete(AccessLogEntry.__table__).where(AccessLogEntry.account_id == account.id, AccessLogEntry.seq > seq)
        )
        conn.execute(
            sa.update(AccessLogHead.__table__)
            .where(AccessLogHead.account_id == account.id)
            .values(seq=seq, entry_hash=kept.entry_hash)
        )
    db.session.expire_all()


def _delete_chain(account):
    with db.engine.begin() as conn:
        conn.execute(sa.delete(AccessLogEntry.__table__).where(AccessLogEntry.account_id == account.id))
        conn.execute(sa.delete(AccessLogHead.__table__).where(AccessLogHead.account_id == account.id))
    db.session.expire_all()


def _write(tmp_path, document):
    path = tmp_path / "checkpoint.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_a_cut_back_log_verifies_without_a_checkpoint_but_not_with_one(app_ctx, runner, make_account, tmp_path):
    ada = make_account("ada")
    _log(ada, 5)
    document = checkpoints.issue(ada.id)
    assert document["seq"] == 5
    _log(ada, 2)
    _cut_back_to(ada, 3)
    assert service.verify_account(ada.id) is None  # the chain alone cannot tell
    result = runner.invoke(args=["audit", "verify", "--checkpoint", _write(tmp_path, document)])
    assert result.exit_code == 1
    assert "#5" in result.output and "gone" in result.output


def test_a_deleted_chain_is_caught_by_the_checkpoint(app_ctx, runner, make_account, tmp_path):
    ada = make_account("ada")
    _log(ada, 4)
    document = checkpoints.issue(ada.id)
    _delete_chain(ada)
    assert service.verify_account(ada.id) is None
    result = runner.invoke(args=["audit", "verify", "--checkpoint", _write(tmp_path, document)])
    assert result.exit_code == 1


def test_a_stored_checkpoint_catches_a_cut_in_the_plain_verify(app_ctx, runner, make_account):
    ada = make_account("ada")
    _log(ada, 5)
    checkpoints.issue(ada.id)
    _cut_back_to(ada, 2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "#5" in result.output


def test_a_log_that_grew_still_bears_out_its_checkpoint(app_ctx, runner, make_account, tmp_path):
    ada = make_account("ada")
    _log(ada, 3)
    document = checkpoints.issue(ada.id)
    _log(ada, 3)
    result = runner.invoke(args=["audit", "verify", "--checkpoint", _write(tmp_path, document)])
    assert result.exit_code == 0, result.output
    assert "contains checkpoint #3" in result.output


def test_an_altered_checkpoint_is_refused(app_ctx, runner, make_account, tmp_path):
    ada = make_account("ada")
    _log(ada, 3)
    document = checkpoints.issue(ada.id)
    document["seq"] = 2
    result = runner.invoke(args=["audit", "verify", "--checkpoint", _write(tmp_path, document)])
    assert result.exit_code == 1 and "signature" in result.output


def test_the_chain_is_keyed_an_unkeyed_recomputation_does_not_verify(app_ctx, make_account):
    """Someone rewriting an entry and recomputing its hash without the chain key (as the old unkeyed SHA-256
    allowed) is caught."""
    ada = make_account("ada")
    _log(ada, 2)
    entry = db.session.scalar(sa.select(AccessLogEntry).where(AccessLogEntry.seq == 2))
    entry.records = 999
    forged = hashlib.sha256(b"whatever the attacker computes").hexdigest()
    assert forged != entry_hash(entry, b"k" * 32)
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(AccessLogEntry.__table__)
            .where(AccessLogEntry.id == entry.id)
            .values(records=999, entry_hash=forged)
        )
        conn.execute(sa.update(AccessLogHead.__table__).values(entry_hash=forged))
    db.session.expire_all()
    found = service.verify_account(ada.id)
    assert found is not None and found.seq == 2


def test_checkpoints_download_from_the_page_and_the_api(client, auth, make_client):
    auth.signup("ada")
    response = client.post("/access-log/checkpoint")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.get_json()["kind"] == "access-log-checkpoint"
    with client.application.app_context():
        account = get_by_login("ada")
        _, headers = make_client(scopes="audit:read", purposes="essential.service", account=account)
    body = client.get("/api/v1/audit/checkpoint", headers=headers).get_json()
    assert body["kind"] == "access-log-checkpoint" and body["signature"]


def test_without_a_chain_key_in_production_nothing_is_logged_unkeyed(tmp_path):
    app = create_app({"SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
    with app.app_context(), pytest.raises(service.ChainKeyMissing):
        service.chain_key()
    assert not (tmp_path / "audit_chain.key").exists()
