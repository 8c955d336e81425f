"""Clients are created with essential purposes only, authenticated by token, and revocable."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from processor.clients import service
from processor.clients.models import ServiceClient
from processor.errors import Conflict, ValidationFailed
from processor.extensions import db
from processor.purposes import PurposeRefused

MAILER = {
    "name": "mailer",
    "scopes": "participants:read,messages:send",
    "purposes_granted": "essential.service.notifications.email",
    "country": "DE",
    "created_by": "cli",
}


def test_created_client_stores_only_a_hash_of_its_token(app_ctx):
    client, token = service.create_client(**MAILER)
    stored = db.session.execute(sa.select(ServiceClient.__table__)).one()._mapping
    assert token not in str(dict(stored).values())
    assert stored["token_hash"] != token
    assert service.authenticate(f"Bearer {token}").id == client.id


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer ppk_notatoken", "Bearer ppk_" + "a" * 38])
def test_malformed_or_missing_token_is_unauthenticated(app, header):
    with pytest.raises(service.Unauthenticated) as refused:
        service.authenticate(header)
    assert refused.value.status == 401


def test_well_formed_but_unknown_token_is_unauthenticated(app_ctx):
    from processor.clients import tokens

    with pytest.raises(service.Unauthenticated, match="unknown or revoked"):
        service.authenticate(f"Bearer {tokens.generate()}")


def test_revoked_token_stops_working(app_ctx):
    _, token = service.create_client(**MAILER)
    service.revoke_client("mailer")
    with pytest.raises(service.Unauthenticated):
        service.authenticate(f"Bearer {token}")


@pytest.mark.parametrize("purpose", ["marketing.communications.email", "analytics", "third_party_sharing"])
def test_marketing_analytics_or_sharing_cannot_be_granted(app_ctx, purpose):
    with pytest.raises(PurposeRefused):
        service.create_client(**{**MAILER, "purposes_granted": f"essential.service,{purpose}"})
    assert service.list_clients(include_organizers=True) == []


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": "Not A Name!"}, "name"),
        ({"scopes": ""}, "scopes"),
        ({"scopes": "participants:read,root"}, "scopes"),
        ({"country": "XX"}, "country"),
        ({"purposes_granted": ""}, "purposes"),
        ({"purposes_granted": "essential.nope"}, "purposes"),
    ],
)
def test_bad_input_names_the_field(app, change, field):
    with pytest.raises(ValidationFailed) as invalid:
        service.create_client(**{**MAILER, **change})
    assert field in {e["field"] for e in invalid.value.errors}


def test_organizer_client_cannot_get_the_marketing_audience_scope(app, make_account):
    ada = make_account()
    with pytest.raises(ValidationFailed):
        service.create_client(**{**MAILER, "scopes": "marketing:audience", "account_id": ada.id})


def test_duplicate_name_is_a_conflict(app_ctx):
    service.create_client(**MAILER)
    with pytest.raises(Conflict):
        service.create_client(**MAILER)


def test_organizer_revokes_only_own_clients(app, make_account):
    ada = make_account()
    service.create_client(**MAILER)
    with pytest.raises(service.ClientNotFound):
        service.revoke_client("mailer", account_id=ada.id)
