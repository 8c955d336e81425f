"""The access log is hash-chained per organizer; `flask audit verify` notices any change."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from processor.audit import record_access, service
from processor.audit.models import AccessLogEntry
from processor.extensions import db


def _log(account, n=3, **overrides):
    entries = []
    for i in range(n):
        fields = {
            "account_id": account.id,
            "actor_type": "client",
            "actor": "mailer",
            "purpose": "essential.service.notifications.email",
            "registry_id": uuid.uuid4(),
            "fields": ("email", "first_name"),
            "records": 10 + i,
            "destination_country": "DE",
            "allowed": True,
            "reason": "granted",
            "channel": "api",
            **overrides,
        }
        entries.append(record_access(**fields))
    db.session.commit()
    return entries


def _update(entry_id, **values):
    with db.engine.begin() as conn:
        conn.execute(sa.update(AccessLogEntry.__table__).where(AccessLogEntry.id == entry_id).values(**values))
    db.session.expire_all()


def _flip_char(text: str) -> str:
    return ("1" if text[0] != "1" else "2") + text[1:]


def test_entries_link_to_the_previous_hash_per_organizer(make_account):
    ada, bob = make_account("ada"), make_account("bob")
    first, second, _ = _log(ada)
    (bobs,) = _log(bob, 1)
    assert (first.seq, second.seq, bobs.seq) == (1, 2, 1)
    assert second.prev_hash == first.entry_hash
    assert bobs.prev_hash == "0" * 64
    assert service.verify_all() == (2, [])


def test_refused_access_is_recorded_with_its_reason(make_account):
    ada = make_account()
    record_access(
        account_id=ada.id,
        actor_type="client",
        actor="mailer",
        purpose="marketing.advertising",
        allowed=False,
        reason="purpose-not-allowed",
        channel="api",
    )
    db.session.commit()
    (entry,) = service.list_entries(ada.id)
    assert (entry.allowed, entry.reason, entry.purpose) == (False, "purpose-not-allowed", "marketing.advertising")


def test_an_unrecorded_session_leaves_no_entry(make_account):
    ada = make_account()
    record_access(account_id=ada.id, actor_type="account", actor="ada", purpose="essential.service")
    db.session.rollback()
    assert service.list_entries(ada.id) == []
    assert service.verify_account(ada.id) is None


TAMPERINGS = {
    "id": lambda e: {"id": uuid.UUID(_flip_char(str(e.id)))},
    "account_id": None,  # moving an entry to another organizer: checked in its own test
    "seq": lambda e: {"seq": e.seq + 10},
    "created_at": lambda e: {"created_at": e.created_at + dt.timedelta(microseconds=1)},
    "channel": lambda e: {"channel": "web"},
    "actor_type": lambda e: {"actor_type": "staff"},
    "actor": lambda e: {"actor": "Mailer"},
    "purpose": lambda e: {"purpose": e.purpose.replace("email", "emaik")},
    "registry_id": lambda e: {"registry_id": uuid.UUID(_flip_char(str(e.registry_id)))},
    "fields": lambda e: {"fields": "email,first_namf"},
    "records": lambda e: {"records": e.records + 1},
    "destination_country": lambda e: {"destination_country": "DF"},
    "allowed": lambda e: {"allowed": not e.allowed},
    "reason": lambda e: {"reason": "grantee"},
    "prev_hash": lambda e: {"prev_hash": _flip_char(e.prev_hash)},
    "entry_hash": lambda e: {"entry_hash": _flip_char(e.entry_hash)},
}


@pytest.mark.parametrize("column", [c for c, change in TAMPERINGS.items() if change])
def test_verify_names_the_entry_after_a_one_character_change(make_account, runner, column):
    ada = make_account()
    _, middle, _ = _log(ada)
    seq = middle.seq
    _update(middle.id, **TAMPERINGS[column](middle))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"#{seq}" in result.output or column == "seq"
    assert "access log of ada" in result.output


def test_every_column_but_the_hash_is_covered_by_a_tampering_case():
    assert set(TAMPERINGS) == {c.name for c in AccessLogEntry.__table__.columns}


def test_entry_moved_to_another_organizer_breaks_both_chains(make_account):
    ada, bob = make_account("ada"), make_account("bob")
    _, middle, _ = _log(ada)
    _log(bob, 1)
    _update(middle.id, account_id=bob.id, seq=2)
    _, breaks = service.verify_all()
    assert sorted(login for login, _ in breaks) == ["ada", "bob"]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_verify_fails_when_an_entry_is_removed(make_account, runner, which):
    ada = make_account()
    entries = _log(ada)
    with db.engine.begin() as conn:
        conn.execute(sa.delete(AccessLogEntry.__table__).where(AccessLogEntry.id == entries[which].id))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "access log of ada" in result.output


def test_verify_fails_when_entries_are_reordered(make_account):
    ada = make_account()
    first, second, _ = _log(ada)
    _update(first.id, seq=99)
    _update(second.id, seq=1)
    _update(first.id, seq=2)
    _, [(login, found)] = service.verify_all()
    assert (login, found.entry_id) == ("ada", str(second.id))


def test_verify_passes_and_counts_intact_logs(make_account, runner):
    _log(make_account("ada"))
    make_account("bob")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "2 access logs intact" in result.output


def test_verify_of_an_unknown_login_is_refused(runner):
    result = runner.invoke(args=["audit", "verify", "--account", "nobody"])
    assert result.exit_code == 1
    assert "no account with login 'nobody'" in result.output


@pytest.mark.parametrize("bad", [{"channel": "email"}, {"actor_type": "robot"}])
def test_unknown_channel_or_actor_type_is_a_programming_error(make_account, bad):
    ada = make_account()
    with pytest.raises(ValueError, match="unknown"):
        record_access(
            **{
                "account_id": ada.id,
                "actor_type": "account",
                "actor": "ada",
                "purpose": "essential.service",
                "channel": "web",
                **bad,
            }
        )
