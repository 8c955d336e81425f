"""Staff see participant data only signed in, with a ticket and a reason, never on a held account, and logged."""

from __future__ import annotations

import json

import pytest

from processor.audit import service as audit
from processor.retention import service as retention
from tests.conftest import PASSWORD, fresh_code

REASON = "Participant cannot join the room"


@pytest.fixture
def staff_member(make_staff):
    return make_staff("sam")


def support_view(runner, registry, *extra, login="sam", password=PASSWORD, code=None, env=None):
    args = ["support", "view", "--registry", str(registry.id), "--ticket", "SUP-42", "--reason", REASON, *extra]
    if login:
        args += ["--staff", login]
    return runner.invoke(args=args, input=f"{password}\n{code}\n" if login else None, env=env)


def test_signed_in_staff_see_participants_and_the_organizer_sees_the_access(runner, registry, staff_member):
    result = support_view(runner, registry, "--email", "person1@example.org", code=fresh_code(staff_member))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1])["email"] == "person1@example.org"
    (entry,) = audit.list_entries(registry.account_id)
    assert (entry.actor_type, entry.actor, entry.channel, entry.records) == ("staff", "sam", "support", 1)
    assert entry.reason == f"ticket SUP-42: {REASON}"
    assert entry.purpose == "essential.service.operations.support"


@pytest.mark.parametrize(
    "who",
    ["unknown staff name", "an organizer's login", "wrong password", "wrong code", "no staff at all", "OS user"],
)
def test_anyone_but_a_signed_in_staff_member_is_refused_and_sees_nothing(runner, registry, staff_member, who):
    code = fresh_code(staff_member)
    login, password = {
        "unknown staff name": ("eve", PASSWORD),
        "an organizer's login": ("owner", PASSWORD),
        "wrong password": ("sam", "not the staff password at all"),
        "wrong code": ("sam", PASSWORD),
        "no staff at all": (None, None),
        "OS user": (None, None),
    }[who]
    if who == "wrong code":
        code = f"{(int(code) + 1) % 1_000_000:06d}"
    env = {"USER": "sam", "LOGNAME": "sam"} if who == "OS user" else None
    result = support_view(runner, registry, login=login, password=password, code=code, env=env)
    assert result.exit_code != 0
    assert "person" not in result.stdout
    assert audit.list_entries(registry.account_id) == []


def support_entries(account_id):
    return [e for e in audit.list_entries(account_id) if e.channel == "support"]


def test_a_held_account_is_refused_and_the_refusal_is_logged(runner, registry, staff_member):
    retention.remove_account(registry.owner)
    result = support_view(runner, registry, code=fresh_code(staff_member))
    assert result.exit_code == 1
    assert "held" in result.output and "person" not in result.stdout
    (entry,) = support_entries(registry.account_id)
    assert (entry.allowed, entry.records, entry.actor) == (False, 0, "sam")


def test_a_legal_obligation_on_a_held_account_is_served_and_logged_as_such(runner, registry, staff_member):
    retention.remove_account(registry.owner)
    result = support_view(runner, registry, "--legal-obligation", code=fresh_code(staff_member))
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 5
    (entry,) = support_entries(registry.account_id)
    assert entry.allowed and entry.reason.startswith("legal obligation; ticket SUP-42")


def test_a_staff_client_token_signs_in_and_a_service_token_does_not(runner, registry, make_client):
    _, staff_headers = make_client(kind="staff", name="helpdesk")
    _, service_headers = make_client()
    for headers, ok in ((staff_headers, True), (service_headers, False)):
        token = headers["Authorization"].removeprefix("Bearer ")
        result = support_view(runner, registry, login=None, env={"STAFF_CLIENT_TOKEN": token})
        assert (result.exit_code == 0) is ok, result.output
    (entry,) = audit.list_entries(registry.account_id)
    assert entry.actor == "client:helpdesk"


def test_a_staff_client_has_no_api_scope(client, registry, make_client):
    _, headers = make_client(kind="staff", name="helpdesk")
    response = client.get(f"/api/v1/registries/{registry.id}/participants?purpose=x", headers=headers)
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--ticket", "", "--reason", "Participant cannot join"], "ticket"),
        (["--ticket", "SUP-1", "--reason", "because"], "reason"),
        (["--ticket", "SUP-1", "--reason", "Participant cannot join", "--fields", "email,secret"], "fields"),
    ],
)
def test_missing_ticket_or_reason_is_refused_and_nothing_is_logged(runner, registry, staff_member, args, message):
    result = runner.invoke(
        args=["support", "view", "--registry", str(registry.id), "--staff", "sam", *args],
        input=f"{PASSWORD}\n{fresh_code(staff_member)}\n",
    )
    assert result.exit_code == 1
    assert message in result.output
    assert audit.list_entries(registry.account_id) == []


def test_unknown_registry_is_refused(runner, staff_member):
    result = runner.invoke(
        args=["support", "view", "--registry", "nope", "--ticket", "SUP-1", "--reason", REASON, "--staff", "sam"],
        input=f"{PASSWORD}\n{fresh_code(staff_member)}\n",
    )
    assert result.exit_code == 1
    assert "No such registry" in result.output
