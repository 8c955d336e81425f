"""Services message participants only with allowed kinds, under the organizer's instruction, by participant id."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from processor.audit import service as audit
from processor.extensions import db
from processor.messaging import service
from processor.messaging.models import OutboxMessage

MAILER = {"scopes": "messages:send", "purposes": "essential.service.notifications.email", "country": "DE"}


def post(client, registry, headers, **body):
    return client.post(f"/api/v1/registries/{registry.id}/messages", json=body, headers=headers)


def outbox_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


@pytest.fixture
def instruction(registry):
    return service.create_instruction(registry, kind="reminder", note="Day before", created_by="owner")


def test_instructed_reminder_is_queued_and_logged(client, make_client, registry, instruction):
    _, headers = make_client(**MAILER)
    recipients = [str(p["id"]) for p in registry.people[:3]]
    response = post(
        client, registry, headers, kind="reminder", instruction_id=str(instruction.id), recipients=recipients
    )
    assert response.status_code == 202
    assert response.get_json()["queued"] == 3
    assert outbox_count() == 3
    entry = audit.list_entries(registry.account_id)[0]
    assert (entry.allowed, entry.records, entry.purpose) == (True, 3, "essential.service.notifications.email")


@pytest.mark.parametrize("kind", ["newsletter", "promotion", "partner_offer", "marketing"])
def test_promotional_kinds_are_refused_and_logged(client, make_client, registry, instruction, kind):
    _, headers = make_client(**MAILER)
    response = post(
        client,
        registry,
        headers,
        kind=kind,
        instruction_id=str(instruction.id),
        recipients=[str(registry.people[0]["id"])],
    )
    assert response.status_code == 403
    assert response.get_json()["rule"] == "no-marketing-to-participants"
    assert outbox_count() == 0
    assert audit.list_entries(registry.account_id)[0].allowed is False


def test_missing_or_foreign_instruction_is_refused(client, make_client, make_account, registry):
    from processor.registries import service as registries

    other = registries.create_registry(registry.account_id, "Another webinar")
    foreign = service.create_instruction(other, kind="reminder", note=None, created_by="owner")
    _, headers = make_client(**MAILER)
    for instruction_id in (uuid.uuid4(), foreign.id):
        response = post(
            client,
            registry,
            headers,
            kind="reminder",
            instruction_id=str(instruction_id),
            recipients=[str(registry.people[0]["id"])],
        )
        assert response.status_code == 403
        assert response.get_json()["rule"] == "organizer-instruction-required"
    assert outbox_count() == 0


def test_kind_must_match_the_instruction(client, make_client, registry, instruction):
    _, headers = make_client(**MAILER)
    response = post(
        client,
        registry,
        headers,
        kind="invitation",
        instruction_id=str(instruction.id),
        recipients=[str(registry.people[0]["id"])],
    )
    assert response.get_json()["rule"] == "instruction-kind-mismatch"


@pytest.mark.parametrize("recipients", [["someone@example.org"], ["person0@example.org"], []])
def test_addresses_or_no_recipients_are_400(client, make_client, registry, instruction, recipients):
    _, headers = make_client(**MAILER)
    response = post(
        client, registry, headers, kind="reminder", instruction_id=str(instruction.id), recipients=recipients
    )
    assert response.status_code == 400
    assert any(e.get("pointer", "").startswith("#/recipients") for e in response.get_json()["errors"])


def test_recipient_outside_the_registry_is_400(client, make_client, registry, instruction):
    _, headers = make_client(**MAILER)
    response = post(
        client,
        registry,
        headers,
        kind="reminder",
        instruction_id=str(instruction.id),
        recipients=[str(registry.people[0]["id"]), str(uuid.uuid4())],
    )
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["pointer"] == "#/recipients/1"
    assert outbox_count() == 0


def test_client_without_the_email_purpose_is_refused(client, make_client, registry, instruction):
    _, headers = make_client(**{**MAILER, "purposes": "essential.service.security"})
    response = post(
        client,
        registry,
        headers,
        kind="reminder",
        instruction_id=str(instruction.id),
        recipients=[str(registry.people[0]["id"])],
    )
    assert response.status_code == 403
    assert response.get_json()["rule"] == "purpose-not-granted"


def test_organizer_client_gives_instructions_platform_client_cannot(client, make_client, registry):
    _, own = make_client(**MAILER, account=registry.owner)
    _, platform = make_client(**MAILER)
    path = f"/api/v1/registries/{registry.id}/instructions"
    created = client.post(path, json={"kind": "invitation"}, headers=own)
    assert created.status_code == 201
    assert client.post(path, json={"kind": "invitation"}, headers=platform).status_code == 403
    assert client.post(path, json={"kind": "newsletter"}, headers=own).status_code == 400
    listed = client.get(path, headers=platform).get_json()
    assert [i["id"] for i in listed] == [created.get_json()["id"]]


def test_organizer_records_an_instruction_on_the_page(client, auth, app_ctx):
    from processor.accounts.service import get_by_login
    from processor.registries import service as registries

    auth.signup("ada")
    registry = registries.create_registry(get_by_login("ada").id, "Webinar")
    response = client.post(f"/registries/{registry.id}/instructions", data={"kind": "follow_up", "note": "thanks"})
    assert response.status_code == 302
    (instruction,) = service.list_instructions(registry)
    assert (instruction.kind, instruction.created_by) == ("follow_up", "ada")
    assert client.post(f"/registries/{registry.id}/instructions", data={"kind": "newsletter"}).status_code == 400
