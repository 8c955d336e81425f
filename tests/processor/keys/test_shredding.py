"""Crypto-shredding: the organizer's keys are gone for good, also for a copy of the database taken before."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from processor import jobs
from processor.extensions import db
from processor.jobs.runner import execute as run_job
from processor.keys.models import data_keys, wrap_aad
from processor.keys.providers import MasterKeyError
from processor.keys.ring import AccountKeys, KeyRing, KeysShredded, KeysUnavailable
from processor.registries import service as registries
from processor.registries.models import participants
from processor.registries.rows import TABLE
from tests.processor import people

CONFIRM = "--yes-destroy-all-participant-data"


@pytest.fixture
def app_config(tmp_path):
    return {"MASTER_KEY": None, "MASTER_KEY_FILE": str(tmp_path / "master.keys")}


@pytest.fixture
def two_organizers(make_account):
    ada = registries.create_registry(make_account("ada").id, "Ada's")
    bob = registries.create_registry(make_account("bob").id, "Bob's")
    people.add_participant(ada, {"email": "secret@example.org", "first_name": "Shredme"})
    kept = people.add_participant(bob, {"email": "kept@example.org", "first_name": "Keepme"})
    return ada, bob, kept


def _copy(account_id):
    """What a backup taken now would hold for this organizer: its wrapped keys and its ciphertexts."""
    keys = db.session.execute(sa.select(data_keys).where(data_keys.c.account_id == account_id)).all()
    rows = db.session.execute(sa.select(participants)).all()
    return keys, rows


def test_shredded_organizer_cannot_be_read_even_from_a_copy_taken_before(app, runner, two_organizers):
    ada, bob, kept = two_organizers
    key_copy, row_copy = _copy(ada.account_id)
    result = runner.invoke(args=["keys", "shred", "ada", CONFIRM])
    assert result.exit_code == 0, result.output
    provider = app.extensions["key_ring"].provider
    assert provider.versions() == [2]
    # The copy's wrapped keys open under no master key that remains.
    for row in key_copy:
        for version in [row.master_version, *provider.versions()]:
            with pytest.raises(MasterKeyError):
                provider.unwrap(
                    version,
                    row.wrapped,
                    b"data-key|" + row.account_id.bytes + row.purpose.encode() + b"|" + row.version.to_bytes(4, "big"),
                )
    # Nor do its ciphertexts decrypt through a fresh key ring built from the copy.
    copied_keys = {(r.purpose, r.version): (r.master_version, r.wrapped) for r in key_copy}
    ada_row = next(r for r in row_copy if r.registry_id == ada.id)
    with pytest.raises(KeysUnavailable):
        AccountKeys(KeyRing(provider), ada.account_id, copied_keys).decrypt(
            ada_row.first_name, TABLE, "first_name", ada_row.id
        )
    # In the database itself: the organizer is shredded, the other one is untouched.
    with pytest.raises(KeysShredded):
        people.list_participants(ada)
    assert people.get_participant(bob, kept["id"])["first_name"] == "Keepme"


def test_shredded_keys_are_never_recreated(app, runner, two_organizers):
    ada, _, _ = two_organizers
    runner.invoke(args=["keys", "shred", "ada", CONFIRM])
    with pytest.raises(KeysShredded):
        registries.create_registry(ada.account_id, "Again")
    with pytest.raises(KeysShredded):
        people.add_participant(ada, {"email": "new@example.org"})


def test_an_organizer_without_keys_gets_a_tombstone(app, runner, make_account):
    account = make_account("cyd")
    assert runner.invoke(args=["keys", "shred", "cyd", CONFIRM]).exit_code == 0
    with pytest.raises(KeysShredded):
        registries.create_registry(account.id, "Too late")


def test_shredding_needs_the_confirmation_flag(app, runner, two_organizers):
    ada, _, _ = two_organizers
    result = runner.invoke(args=["keys", "shred", "ada"])
    assert result.exit_code == 1
    assert "--yes-destroy-all-participant-data" in result.output
    assert people.list_participants(ada)[0]["first_name"] == "Shredme"


def test_a_tombstone_marks_its_master_versions_and_the_next_shred_retires_them_in_the_same_rotation(
    app, runner, two_organizers, make_account
):
    from processor.keys.shredding import pending_retirement, tombstone_account_keys

    ada, bob, kept = two_organizers
    make_account("cyd")
    provider = app.extensions["key_ring"].provider
    key_copy, _ = _copy(ada.account_id)
    tombstone_account_keys(ada.account_id)  # and the process dies before the rotation
    assert pending_retirement(db.session.connection(), provider) == 1
    assert provider.versions() == [1]

    result = runner.invoke(args=["keys", "shred", "cyd", CONFIRM])

    assert result.exit_code == 0, result.output
    assert "master key versions 1 retired; version 2 wraps" in result.output
    assert provider.versions() == [2]
    assert pending_retirement(db.session.connection(), provider) is None
    for row in key_copy:
        with pytest.raises(MasterKeyError):
            provider.unwrap(row.master_version, row.wrapped, wrap_aad(row.account_id, row.purpose, row.version))
    app.extensions["key_ring"].forget_all()
    assert people.get_participant(bob, kept["id"])["first_name"] == "Keepme"


def test_shred_is_a_job_the_cli_enqueues_and_no_wait_leaves_to_a_worker(app, runner, two_organizers):
    ada, _, _ = two_organizers
    app.config["JOBS_IMMEDIATE"] = False
    result = runner.invoke(args=["keys", "shred", "ada", CONFIRM, "--no-wait"])
    assert result.exit_code == 0, result.output
    [job] = jobs.list_jobs(status="queued")
    assert (job.kind, job.account_id) == ("keys.shred", ada.account_id)
    assert people.list_participants(ada)[0]["first_name"] == "Shredme"  # nothing done by the CLI itself
    run_job(job.id)
    assert jobs.get_job(job.id).result["destroyed"] >= 1
    with pytest.raises(KeysShredded):
        people.list_participants(ada)
