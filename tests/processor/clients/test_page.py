"""Organizers create clients limited to their registries on a page; the token is shown once."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from processor.accounts.models import Account
from processor.clients import service
from processor.clients.models import ServiceClient
from processor.db_types import utcnow
from processor.extensions import db
from processor.registries import service as registries
from processor.transfers.policy import today

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


def _page(client) -> str:
    return client.get("/clients/").get_data(as_text=True)


def _account(login="ada"):
    return db.session.scalar(sa.select(Account).where(Account.login == login))


def test_purposes_are_plain_language_with_the_code_and_fields_each_may_read(app_ctx, client, auth):
    auth.signup("ada")
    client.post("/clients/", data={**FORM, "purposes": ["essential.service.notifications.email"]})
    page = _page(client)
    # The list shows the plain name with the code beside it, small.
    assert "Emails to participants you ask for" in page
    assert '<small class="code">essential.service.notifications.email</small>' in page
    # The form's checkboxes are labelled in plain words, with what each may read.
    assert re.search(r"<label for=\"purposes-\d+\">Emails to participants you ask for <small", page)
    assert "Reads: email, first name, last name" in page
    assert "essential.service.notifications.email: Invitations" not in page


def test_us_client_without_dpf_is_not_created_without_confirmation(app_ctx, client, auth):
    auth.signup("ada")
    response = client.post("/clients/", data={**FORM, "country": "US"})
    html = response.get_data(as_text=True)
    assert service.list_clients(include_organizers=True) == []
    assert "the client was not created" in html
    assert "dpf-certification-required" in html and "Data Privacy Framework" in html
    assert 'name="create_anyway" value="US"' in html
    assert "ppk_" not in html


def test_confirmation_for_another_country_does_not_create(app_ctx, client, auth):
    auth.signup("ada")
    client.post("/clients/", data={**FORM, "country": "CN", "create_anyway": "US"})
    assert service.list_clients(include_organizers=True) == []


def test_confirmed_us_client_is_created_and_marked_refused_in_the_list(app_ctx, client, auth):
    auth.signup("ada")
    response = client.post("/clients/", data={**FORM, "country": "US", "create_anyway": "US"})
    assert re.search(r"ppk_\w+", response.get_data(as_text=True))
    assert [c.name for c in service.list_clients(include_organizers=True)] == ["my-crm"]
    page = _page(client)
    assert "Calls refused today" in page and "The API refuses this client's calls today." in page
    assert "Data Privacy Framework" in page  # what would make it lawful


def test_us_client_with_a_dpf_attestation_is_created_at_once(app_ctx, client, auth):
    auth.signup("ada")
    data = {**FORM, "country": "US", "attests": "dpf", "attestation_reference": "DPF list entry 12345"}
    response = client.post("/clients/", data=data)
    assert re.search(r"ppk_\w+", response.get_data(as_text=True))
    assert "Calls refused today" not in _page(client)


def test_existing_clients_whose_calls_are_refused_today_are_marked(app_ctx, client, auth):
    auth.signup("ada")
    service.create_client(
        name="old-us", scopes="participants:read", purposes_granted="essential.service", country="US",
        account_id=_account().id, created_by="test",
    )  # fmt: skip
    page = _page(client)
    assert "Calls refused today" in page and "dpf-certification-required" in page


def test_revoke_asks_for_confirmation_on_the_page(app_ctx, client, auth):
    auth.signup("ada")
    client.post("/clients/", data=FORM)
    page = _page(client)
    confirm = re.search(r'<details class="confirm">.*?</details>', page, re.S).group(0)
    assert 'action="/clients/my-crm/revoke"' in confirm and "Yes, revoke my-crm" in confirm
    assert page.count('action="/clients/my-crm/revoke"') == 1  # no one-click form outside the confirmation


def test_token_page_is_not_cached_and_offers_a_copy_button(app_ctx, client, auth):
    auth.signup("ada")
    response = client.post("/clients/", data=FORM)
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert 'data-copy="new-token"' in html and 'role="status"' in html
    assert "/static/clients.js" in html and "<script>" not in html


def test_expiry_and_last_use_are_shown(app_ctx, client, auth):
    auth.signup("ada")
    response = client.post("/clients/", data=FORM)
    token = re.search(r"ppk_\w+", response.get_data(as_text=True)).group(0)
    page = _page(client)
    assert f"In {service.DEFAULT_EXPIRY_DAYS} days" in page
    assert re.search(r"<dt>Last used</dt><dd>Never</dd>", page)
    service.authenticate(f"Bearer {token}")
    assert re.search(r"<dt>Last used</dt><dd><time datetime=", _page(client))
    created = service.list_clients(_account().id)[0]
    db.session.execute(
        sa.update(ServiceClient.__table__).where(ServiceClient.id == created.id).values(expires_at=utcnow())
    )
    db.session.commit()
    assert "Expired on" in _page(client)


def test_expiry_beyond_a_year_is_refused_beside_the_field(app_ctx, client, auth):
    auth.signup("ada")
    late = (today() + dt.timedelta(days=service.MAX_EXPIRY_DAYS + 1)).isoformat()
    response = client.post("/clients/", data={**FORM, "expires_on": late})
    assert response.status_code == 400
    assert 'id="expires_on-error"' in response.get_data(as_text=True)


def test_client_limited_to_a_chosen_registry(app_ctx, client, auth):
    auth.signup("ada")
    spring = registries.create_registry(_account().id, "Spring webinar")
    registries.create_registry(_account().id, "Autumn webinar")
    assert "Autumn webinar" in _page(client)  # offered as a choice
    client.post("/clients/", data={**FORM, "registries": [str(spring.id)]})
    created = service.list_clients(_account().id)[0]
    assert created.registry_ids == {spring.id}
    assert re.search(r"<dt>Registries</dt><dd>Spring webinar</dd>", _page(client))


def test_expiry_field_offers_the_default_day_within_today_to_a_year(app_ctx, client, auth):
    auth.signup("ada")
    default = (today() + dt.timedelta(days=service.DEFAULT_EXPIRY_DAYS)).isoformat()
    latest = (today() + dt.timedelta(days=service.MAX_EXPIRY_DAYS)).isoformat()
    for html in (_page(client), client.post("/clients/", data=FORM).get_data(as_text=True)):
        field = re.search(r'<input[^>]*id="expires_on"[^>]*>', html).group(0)
        assert f'value="{default}"' in field and f'max="{latest}"' in field and 'type="date"' in field
