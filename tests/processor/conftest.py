"""Fixtures for the API: service clients with their bearer headers, and a registry with participants."""

from __future__ import annotations

import itertools

import pytest

from tests.processor import people

_names = itertools.count(1)
PEOPLE = [
    {
        "email": f"person{i}@example.org",
        "first_name": f"First{i}",
        "last_name": f"Last{i}",
        "phone": f"+4860000000{i}",
        "company": f"Company {i}",
        "country": "PL",
    }
    for i in range(5)
]


@pytest.fixture
def make_client(app_ctx):
    """Create a service client through the service and return (client, Authorization headers)."""
    from processor.clients import service

    def make(scopes="participants:read", purposes="essential.service", country="DE", account=None, **fields):
        client, token = service.create_client(
            name=fields.pop("name", f"svc-{next(_names)}"),
            scopes=scopes,
            purposes_granted=purposes,
            country=country,
            account_id=account.id if account else None,
            created_by="test",
            **fields,
        )
        return client, {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def registry(app_ctx, make_account):
    """A registry of five participants (`registry.people`), owned by `registry.owner`."""
    from processor.registries import service

    owner = make_account("owner")
    registry = service.create_registry(owner.id, "Spring webinar")
    registry.people = [people.add_participant(registry, dict(person)) for person in PEOPLE]
    registry.owner = owner
    return registry
