"""GET /api/v1/accounts/{login}/dpa: internal services read whether an agreement is in force or due."""

from __future__ import annotations

import itertools

import pytest

from contracts import evidence, service
from processor.accounts import service as accounts
from processor.clients import service as clients

_names = itertools.count(1)


def bearer(scopes="contracts:read", account=None) -> dict:
    _, token = clients.create_client(
        name=f"svc-{next(_names)}",
        scopes=scopes,
        purposes_granted="essential.service",
        country="DE",
        account_id=account.id if account else None,
        created_by="test",
    )
    return {"Authorization": f"Bearer {token}"}


def test_account_without_agreement_is_none(client, organizer):
    body = client.get("/api/v1/accounts/zofia/dpa", headers=bearer()).get_json()
    assert body == {
        "login": "zofia",
        "status": "none",
        "latest_version": None,
        "in_force": False,
        "in_force_version": None,
        "in_force_since": None,
        "template_version": None,
        "new_version_offered": False,
        "changes": [],
    }


def test_signed_agreement_is_in_force_and_a_title_change_offers_a_new_version(client, organizer, details, registry):
    agreement = service.prepare(organizer, details)
    evidence.sign_electronically(organizer, 1, signer_name="Z", signer_role="R", consent=True, ip="", user_agent="")
    headers = bearer()
    body = client.get("/api/v1/accounts/zofia/dpa", headers=headers).get_json()
    assert (body["status"], body["in_force"], body["in_force_version"]) == ("countersigned", True, 1)
    assert body["template_version"] == agreement.template_version and body["in_force_since"].endswith("+00:00")
    accounts.update_settings(
        organizer, email=organizer.email, first_name="Z", last_name="Ż", title="Nowy", country="PL"
    )
    body = client.get("/api/v1/accounts/zofia/dpa", headers=headers).get_json()
    assert body["in_force"] and body["new_version_offered"] and body["changes"] == ["your account title"]


def test_unknown_login_is_problem_json_404(client, app_ctx):
    response = client.get("/api/v1/accounts/nobody/dpa", headers=bearer())
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer ppk_not-a-token"}, 401),
        ("wrong-scope", 403),
        ("organizer-client", 403),
    ],
)
def test_only_internal_services_with_the_scope_may_read(client, organizer, headers, status):
    if headers == "wrong-scope":
        headers = bearer("audit:read")
    elif headers == "organizer-client":
        headers = bearer("audit:read", account=organizer)
    response = client.get("/api/v1/accounts/zofia/dpa", headers=headers)
    assert response.status_code == status and response.mimetype == "application/problem+json"


def test_status_endpoint_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/accounts/{login}/dpa" in spec["paths"]
