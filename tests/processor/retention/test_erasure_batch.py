"""A retention run erases many accounts with ONE master-key rotation, and a run that dies is finished later."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from processor.extensions import db
from processor.keys import shredding
from processor.keys.models import data_keys, wrap_aad
from processor.keys.providers import MasterKeyError, parse_keys
from processor.keys.ring import AccountKeys, KeyRing, KeysUnavailable
from processor.registries import service as registries
from processor.registries.models import participants
from processor.registries.rows import TABLE
from processor.retention import service as retention
from tests.processor import people

REMOVED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DUE = REMOVED + dt.timedelta(days=90)


@pytest.fixture
def app_config(tmp_path):
    """A writable key file instead of MASTER_KEY, so master versions can be added and retired."""
    return {"MASTER_KEY": None, "MASTER_KEY_FILE": str(tmp_path / "master.keys")}


@pytest.fixture
def provider(app):
    return app.extensions["key_ring"].provider


@pytest.fixture
def organizers(make_account):
    """Three removed organizers due for erasure and one active one; each with a registry and a participant."""
    made = {}
    for login in ("ada", "bea", "cyd", "dan"):
        account = make_account(login)
        registry = registries.create_registry(account.id, f"{login}'s webinar")
        person = people.add_participant(registry, {"email": f"{login}@example.org", "first_name": login.title()})
        made[login] = (account, registry, person)
    for login in ("ada", "bea", "cyd"):
        retention.remove_account(made[login][0], now=REMOVED)
    return made


@pytest.fixture
def rotations(monkeypatch, provider):
    """Count the master versions added and the re-wrap passes."""
    counts = {"add_version": 0, "rewrap_all": 0}
    add_version, rewrap_all = provider.add_version, shredding.rewrap_all

    def counted_add_version():
        counts["add_version"] += 1
        return add_version()

    def counted_rewrap_all(*args, **kwargs):
        counts["rewrap_all"] += 1
        return rewrap_all(*args, **kwargs)

    monkeypatch.setattr(provider, "add_version", counted_add_version)
    monkeypatch.setattr(shredding, "rewrap_all", counted_rewrap_all)
    return counts


def _backup(organizers):
    """What a database copy taken now holds: per organizer, its wrapped keys and one participant's ciphertext."""
    copy = {}
    for login, (account, _, person) in organizers.items():
        keys = db.session.execute(sa.select(data_keys).where(data_keys.c.account_id == account.id)).all()
        row = db.session.execute(sa.select(participants).where(participants.c.id == person["id"])).one()
        copy[login] = (account.id, keys, row)
    return copy


def _old_master_keys(app) -> dict[int, bytes]:
    path = app.config["MASTER_KEY_FILE"]
    return parse_keys(Path(path).read_text(), path)


def _erase_dying_in(monkeypatch, step: str) -> None:
    """Run the erasure with the process killed in `step` (one of shredding's functions)."""
    with monkeypatch.context() as patched:
        patched.setattr(shredding, step, _dies)
        with pytest.raises(KeyboardInterrupt):
            retention.erase_due_accounts(now=DUE)


def _dies(*args, **kwargs):
    """The process is killed here (KeyboardInterrupt is no Exception: nothing catches it on the way out)."""
    raise KeyboardInterrupt


def _assert_unreadable(copy, provider):
    """Neither the copied wrapped keys nor the copied ciphertexts open under any master version that remains."""
    account_id, keys, row = copy
    for key in keys:
        for version in {key.master_version, *provider.versions()}:
            with pytest.raises(MasterKeyError):
                provider.unwrap(version, key.wrapped, wrap_aad(account_id, key.purpose, key.version))
    rows = {(k.purpose, k.version): (k.master_version, k.wrapped) for k in keys}
    with pytest.raises(KeysUnavailable):
        AccountKeys(KeyRing(provider), account_id, rows).decrypt(row.first_name, TABLE, "first_name", row.id)


