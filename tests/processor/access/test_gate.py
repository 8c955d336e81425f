"""The gate: account state, purpose, fields and transfer checked; every use logged with what was handed out."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from processor.access import Actor, gate, store
from processor.audit import service as audit
from processor.extensions import db
from processor.keys.ring import KeysUnavailable
from processor.registries import export
from processor.registries import service as registries
from processor.registries.models import participants
from processor.registries.service import AccountOnHold
from processor.retention import service as retention
from processor.staff import StaffActor
from processor.support import service as support
from tests.processor import people

STAFF = {"ticket": "SUP-7", "reason": "Participant cannot join the room"}


def entries(account_id):
    return list(reversed(audit.list_entries(account_id)))


def _big_registry(make_account, count=600):
    owner = make_account("big")
    registry = registries.create_registry(owner.id, "Big webinar")
    rows = [{"email": f"p{i}@example.org", "first_name": f"P{i}", "id": None} for i in range(count)]
    connection = db.session.connection()
    clean = [{"email": r["email"], "first_name": r["first_name"]} for r in rows]
    registries.write_participants(connection, registry, inserts=clean, source="manual")
    db.session.commit()
    return registry


def _break_row(registry, position):
    """Give the row at `position` (export order) another row's email ciphertext: it no longer decrypts."""
    ids = db.session.scalars(
        sa.select(participants.c.id)
        .where(participants.c.registry_id == registry.id)
        .order_by(participants.c.updated_at, participants.c.id)
    ).all()
    donor = db.session.scalar(sa.select(participants.c.email).where(participants.c.id == ids[0]))
    db.session.execute(sa.update(participants).where(participants.c.id == ids[position]).values(email=donor))
    db.session.commit()


def test_cli_export_that_fails_at_row_501_logs_the_500_handed_out(runner, make_account, monkeypatch, staff_env):
    registry = _big_registry(make_account)
    decrypt, calls = store.decrypt_fields, []

    def fails_at_501(keys, row, fields):
        calls.append(row.id)
        if len(calls) == 501:
            raise KeysUnavailable("the key provider went away")
        return decrypt(keys, row, fields)

    monkeypatch.setattr(store, "decrypt_fields", fails_at_501)
    result = runner.invoke(
        args=["participants", "export", "--registry", str(registry.id), "--reason", "organizer request SUP-9"],
        env=staff_env,
    )
    assert result.exit_code == 1
    printed = [line for line in result.stdout.splitlines() if line.startswith('  {"id"')]
    assert len(printed) == 500
    (entry,) = entries(registry.account_id)
    assert (entry.records, entry.allowed, entry.channel) == (500, True, "cli")
    assert "FAILED after 500 records handed out" in entry.reason
    assert "organizer request SUP-9" in entry.reason


def test_cli_export_withholds_a_tampered_row_serves_the_rest_and_reports_it(runner, make_account, staff_env):
    registry = _big_registry(make_account, count=40)
    _break_row(registry, 25)
    result = runner.invoke(
        args=["participants", "export", "--registry", str(registry.id), "--reason", "organizer request SUP-9"],
        env=staff_env,
    )
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)["participants"]) == 39
    assert "withheld participant" in result.stderr and "incident" in result.stderr
    (entry,) = entries(registry.account_id)
    assert entry.records == 39 and "1 rows failed their integrity check" in entry.reason


def test_export_whose_output_breaks_logs_only_what_was_written(app_ctx, make_account):
    registry = _big_registry(make_account, count=30)

    class Breaks(io.StringIO):
        def write(self, text):
            # The registry's own header carries an "id" too: 13 means 12 participants written.
            if self.getvalue().count('{"id"') >= 13 and '{"id"' in text:
                raise BrokenPipeError
            return super().write(text)

    with pytest.raises(BrokenPipeError):
        gate.export(Actor.system("test"), registry, export.write_json, Breaks(), destination="PL", reason="a test run")
    (entry,) = entries(registry.account_id)
    assert entry.records == 12 and "FAILED after 12" in entry.reason


