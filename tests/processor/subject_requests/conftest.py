"""An organizer whose person `grace@example.org` is in three registries, beside other people."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.registries import service as registries
from processor.subject_requests.service import Actor

RECEIVED = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
PERSON = "grace@example.org"
ORGANIZER = Actor("ada", "page")


@pytest.fixture
def organizer(make_account):
    account = make_account("ada")
    account.registries = []
    for number in range(3):
        registry = registries.create_registry(account.id, f"Webinar {number}")
        registries.add_participant(
            registry, {"email": PERSON.upper() if number == 1 else PERSON, "last_name": f"Hopper{number}"}
        )
        registries.add_participant(registry, {"email": f"other{number}@example.org", "last_name": "Other"})
        account.registries.append(registry)
    return account
