"""Each client has its own rate limit, announced in headers; past it, 429 problem+json."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"}


def test_limit_headers_then_429_problem_per_client(client, make_client, make_account):
    ada = make_account()
    _, first = make_client(scopes="audit:read", account=ada)
    _, second = make_client(scopes="audit:read", account=ada)
    responses = [client.get("/api/v1/audit", headers=first) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0].headers["RateLimit-Limit"] == "3"
    assert responses[1].headers["RateLimit-Remaining"] == "1"
    assert responses[0].headers["RateLimit-Policy"] == "3;w=60"
    assert 0 < int(responses[0].headers["RateLimit-Reset"]) <= 60
    assert not any(name.startswith("X-RateLimit") for name, _ in responses[0].headers.items())
    assert all("Retry-After" not in r.headers for r in responses[:3])  # a success never says "back off"
    limited = responses[3]
    assert limited.mimetype == "application/problem+json"
    assert limited.get_json()["status"] == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["RateLimit-Remaining"] == "0"
    assert limited.get_json()["type"].endswith("/problems/rate-limited")
    assert client.get("/api/v1/audit", headers=second).status_code == 200  # another client's own bucket


def test_public_endpoints_are_limited_per_address_too(client):
    statuses = [client.get("/api/v1/health").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_invalid_tokens_share_their_address_bucket(client):
    """A caller inventing a new token per request still meets the limit of its address."""
    codes = [
        client.get("/api/v1/audit", headers={"Authorization": f"Bearer ppk_invalid{n:040d}"}).status_code
        for n in range(5)
    ]
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]
