"""Organizers' own views of participant data on the registry pages, and CLI exports, are in the access log."""

from __future__ import annotations

from processor.accounts.service import get_by_login
from processor.audit import service as audit
from processor.registries import service as registries


def _registry_with_one(login="ada"):
    registry = registries.create_registry(get_by_login(login).id, "Webinar")
    person = registries.add_participant(registry, {"email": "grace@example.org", "first_name": "Grace"})
    return registry, person


def test_registry_page_and_email_lookup_are_logged(app_ctx, client, auth):
    auth.signup("ada")
    registry, _ = _registry_with_one()
    client.get(f"/registries/{registry.id}")
    client.get(f"/registries/{registry.id}?email=grace@example.org")
    listed, found = reversed(audit.list_entries(registry.account_id))
    assert (listed.actor_type, listed.actor, listed.channel, listed.records) == ("account", "ada", "web", 1)
    assert "email" in listed.field_list
    assert (found.reason, found.records) == ("email look-up", 1)


def test_opening_a_participant_is_logged(app_ctx, client, auth):
    auth.signup("ada")
    registry, person = _registry_with_one()
    client.get(f"/registries/{registry.id}/participants/{person['id']}")
    (entry,) = audit.list_entries(registry.account_id)
    assert (entry.reason, entry.records, entry.registry_id) == ("participant", 1, registry.id)


def test_cli_export_is_logged_with_a_taxonomy_purpose(runner, make_account, staff_env):
    ada = make_account("ada")
    registry = registries.create_registry(ada.id, "Webinar")
    registries.add_participant(registry, {"email": "grace@example.org"})
    result = runner.invoke(args=["participants", "export", "--registry", str(registry.id)], env=staff_env)
    assert result.exit_code == 0, result.output
    (entry,) = audit.list_entries(ada.id)
    assert (entry.channel, entry.purpose, entry.records) == ("cli", "essential.service", 1)
    assert audit.verify_account(ada.id) is None
