"""A client limited to chosen registries sees and reaches only those: every API path that takes a registry id
answers 404 for the others, as for another organizer's registry, so their existence is not disclosed."""

from __future__ import annotations

import uuid

import pytest

from processor.clients import service
from processor.clients.models import client_registries
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.registries import service as registries
from tests.processor import people

PURPOSE = "essential.service.notifications.email"


@pytest.fixture
def two(registry):
    """The owner's `registry` (five people) and a second registry of the same owner with one person."""
    other = registries.create_registry(registry.owner.id, "Autumn webinar")
    other.people = [people.add_participant(other, {"email": "x@example.org", "first_name": "X", "last_name": "Y"})]
    return registry, other


def _limited(make_client, owner, allowed, scopes="participants:read,messages:send"):
    return make_client(scopes=scopes, purposes=PURPOSE, account=owner, registries=[allowed.id])


def _calls(registry):
    """(method, path, kwargs) of every API call that names a registry."""
    base, someone = f"/api/v1/registries/{registry.id}", str(registry.people[0]["id"])
    message = {"kind": "invitation", "instruction_id": str(uuid.uuid4()), "recipients": [someone]}
    return [
        ("get", f"{base}/participants", {"query_string": {"purpose": PURPOSE}}),
        ("get", f"{base}/participants/{someone}", {"query_string": {"purpose": PURPOSE}}),
        ("post", f"{base}/participants/search", {"json": {"purpose": PURPOSE, "email": "x@example.org"}}),
        ("get", f"{base}/changes", {"query_string": {"purpose": PURPOSE}}),
        ("get", f"{base}/instructions", {}),
        ("post", f"{base}/instructions", {"json": {"kind": "invitation"}}),
        ("post", f"{base}/messages", {"json": message}),
    ]


def test_limited_client_lists_only_its_registries(client, make_client, two):
    allowed, other = two
    _, headers = _limited(make_client, allowed.owner, allowed)
    listed = client.get("/api/v1/registries", headers=headers).get_json()["registries"]
    assert [r["id"] for r in listed] == [str(allowed.id)]
    _, everything = make_client(scopes="participants:read", purposes=PURPOSE, account=allowed.owner)
    assert {r["id"] for r in client.get("/api/v1/registries", headers=everything).get_json()["registries"]} == {
        str(allowed.id),
        str(other.id),
    }


@pytest.mark.parametrize("call", range(7), ids=["list", "read", "search", "changes", "instr-get", "instr-post", "msg"])
def test_every_registry_path_is_404_outside_the_limit(client, make_client, two, call):
    allowed, other = two
    _, headers = _limited(make_client, allowed.owner, allowed)
    method, path, kwargs = _calls(other)[call]
    response = getattr(client, method)(path, headers=headers, **kwargs)
    assert response.status_code == 404, response.get_json()
    # The same answer as for a registry that does not exist: nothing tells the two apart.
    missing = getattr(client, method)(path.replace(str(other.id), str(uuid.uuid4())), headers=headers, **kwargs)
    assert (missing.status_code, missing.get_json()["detail"]) == (404, response.get_json()["detail"])


@pytest.mark.parametrize("call", [0, 1, 2, 3, 4], ids=["list", "read", "search", "changes", "instr-get"])
def test_reads_inside_the_limit_work(client, make_client, two, call):
    allowed, _ = two
    _, headers = _limited(make_client, allowed.owner, allowed)
    method, path, kwargs = _calls(allowed)[call]
    assert getattr(client, method)(path, headers=headers, **kwargs).status_code == 200


def test_a_limited_client_whose_chosen_registries_are_gone_sees_none(client, make_client, two):
    allowed, other = two
    _, headers = _limited(make_client, allowed.owner, allowed)
    # What deleting the registry leaves behind (its link rows go with it, ON DELETE CASCADE): no links at all.
    db.session.execute(client_registries.delete().where(client_registries.c.registry_id == allowed.id))
    db.session.commit()
    assert client.get("/api/v1/registries", headers=headers).get_json()["registries"] == []
    path = f"/api/v1/registries/{other.id}/participants"
    assert client.get(path, headers=headers, query_string={"purpose": PURPOSE}).status_code == 404


def test_registries_must_be_the_organizers_own(app_ctx, two, make_account):
    allowed, _ = two
    stranger = make_account("stranger")
    with pytest.raises(ValidationFailed) as refused:
        service.create_client(
            name="crm",
            scopes="participants:read",
            purposes_granted=PURPOSE,
            country="DE",
            account_id=stranger.id,
            created_by="test",
            registries=[allowed.id],
        )
    assert {e["field"] for e in refused.value.errors} == {"registries"}


@pytest.mark.parametrize("scope", ["audit:read", "requests:write"])
def test_organizer_wide_scopes_cannot_be_limited(app_ctx, two, scope):
    allowed, _ = two
    with pytest.raises(ValidationFailed) as refused:
        service.create_client(
            name="crm",
            scopes=f"participants:read,{scope}",
            purposes_granted=PURPOSE,
            country="DE",
            account_id=allowed.owner.id,
            created_by="test",
            registries=[allowed.id],
        )
    assert scope in refused.value.errors[0]["detail"]


def test_unknown_registry_id_is_refused(app_ctx, make_account):
    with pytest.raises(ValidationFailed):
        service.create_client(
            name="crm",
            scopes="participants:read",
            purposes_granted=PURPOSE,
            country="DE",
            created_by="cli",
            registries=["not-an-id"],
        )