def test_erasing_three_due_accounts_rotates_the_master_key_once(app, provider, organizers, rotations):
    copy = _backup(organizers)
    old_keys = _old_master_keys(app)
    assert provider.versions() == [1]

    run = retention.erase_due_accounts(now=DUE)

    assert sorted(run.erased) == ["ada", "bea", "cyd"]
    assert rotations == {"add_version": 1, "rewrap_all": 1}
    assert (run.master_version, run.retired, run.warnings) == (2, [1], [])
    assert provider.versions() == [2]
    # The old master key is gone from the key file: the copy's keys open under nothing that remains.
    assert base64.b64encode(old_keys[1]).decode() not in Path(app.config["MASTER_KEY_FILE"]).read_text()
    for login in ("ada", "bea", "cyd"):
        _assert_unreadable(copy[login], provider)
    # The organizer still active reads its data, now under master version 2.
    _, registry, person = organizers["dan"]
    app.extensions["key_ring"].forget_all()
    assert people.get_participant(registry, person["id"])["first_name"] == "Dan"
    assert set(db.session.scalars(sa.select(data_keys.c.master_version).where(data_keys.c.wrapped.is_not(None)))) == {2}


def test_a_run_with_nothing_to_erase_or_retire_does_not_rotate(app, provider, organizers, rotations):
    assert retention.erase_due_accounts(now=REMOVED + dt.timedelta(days=1)).erased == []
    assert rotations == {"add_version": 0, "rewrap_all": 0}
    retention.erase_due_accounts(now=DUE)
    again = retention.erase_due_accounts(now=DUE + dt.timedelta(days=1))
    assert (again.erased, again.retired, again.warnings) == ([], [], [])
    assert rotations == {"add_version": 1, "rewrap_all": 1}
    assert provider.versions() == [2]


def test_a_run_that_dies_before_the_rotation_is_finished_by_the_next_run(
    app, runner, provider, organizers, monkeypatch
):
    copy = _backup(organizers)
    _erase_dying_in(monkeypatch, "finish_shredding")
    # The accounts are erased but the old master version is still there: the retirement is pending.
    assert provider.versions() == [1]
    assert shredding.pending_retirement(db.session.connection(), provider) == 1

    result = runner.invoke(args=["retention", "run", "--now", (DUE + dt.timedelta(days=1)).isoformat()])

    assert result.exit_code == 0, result.output
    assert "0 account(s) erased" in result.output
    assert "master key versions 1 retired; version 2 wraps" in result.output
    assert provider.versions() == [2]
    assert shredding.pending_retirement(db.session.connection(), provider) is None
    for login in ("ada", "bea", "cyd"):
        _assert_unreadable(copy[login], provider)


def test_a_rotation_that_dies_half_way_is_resumed_without_another_master_version(
    app, provider, organizers, monkeypatch
):
    copy = _backup(organizers)
    _erase_dying_in(monkeypatch, "rewrap_all")
    assert provider.versions() == [1, 2]

    run = retention.erase_due_accounts(now=DUE)

    assert (run.erased, run.master_version, run.retired) == ([], 2, [1])
    assert provider.versions() == [2]
    for login in ("ada", "bea", "cyd"):
        _assert_unreadable(copy[login], provider)


def test_rotate_master_finishes_a_retirement_left_pending(app, runner, provider, organizers, monkeypatch):
    copy = _backup(organizers)
    _erase_dying_in(monkeypatch, "finish_shredding")

    result = runner.invoke(args=["keys", "rotate-master"])

    assert result.exit_code == 0, result.output
    assert "master key versions 1 retired" in result.output
    assert provider.versions() == [2]
    _assert_unreadable(copy["ada"], provider)
    app.extensions["key_ring"].forget_all()
    _, registry, person = organizers["dan"]
    assert people.get_participant(registry, person["id"])["first_name"] == "Dan"


def test_an_account_that_fails_to_erase_does_not_leave_the_others_readable_from_copies(
    app, provider, organizers, monkeypatch
):
    copy = _backup(organizers)
    erase = retention._erase
    seen = []

    def second_fails(account, now):
        seen.append(account.login)
        if len(seen) == 2:
            raise RuntimeError("the database went away")
        erase(account, now)

    monkeypatch.setattr(retention, "_erase", second_fails)
    with pytest.raises(RuntimeError):
        retention.erase_due_accounts(now=DUE)

    assert provider.versions() == [2]
    _assert_unreadable(copy[seen[0]], provider)
