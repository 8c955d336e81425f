"""Rows written before row MACs (s4_gate_02) are withheld until `flask keys seal-legacy-rows` seals them; a row
whose cells were tampered with is reported and stays withheld; a second run changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from processor.audit.models import AccessLogEntry
from processor.extensions import db
from processor.field_crypto import CiphertextIntegrityError
from processor.registries.models import participants
from tests.processor import people


def _set(row_id, **values):
    db.session.execute(sa.update(participants).where(participants.c.id == row_id).values(**values))
    db.session.commit()


def _macs():
    return dict(db.session.execute(sa.select(participants.c.id, participants.c.row_mac)).all())


def _cell(row_id, field):
    return db.session.scalar(sa.select(getattr(participants.c, field)).where(participants.c.id == row_id))


@pytest.fixture
def app_config(tmp_path):
    """A writable key file instead of MASTER_KEY, so an organizer's keys can be shredded."""
    return {"MASTER_KEY": None, "MASTER_KEY_FILE": str(tmp_path / "master.keys")}


@pytest.fixture
def legacy(registry):
    """The registry's rows as an installation before s4_gate_02 holds them (no MAC); one has another row's cell."""
    db.session.execute(sa.update(participants).values(row_mac=None))
    db.session.commit()
    victim = registry.people[1]["id"]
    _set(victim, company=_cell(registry.people[2]["id"], "company"))  # bound to another row: does not decrypt
    return registry, victim


def _reads(registry, participant_id):
    try:
        return people.get_participant(registry, participant_id)
    except CiphertextIntegrityError:
        return None


def _sealing_entries(account_id):
    return db.session.scalars(
        sa.select(AccessLogEntry.reason)
        .where(AccessLogEntry.account_id == account_id, AccessLogEntry.actor == "system:seal-legacy-rows")
        .order_by(AccessLogEntry.seq)
    ).all()


def test_legacy_rows_read_back_after_sealing_and_a_tampered_one_is_reported(app_ctx, legacy, runner):
    registry, victim = legacy
    assert all(_reads(registry, person["id"]) is None for person in registry.people)

    result = runner.invoke(args=["keys", "seal-legacy-rows", "--account", "owner", "--batch", "2"])

    assert result.exit_code == 1, result.output
    assert "done: 4 rows sealed, 1 failed their integrity check" in result.output
    assert f"NOT SEALED: participant {victim} failed its integrity check (incident " in result.output
    db.session.expire_all()
    for person in registry.people:
        read = _reads(registry, person["id"])
        if person["id"] == victim:
            assert read is None
        else:
            assert {k: read[k] for k in ("email", "first_name", "company")} == {
                k: person[k] for k in ("email", "first_name", "company")
            }
    assert _macs()[victim] is None
    entries = _sealing_entries(registry.owner.id)
    assert len(entries) == 3  # batches of 2 by id: one entry per committed batch
    assert sum(int(reason.split("sealed: ")[1].split()[0]) for reason in entries) == 4
    assert sum("1 rows failed their integrity check" in reason for reason in entries) == 1


def test_running_twice_changes_nothing(app_ctx, legacy, runner):
    registry, victim = legacy
    runner.invoke(args=["keys", "seal-legacy-rows"])
    db.session.expire_all()
    before = _macs()

    result = runner.invoke(args=["keys", "seal-legacy-rows"])

    assert "done: 0 rows sealed, 1 failed their integrity check" in result.output
    db.session.expire_all()
    assert _macs() == before
    assert _reads(registry, victim) is None


def test_rows_written_after_the_upgrade_are_left_alone(app_ctx, registry, runner):
    before = _macs()
    result = runner.invoke(args=["keys", "seal-legacy-rows"])
    assert result.exit_code == 0, result.output
    assert "done: 0 rows sealed, 0 failed" in result.output
    assert _macs() == before
    assert _sealing_entries(registry.owner.id) == []


def test_an_unknown_account_is_refused(app_ctx, registry, runner):
    result = runner.invoke(args=["keys", "seal-legacy-rows", "--account", "nobody"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_an_organizer_whose_keys_were_shredded_is_skipped(app_ctx, legacy, runner):
    registry, _ = legacy
    assert runner.invoke(args=["keys", "shred", "owner", "--yes-destroy-all-participant-data"]).exit_code == 0

    result = runner.invoke(args=["keys", "seal-legacy-rows"])

    assert result.exit_code == 0, result.output
    assert f"skipped organizer {registry.owner.id}: its keys were shredded" in result.output
    assert "done: 0 rows sealed, 0 failed" in result.output
