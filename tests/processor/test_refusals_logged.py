"""Every refused road to a destination or without a scope leaves an entry in the organizer's access log."""

from __future__ import annotations

import pytest

from processor.audit import service as audit
from processor.transfers import subprocessors
from processor.transfers.policy import TransferRefused


def last_entry(account_id):
    return audit.list_entries(account_id, limit=1)[0]


def test_export_to_a_refused_country_is_refused_and_logged(runner, registry, staff_env):
    result = runner.invoke(
        args=["participants", "export", "--registry", str(registry.id), "--destination", "CN"], env=staff_env
    )
    assert result.exit_code == 1
    assert "not-adequate" in result.output or "CN" in result.output
    entry = last_entry(registry.account_id)
    assert (entry.allowed, entry.destination_country, entry.channel) == (False, "CN", "cli")
    assert "export refused" in entry.reason


def test_export_to_the_organizers_own_country_is_allowed_and_logged(runner, registry, staff_env):
    result = runner.invoke(args=["participants", "export", "--registry", str(registry.id)], env=staff_env)
    assert result.exit_code == 0, result.output
    entry = last_entry(registry.account_id)
    assert (entry.allowed, entry.destination_country) == (True, "PL")


def test_a_refused_subprocessor_assignment_appears_in_every_organizers_log(make_account):
    organizers = [make_account("ada"), make_account("bob")]
    with pytest.raises(TransferRefused):
        subprocessors.add_subprocessor(name="Far Mail", purpose="mail delivery", country="CN", by="staff-1")
    for organizer in organizers:
        entry = last_entry(organizer.id)
        assert (entry.allowed, entry.destination_country, entry.actor) == (False, "CN", "staff-1")
        assert "sub-processor assignment refused" in entry.reason


def test_a_missing_scope_on_a_registry_is_logged_for_its_organizer(client, make_client, registry):
    _, headers = make_client(scopes="messages:send", purposes="essential.service.notifications.email", country="DE")
    path = f"/api/v1/registries/{registry.id}/participants?purpose=essential.service.notifications.email"
    assert client.get(path, headers=headers).status_code == 403
    entry = last_entry(registry.account_id)
    assert (entry.allowed, entry.channel) == (False, "api")
    assert "insufficient-scope" in entry.reason
