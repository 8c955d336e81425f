"""Fixtures for the API: service clients and their bearer headers."""

from __future__ import annotations

import itertools

import pytest

_names = itertools.count(1)


@pytest.fixture
def make_client(app):
    """Create a service client through the service and return (client, Authorization headers)."""
    from processor.clients import service

    def make(scopes="participants:read", purposes="essential.service", country="DE", account=None, **fields):
        client, token = service.create_client(
            name=fields.pop("name", f"svc-{next(_names)}"), scopes=scopes, purposes_granted=purposes,
            country=country, account_id=account.id if account else None, created_by="test", **fields)
        return client, {"Authorization": f"Bearer {token}"}

    return make
