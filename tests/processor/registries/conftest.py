"""Registry fixtures: an organizer with a registry, and a full participant to write."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.registries import service as registries

FULL = {
    "email": "Grace.Hopper@Example.org",
    "first_name": "Grace",
    "last_name": "Hopperowska",
    "phone": "+48 601 234 567",
    "company": "Cobol Krakow Works",
    "job_title": "Rear Admiral of Compilers",
    "country": "Polska",
    "custom_fields": {"Dietary needs": "vegetarian-zzq", "T-shirt": "XL-zzq"},
    "registered_at": "2026-11-20T09:15:00Z",
    "joined_at": "2026-11-21T10:00:00Z",
    "left_at": "2026-11-21T11:07:00Z",
    "lawful_basis": "Consent given on the sign-up page zzq",
}


@pytest.fixture
def organizer(make_account):
    return make_account("ada")


@pytest.fixture
def registry(organizer):
    return registries.create_registry(organizer.id, "Compilers 101", dt.date(2026, 12, 1))


@pytest.fixture
def full():
    return dict(FULL, custom_fields=dict(FULL["custom_fields"]))
