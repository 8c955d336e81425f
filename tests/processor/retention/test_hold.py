"""Removed accounts are held 60 (free) or 90 (paid) days, can be reactivated meanwhile, then erased."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from processor.accounts import service as accounts
from processor.extensions import db
from processor.retention import service as retention

REMOVED = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("plan", "days"), [("free", 60), ("paid", 90)])
def test_hold_period_depends_on_the_plan(make_account, plan, days):
    account = make_account("ada", plan=plan)
    due = retention.remove_account(account, now=REMOVED).erase_on
    assert due == REMOVED + dt.timedelta(days=days)
    assert retention.due_for_erasure(now=due - dt.timedelta(seconds=1)) == []
    assert retention.due_for_erasure(now=due) == [account]


def test_a_removed_account_gets_its_exits_page_not_a_session(client, auth, make_account):
    account = make_account("ada")
    retention.remove_account(account)
    assert auth.login(password="not my password at all").status_code == 401
    held = auth.login()
    assert held.status_code == 302 and held.headers["Location"].endswith("/account/held")
    assert client.get("/dashboard").status_code == 302
    assert client.get("/registries/").status_code == 302


def test_removal_ends_open_sessions(client, auth, make_account):
    account = make_account("ada")
    auth.login()
    assert client.get("/dashboard").status_code == 200
    retention.remove_account(account)
    assert client.get("/dashboard").status_code == 302


def test_reactivation_works_during_the_hold_and_not_after(make_account):
    account = make_account("ada", plan="free")
    retention.remove_account(account, now=REMOVED)
    retention.reactivate_account(account, now=REMOVED + dt.timedelta(days=59))
    assert account.status == "active"
    assert accounts.authenticate("ada", "correct horse battery staple", address="192.0.2.1").account == account
    retention.remove_account(account, now=REMOVED)
    with pytest.raises(retention.RetentionRefused, match="hold period is over"):
        retention.reactivate_account(account, now=REMOVED + dt.timedelta(days=60))


@pytest.mark.parametrize("days_after", [0, 7, 8, 30, 89])
def test_a_return_is_honoured_on_any_day_of_the_hold(make_account, days_after):
    account = make_account("ada")
    retention.remove_account(account, now=REMOVED)
    retention.check_return_allowed(account, now=REMOVED + dt.timedelta(days=days_after))


def test_an_active_account_is_not_returned_but_exports_itself(make_account):
    with pytest.raises(retention.RetentionRefused, match="removed accounts"):
        retention.check_return_allowed(make_account("ada"))


def test_settings_page_removes_the_account_after_the_password_is_confirmed(client, auth, make_account):
    account = make_account("ada", plan="free")
    auth.login()
    page = client.get("/account/settings").get_data(as_text=True)
    assert "held, for\n    60 days" in page
    wrong = client.post("/account/remove", data={"password": "not my password"})
    assert wrong.status_code == 400
    assert "The password is wrong." in wrong.get_data(as_text=True)
    db.session.refresh(account)
    assert account.status == "active"
    done = client.post("/account/remove", data={"password": "correct horse battery staple"})
    assert done.status_code == 200
    assert re.search(r'id="return-code">[A-Z2-9]{4}(-[A-Z2-9]{4}){4}<', done.get_data(as_text=True))
    assert client.get("/dashboard").status_code == 302
    db.session.refresh(account)
    assert account.status == "removed"
    assert retention.erase_due(account) == account.removed_at + dt.timedelta(days=60)


def test_internal_services_cannot_read_a_held_account(client, make_client, registry):
    from processor.accounts.models import Account
    from processor.extensions import db

    _, headers = make_client(scopes="participants:read", purposes="essential.service.notifications.email", country="DE")
    path = f"/api/v1/registries/{registry.id}/participants?purpose=essential.service.notifications.email"
    assert client.get(path, headers=headers).status_code == 200
    retention.remove_account(db.session.get(Account, registry.account_id))
    held = client.get(path, headers=headers)
    assert held.status_code == 409
    assert held.get_json()["type"].endswith("/account-on-hold")
    listed = client.get("/api/v1/registries", headers=headers)
    assert listed.status_code == 200
    assert str(registry.id) not in listed.get_data(as_text=True)


def test_the_cli_import_is_refused_while_the_account_is_held(runner, registry, tmp_path):
    from processor.accounts.models import Account
    from processor.extensions import db

    retention.remove_account(db.session.get(Account, registry.account_id))
    source = tmp_path / "people.csv"
    source.write_text("email\nnew@example.com\n")
    result = runner.invoke(args=["participants", "import", "--registry", str(registry.id), str(source)])
    assert result.exit_code == 1
    assert "removed" in result.output
