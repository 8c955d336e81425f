"""Organizers create clients limited to their registries on a page; the token is shown once."""

from __future__ import annotations

import re

from processor.clients import service

FORM = {
    "name": "my-crm",
    "scopes": ["participants:read"],
    "purposes": ["essential.service.operations"],
    "country": "PL",
}


def test_organizer_creates_a_client_and_sees_the_token_once(app_ctx, client, auth):
    auth.signup("ada")
    response = client.post("/clients/", data=FORM)
    assert response.status_code == 200
    token = re.search(r"ppk_\w+", response.get_data(as_text=True)).group(0)
    created = service.authenticate(f"Bearer {token}")
    assert created.account_id is not None and created.name == "my-crm"
    assert token not in client.get("/clients/").get_data(as_text=True)


def test_page_refuses_a_marketing_purpose_beside_the_field(app_ctx, client, auth):
    auth.signup("ada")
    response = client.post("/clients/", data={**FORM, "purposes": ["marketing.advertising"]})
    assert response.status_code == 400
    assert "cannot be granted" in response.get_data(as_text=True)
    assert service.list_clients(include_organizers=True) == []


def test_page_refuses_a_platform_scope(client, auth):
    auth.signup("ada")
    response = client.post("/clients/", data={**FORM, "scopes": ["marketing:audience"]})
    assert response.status_code == 400


def test_organizer_revokes_own_client(client, auth):
    auth.signup("ada")
    client.post("/clients/", data=FORM)
    client.post("/clients/my-crm/revoke")
    assert "revoked" in client.get("/clients/").get_data(as_text=True)


def test_another_organizers_client_cannot_be_revoked(client, auth):
    auth.signup("ada")
    client.post("/clients/", data=FORM)
    auth.logout()
    auth.signup("bob")
    assert client.post("/clients/my-crm/revoke").status_code == 404
