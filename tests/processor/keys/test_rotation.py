"""Rotations run online: reads and writes interleave with the batches, and no value changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from processor.extensions import db
from processor.keys.models import data_keys
from processor.keys.rotation import MasterVersionInUse, retire_master, rewrap_all, start_master_rotation
from processor.registries import service as registries
from processor.registries.models import participants
from processor.registries.rotation import reencrypt_account, start_account_rotation


@pytest.fixture
def app_config(tmp_path):
    """A writable key file instead of MASTER_KEY, so master versions can be added and retired."""
    return {"MASTER_KEY": None, "MASTER_KEY_FILE": str(tmp_path / "master.keys")}


@pytest.fixture
def crowd(make_account):
    """Two organizers with registries of participants; returns {participant id: expected values}."""
    expected = {}
    for login in ("ada", "bob"):
        registry = registries.create_registry(make_account(login).id, f"{login}'s webinar")
        for n in range(12):
            added = registries.add_participant(
                registry, {"email": f"{login}{n}@example.org", "first_name": f"N{n}", "custom_fields": {"Seat": str(n)}}
            )
            expected[added["id"]] = (registry, added)
    return expected


def _assert_unchanged(expected):
    for participant_id, (registry, before) in expected.items():
        after = registries.get_participant(registry, participant_id)
        assert {k: v for k, v in after.items() if k != "updated_at"} == {
            k: v for k, v in before.items() if k != "updated_at"
        }


def test_master_rotation_rewraps_every_key_while_work_goes_on(app, crowd, make_account):
    provider = app.extensions["key_ring"].provider
    target, pending = start_master_rotation()
    assert (target, pending) == (2, 4)
    with pytest.raises(MasterVersionInUse):
        retire_master(1)
    newcomer = []

    def meanwhile(done):
        registry, before = next(iter(crowd.values()))
        assert registries.get_participant(registry, before["id"])["email"] == before["email"]
        newcomer.append(registries.create_registry(make_account("cyd").id, "Cyd's"))

    rewrap_all(target, progress=meanwhile)
    masters = db.session.scalars(sa.select(data_keys.c.master_version)).all()
    assert set(masters) == {2} and len(masters) == 6
    retire_master(1)
    assert provider.versions() == [2]
    app.extensions["key_ring"].forget_all()
    _assert_unchanged(crowd)
    registries.add_participant(newcomer[0], {"email": "new@example.org"})


def test_retiring_the_current_or_an_unknown_master_version_is_refused(app, crowd):
    with pytest.raises(MasterVersionInUse):
        retire_master(1)
    with pytest.raises(registries.ValidationFailed):
        retire_master(9)


def test_account_rotation_reencrypts_with_reads_and_writes_interleaved(app, crowd):
    registry, first = next(iter(crowd.values()))
    account_id = registry.account_id
    target, pending = start_account_rotation(account_id)
    assert (target, pending) == (2, 12)
    edited = list(crowd)[5]
    calls = []

    def meanwhile(done):
        calls.append(done)
        if len(calls) == 1:
            crowd[edited][1].update(registries.update_participant(registry, edited, {"company": "Edited Ltd"}))
            added = registries.add_participant(registry, {"email": "late@example.org", "first_name": "Late"})
            crowd[added["id"]] = (registry, added)
            assert registries.find_by_email(registry, first["email"])["id"] == first["id"]

    reencrypt_account(account_id, target, progress=meanwhile, batch_size=5)
    assert len(calls) >= 3
    versions = db.session.execute(
        sa.select(participants.c.key_version, participants.c.email).where(participants.c.registry_id == registry.id)
    ).all()
    assert {v for v, _ in versions} == {2}
    assert all(int.from_bytes(email[1:5], "big") == 2 for _, email in versions)
    _assert_unchanged(crowd)
    assert registries.get_participant(registry, edited)["company"] == "Edited Ltd"


def test_interrupted_account_rotation_resumes_to_the_same_version(app, crowd, runner):
    registry, _ = next(iter(crowd.values()))
    target, _ = start_account_rotation(registry.account_id)

    def crash(done):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reencrypt_account(registry.account_id, target, progress=crash, batch_size=5)
    result = runner.invoke(args=["keys", "rotate-account", "ada"])
    assert result.exit_code == 0, result.output
    assert "under data-key version 2 (7 participants re-encrypted)" in result.output
    _assert_unchanged(crowd)
    result = runner.invoke(args=["keys", "rotate-account", "ada"])
    assert "under data-key version 3" in result.output


def test_rotate_master_command_reports_progress_and_retire_command_works(app, crowd, runner):
    result = runner.invoke(args=["keys", "rotate-master"])
    assert result.exit_code == 0, result.output
    assert "master key version 2 wraps every organizer key (4 re-wrapped)" in result.output
    assert runner.invoke(args=["keys", "retire-master", "2"]).exit_code == 1
    result = runner.invoke(args=["keys", "retire-master", "1"])
    assert result.exit_code == 0, result.output
    _assert_unchanged(crowd)
