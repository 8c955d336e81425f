"""A registry with participants, owned by one organizer."""

from __future__ import annotations

import pytest

PEOPLE = [
    {"email": f"person{i}@example.org", "first_name": f"First{i}", "last_name": f"Last{i}",
     "phone": f"+4860000000{i}", "company": f"Company {i}", "country": "PL"}
    for i in range(5)
]


@pytest.fixture
def registry(app, make_account):
    from processor.registries import service

    owner = make_account("owner")
    registry = service.create_registry(owner.id, "Spring webinar")
    registry.people = [service.add_participant(registry, dict(person)) for person in PEOPLE]
    registry.owner = owner
    return registry
