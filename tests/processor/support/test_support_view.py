"""Staff see participant data only with a ticket and a reason, and the organizer sees that they did."""

from __future__ import annotations

import json

import pytest

from processor.audit import service as audit


def test_support_view_prints_and_logs_for_the_organizer(runner, registry):
    result = runner.invoke(
        args=[
            "support",
            "view",
            "--registry",
            str(registry.id),
            "--ticket",
            "SUP-42",
            "--reason",
            "Participant cannot join the room",
            "--staff",
            "eve",
            "--email",
            "person1@example.org",
        ]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0])["email"] == "person1@example.org"
    (entry,) = audit.list_entries(registry.account_id)
    assert (entry.actor_type, entry.actor, entry.channel, entry.records) == ("staff", "eve", "support", 1)
    assert entry.reason == "ticket SUP-42: Participant cannot join the room"
    assert entry.purpose == "essential.service.operations.support"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--ticket", "", "--reason", "Participant cannot join"], "ticket"),
        (["--ticket", "SUP-1", "--reason", "because"], "reason"),
        (["--ticket", "SUP-1", "--reason", "Participant cannot join", "--fields", "email,secret"], "fields"),
    ],
)
def test_missing_ticket_or_reason_is_refused_and_nothing_is_logged(runner, registry, args, message):
    result = runner.invoke(args=["support", "view", "--registry", str(registry.id), *args])
    assert result.exit_code == 1
    assert message in result.output
    assert audit.list_entries(registry.account_id) == []


def test_unknown_registry_is_refused(runner, app):
    result = runner.invoke(
        args=["support", "view", "--registry", "nope", "--ticket", "SUP-1", "--reason", "Participant cannot join"]
    )
    assert result.exit_code == 1
    assert "No such registry" in result.output
