"""After the hold, an account's data is erased for good; before it, only held; a return comes within 7 days."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import sqlalchemy as sa

from processor.accounts.models import Account
from processor.extensions import db
from processor.keys.models import data_keys
from processor.registries import service as registries
from processor.retention import exits, package
from processor.retention import service as retention
from tests.processor import people

REMOVED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def organizer(make_account):
    account = make_account("ada", plan="free")
    registry = registries.create_registry(account.id, "Webinar")
    people.add_participant(registry, {"email": "zofia@example.com", "first_name": "Zofia", "last_name": "Żółkiewska"})
    return account, registry


def count(table: str) -> int:
    return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed table names


def test_held_data_cannot_be_read_until_reactivated(organizer):
    account, registry = organizer
    retention.remove_account(account, now=REMOVED)
    with pytest.raises(registries.AccountOnHold):
        registries.get_registry(account.id, registry.id)
    retention.reactivate_account(account, now=REMOVED + dt.timedelta(days=1))
    found = people.find_by_email(registries.get_registry(account.id, registry.id), "zofia@example.com")
    assert found["last_name"] == "Żółkiewska"


def test_erasure_before_the_hold_ends_is_refused(organizer):
    account, _ = organizer
    retention.remove_account(account, now=REMOVED)
    with pytest.raises(retention.RetentionRefused):
        retention.erase_account(account, now=REMOVED + dt.timedelta(days=59))
    assert count("participants") == 1


def test_erasure_deletes_the_data_destroys_the_keys_and_scrubs_the_profile(organizer, make_account):
    account, _ = organizer
    other = make_account("bob")
    kept = registries.create_registry(other.id, "Other")
    people.add_participant(kept, {"email": "kept@example.com"})
    retention.remove_account(account, now=REMOVED)

    erased = retention.erase_due_accounts(now=REMOVED + dt.timedelta(days=60))

    assert erased.erased == ["ada"]
    assert count("participants") == 1 and count("registries") == 1
    keys = db.session.execute(sa.select(data_keys).where(data_keys.c.account_id == account.id)).all()
    assert keys and all(key.wrapped is None and key.destroyed_at is not None for key in keys)
    account = db.session.get(Account, account.id)
    assert (account.status, account.login, account.first_name) == ("erased", f"erased-{account.id.hex[:12]}", "erased")
    assert account.email == f"{account.login}@invalid"  # a random hex id may contain "ada": compare whole values
    assert people.find_by_email(kept, "kept@example.com") is not None


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_return_during_the_hold_zips_every_registry_decrypted(organizer):
    account, _ = organizer
    retention.remove_account(account, now=REMOVED)
    job = exits.request_return(account, now=REMOVED + dt.timedelta(days=30))  # JOBS_IMMEDIATE: it has run
    assert (job.kind, job.status, job.result) == ("retention.return_package", "done", {"participants": 1})
    data = exits.return_database(account, by="test", channel="cli", now=REMOVED + dt.timedelta(days=30))
    [(name, text)] = unzip(data).items()
    assert name == "001-Webinar.csv"
    assert "Żółkiewska" in text and "zofia@example.com" in text
    assert not package.held_path(account.id).exists()  # handed out once, then destroyed
    with pytest.raises(retention.RetentionRefused):
        exits.return_database(account, by="test", channel="cli")


def test_cli_removes_runs_and_refuses_late_returns(runner, organizer, tmp_path):
    refused = runner.invoke(args=["accounts", "remove", "ada"])
    assert refused.exit_code == 1 and "--yes" in refused.output
    removed = runner.invoke(args=["accounts", "remove", "ada", "--yes"])
    assert removed.exit_code == 0, removed.output
    assert "held until" in removed.output and "return code" in removed.output
    status = runner.invoke(args=["retention", "status"])
    assert "ada\tfree" in status.output
    target = tmp_path / "back.zip"
    returned = runner.invoke(args=["retention", "return", "ada", "-o", str(target)])
    assert returned.exit_code == 0, returned.output
    assert "Żółkiewska" in "".join(unzip(target.read_bytes()).values())
    late = dt.datetime.now(dt.UTC) + dt.timedelta(days=61)
    erased = runner.invoke(args=["retention", "run", "--now", late.isoformat()])
    assert erased.exit_code == 0, erased.output
    assert "erased ada" in erased.output
    assert count("participants") == 0
    too_late = late + dt.timedelta(days=8)
    assert runner.invoke(args=["retention", "run", "--now", too_late.isoformat()]).exit_code == 0
    refused = runner.invoke(args=["retention", "return", "ada", "--now", too_late.isoformat(), "-o", str(target)])
    assert refused.exit_code == 1
    assert len(refused.output.strip().splitlines()) == 1 and "Traceback" not in refused.output
