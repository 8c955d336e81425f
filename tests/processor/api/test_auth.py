"""API clients authenticate with bearer tokens; scopes and per-client rate limits apply."""

from __future__ import annotations

import pytest

from processor.clients import service, tokens


def test_missing_token_is_401_problem_with_bearer_challenge(client):
    response = client.get("/api/v1/audit")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nope", "Basic dXNlcjpwYXNz", f"Bearer {tokens.generate()}"])
def test_unknown_token_is_401(client, header):
    assert client.get("/api/v1/audit", headers={"Authorization": header}).status_code == 401


def test_revoked_token_is_401(client, make_client, make_account):
    api_client, headers = make_client(scopes="audit:read", account=make_account())
    assert client.get("/api/v1/audit", headers=headers).status_code == 200
    service.revoke_client(api_client.name)
    assert client.get("/api/v1/audit", headers=headers).status_code == 401


def test_missing_scope_is_403_naming_the_scope(client, make_client, make_account):
    _, headers = make_client(scopes="participants:read", account=make_account())
    response = client.get("/api/v1/audit", headers=headers)
    assert response.status_code == 403
    assert response.get_json()["required_scopes"] == ["audit:read"]


def test_openapi_declares_bearer_security(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["paths"]["/api/v1/audit"]["get"]["security"] == [{"bearerAuth": []}]
