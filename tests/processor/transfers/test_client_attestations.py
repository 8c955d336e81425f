"""A service client's attestations decide each read it makes from a scope-limited country, day by day."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.audit import service as audit
from processor.clients import service
from processor.extensions import db
from processor.transfers.attestations import new_attestation

PURPOSE = "essential.service.notifications.email"
MAILER = {"scopes": "participants:read", "purposes": PURPOSE}
TODAY = dt.datetime.now(dt.UTC).date()
DAY = dt.timedelta(days=1)


def read(client, registry, headers):
    return client.get(f"/api/v1/registries/{registry.id}/participants?purpose={PURPOSE}", headers=headers)


def held(kind, start, end=None):
    """Attestation specs (built in the test: an ORM object belongs to one database)."""
    return [(kind, start, end)]


@pytest.mark.parametrize(
    ("country", "attestations", "allowed", "rule"),
    [
        ("JP", [], False, "appi-attestation-required"),
        ("JP", held("appi", TODAY - DAY), True, None),
        ("JP", held("appi", TODAY + DAY), False, "appi-attestation-required"),  # not yet valid
        ("JP", held("appi", TODAY - 9 * DAY, TODAY - DAY), False, "appi-attestation-required"),  # lapsed
        ("JP", held("appi", TODAY - 9 * DAY, TODAY), True, None),  # its last day
        ("CA", held("pipeda", TODAY), True, None),
        ("KR", held("appi", TODAY), False, "pipa-attestation-required"),
        ("US", held("privacy-shield", TODAY), False, "dpf-certification-required"),
        ("US", held("dpf", TODAY), True, None),
    ],
)
def test_each_read_needs_the_attestation_the_clients_country_requires_that_day(
    client, make_client, registry, country, attestations, allowed, rule
):
    records = [new_attestation(kind=k, reference="proof", valid_from=s, valid_to=e, by="t") for k, s, e in attestations]
    _, headers = make_client(**MAILER, country=country, attestations=records)
    response = read(client, registry, headers)
    assert response.status_code == (200 if allowed else 403)
    entry = audit.list_entries(registry.account_id)[0]
    assert (entry.allowed, entry.destination_country) == (allowed, country)
    if rule:
        assert response.get_json()["rule"] == rule


def test_an_organizer_records_an_attestation_with_its_client(app_ctx, client, auth):
    auth.signup("ada")
    form = {
        "name": "tokyo-crm",
        "scopes": ["participants:read"],
        "purposes": ["essential.service.operations"],
        "country": "JP",
        "attests": "appi",
        "attestation_reference": "PPC registration 77",
        "attestation_valid_to": "2030-12-31",
    }
    response = client.post("/clients/", data=form)
    assert response.status_code == 200
    [created] = [c for c in service.list_clients(include_organizers=True) if c.name == "tokyo-crm"]
    [attestation] = created.attestations
    assert (attestation.kind, attestation.reference, attestation.valid_from, attestation.valid_to) == (
        "appi",
        "PPC registration 77",
        TODAY,
        dt.date(2030, 12, 31),
    )
    assert "appi (PPC registration 77)" in client.get("/clients/").get_data(as_text=True)


def test_an_attestation_without_a_reference_is_refused_on_the_page(app_ctx, client, auth):
    auth.signup("ada")
    form = {
        "name": "tokyo-crm",
        "scopes": ["participants:read"],
        "purposes": ["essential.service.operations"],
        "country": "JP",
        "attests": "appi",
    }
    response = client.post("/clients/", data=form, follow_redirects=True)
    assert "Give the reference" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(service.ServiceClient)) == 0
