"""Tokens expire (401 `token-expired`); the last call's time is kept to the minute without a write per request."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from processor.clients import service
from processor.clients.models import ServiceClient
from processor.db_types import utcnow
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.transfers.policy import today

ORGANIZER_CLIENT = {
    "name": "crm",
    "scopes": "participants:read",
    "purposes_granted": "essential.service",
    "country": "DE",
    "created_by": "test",
}


def _set(client, **values):
    db.session.execute(sa.update(ServiceClient.__table__).where(ServiceClient.id == client.id).values(**values))
    db.session.commit()


@pytest.fixture
def updates():
    """Count the UPDATE statements on service_clients that reach the database."""
    seen = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE SERVICE_CLIENTS"):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", count)


def test_organizer_client_expires_after_the_default_days_unless_given(app_ctx, make_account):
    ada = make_account()
    client, _ = service.create_client(**ORGANIZER_CLIENT, account_id=ada.id)
    assert client.last_day == today() + dt.timedelta(days=service.DEFAULT_EXPIRY_DAYS)
    chosen, _ = service.create_client(**{**ORGANIZER_CLIENT, "name": "crm2"}, account_id=ada.id, expires_on=today())
    assert chosen.last_day == today()
    assert chosen.expires_at == dt.datetime.combine(today() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def test_internal_service_client_does_not_expire_unless_asked(app_ctx):
    client, _ = service.create_client(**ORGANIZER_CLIENT)
    assert client.expires_at is None


@pytest.mark.parametrize("days", [-1, service.MAX_EXPIRY_DAYS + 1, 10_000])
def test_expiry_outside_today_to_a_year_is_refused(app_ctx, days):
    with pytest.raises(ValidationFailed) as refused:
        service.create_client(**ORGANIZER_CLIENT, expires_on=today() + dt.timedelta(days=days))
    assert {e["field"] for e in refused.value.errors} == {"expires_on"}


def test_expired_token_is_401_problem_with_its_own_type(client, make_client, make_account, registry):
    api_client, headers = make_client(account=registry.owner)
    assert client.get("/api/v1/registries", headers=headers).status_code == 200
    _set(api_client, expires_at=utcnow() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/registries", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"].endswith("/problems/token-expired")
    assert "expired" in problem["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/problems/token-expired").status_code == 200


def test_token_works_until_the_end_of_its_last_day(app_ctx, make_account):
    client, token = service.create_client(**ORGANIZER_CLIENT, account_id=make_account().id, expires_on=today())
    assert service.authenticate(f"Bearer {token}").id == client.id
    assert client.expired(client.expires_at) and not client.expired(client.expires_at - dt.timedelta(seconds=1))


def test_last_use_is_recorded_once_a_minute_not_on_every_request(client, make_client, registry, updates):
    api_client, headers = make_client(account=registry.owner)
    assert api_client.last_used_at is None
    for _ in range(5):
        assert client.get("/api/v1/registries", headers=headers).status_code == 200
    assert len(updates) == 1
    db.session.expire_all()
    first = db.session.get(ServiceClient, api_client.id).last_used_at
    assert utcnow() - first < dt.timedelta(minutes=1)
    # Once the stored time is older than a minute, the next call writes it again (once).
    _set(api_client, last_used_at=first - dt.timedelta(minutes=2))
    updates.clear()
    for _ in range(3):
        client.get("/api/v1/registries", headers=headers)
    assert len(updates) == 1
    db.session.expire_all()
    assert db.session.get(ServiceClient, api_client.id).last_used_at > first - dt.timedelta(seconds=1)


def test_the_conditional_update_is_a_no_op_when_another_worker_just_wrote(app_ctx, make_account, updates):
    client, _ = service.create_client(**ORGANIZER_CLIENT, account_id=make_account().id)
    now = utcnow()
    _set(client, last_used_at=now)
    # Another worker read the row before that write: its copy still says "never used"; the SQL condition decides.
    service.touch(_Detached(client.id, None), now + dt.timedelta(seconds=30))
    db.session.expire_all()
    assert db.session.get(ServiceClient, client.id).last_used_at == now
    assert len(updates) == 2  # the test's own write, then the other worker's UPDATE that matched no row


class _Detached:
    """What another worker's copy of the row looked like before it was written."""

    def __init__(self, client_id, last_used_at):
        self.id, self.last_used_at = client_id, last_used_at


def test_revoked_or_expired_calls_do_not_record_a_use(client, make_client, registry):
    api_client, headers = make_client(account=registry.owner)
    _set(api_client, expires_at=utcnow() - dt.timedelta(seconds=1))
    client.get("/api/v1/registries", headers=headers)
    db.session.expire_all()
    assert db.session.get(ServiceClient, api_client.id).last_used_at is None