def test_export_needs_a_reason(runner, registry):
    result = runner.invoke(args=["participants", "export", "--registry", str(registry.id)])
    assert result.exit_code != 0 and "--reason" in result.output
    result = runner.invoke(args=["participants", "export", "--registry", str(registry.id), "--reason", "x"])
    assert result.exit_code == 1
    assert entries(registry.account_id) == []


def test_staff_read_of_a_held_account_is_refused_and_logged(app_ctx, registry):
    retention.remove_account(registry.owner)
    db.session.commit()
    with pytest.raises(AccountOnHold):
        support.view(str(registry.id), actor=StaffActor("eve", "account"), **STAFF)
    entry = entries(registry.account_id)[-1]
    assert (entry.actor_type, entry.allowed, entry.records) == ("staff", False, 0)
    assert entry.reason.startswith("account-on-hold")


def test_staff_read_of_a_held_account_under_a_legal_obligation_is_allowed_and_logged_as_such(app_ctx, registry):
    retention.remove_account(registry.owner)
    db.session.commit()
    rows = support.view(str(registry.id), actor=StaffActor("eve", "account"), legal_obligation=True, **STAFF)
    assert len(rows) == 5
    entry = entries(registry.account_id)[-1]
    assert (entry.allowed, entry.records, entry.purpose) == (True, 5, "essential.legal_obligation")
    assert entry.reason.startswith("legal obligation; ticket SUP-7")


@pytest.mark.parametrize("op", ["read", "export", "write", "message", "import"])
def test_a_held_account_allows_no_processing_but_holding(app_ctx, registry, op):
    retention.remove_account(registry.owner)
    db.session.commit()
    with pytest.raises(AccountOnHold):
        gate.check(Actor.organizer(registry.owner), registry.account_id, op=op, purpose="essential.service")


def test_manual_add_edit_and_delete_are_logged_with_the_work(app_ctx, registry):
    actor = Actor.organizer(registry.owner)
    pid = gate.add(actor, registry, {"email": "new@example.org", "first_name": "New"})
    gate.update(actor, registry, pid, {"company": "Acme"})
    gate.delete(actor, registry, pid)
    reasons = [(e.reason, e.records, e.field_list) for e in entries(registry.account_id)]
    assert reasons == [
        ("participant added", 1, ["email", "first_name"]),
        ("participant edited", 1, ["company"]),
        ("participant deleted", 1, []),
    ]


def test_a_failed_write_leaves_neither_the_row_nor_a_log_entry(app_ctx, registry):
    with pytest.raises(registries.DuplicateParticipant):
        gate.add(Actor.organizer(registry.owner), registry, {"email": "person1@example.org"})
    assert entries(registry.account_id) == []
    assert registries.count_participants(registry) == 5


def test_a_csv_import_is_logged_in_its_own_transaction(runner, registry, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email,first_name\nimported1@example.org,A\nimported2@example.org,B\n")
    result = runner.invoke(args=["participants", "import", "--registry", str(registry.id), str(path)])
    assert result.exit_code == 0, result.output
    (entry,) = entries(registry.account_id)
    assert (entry.records, entry.reason) == (2, "import: 2 created, 0 updated")
    assert set(entry.field_list) == {"email", "first_name"}
    assert audit.verify_account(registry.account_id) is None


def test_a_key_rotation_is_logged(runner, registry):
    result = runner.invoke(args=["keys", "rotate-account", registry.owner.login])
    assert result.exit_code == 0, result.output
    (entry,) = entries(registry.account_id)
    assert (entry.records, entry.purpose) == (5, "essential.service.security")
    assert "data-key version 2" in entry.reason
    assert people.get_participant(registry, registry.people[0]["id"])["email"] == "person0@example.org"
