"""`/api/v1/subject-requests`: internal services relay, organizer clients list and act; scopes and visibility."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from processor.db_types import utcnow
from tests.processor.subject_requests.conftest import PERSON

BASE = "/api/v1/subject-requests"


def test_an_internal_service_relays_a_request_and_reads_it(client, organizer, make_client):
    _, headers = make_client(scopes="requests:write")
    body = {"registry_id": str(organizer.registries[0].id), "kind": "erasure", "email": PERSON}
    created = client.post(BASE, json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    payload = created.get_json()
    assert payload["status"] == "open" and payload["channel"] == "api"
    assert payload["due_on"] == (utcnow().date() + dt.timedelta(days=30)).isoformat()
    assert PERSON not in created.get_data(as_text=True)
    read = client.get(f"{BASE}/{payload['id']}", headers=headers)
    assert read.status_code == 200 and read.get_json()["steps"][0]["action"] == "received"
    # An internal service relays; carrying out is the organizer's decision.
    assert client.post(f"{BASE}/{payload['id']}/carry-out", json={}, headers=headers).status_code == 403


def test_the_scope_is_required(client, organizer, make_client):
    _, headers = make_client(scopes="participants:read")
    body = {"registry_id": str(organizer.registries[0].id), "kind": "access", "email": PERSON}
    assert client.post(BASE, json=body, headers=headers).status_code == 403


def test_an_organizer_client_lists_and_acts_on_its_own_requests_only(client, organizer, make_client, make_account):
    _, own = make_client(scopes="requests:write", account=organizer)
    stranger = make_account("bob")
    _, other = make_client(scopes="requests:write", account=stranger)
    body = {"registry_id": str(organizer.registries[0].id), "kind": "access", "email": PERSON}
    assert client.post(BASE, json=body, headers=other).status_code == 404
    request_id = client.post(BASE, json=body, headers=own).get_json()["id"]
    assert [r["id"] for r in client.get(BASE, headers=own).get_json()["requests"]] == [request_id]
    assert client.get(BASE, headers=other).get_json()["requests"] == []
    assert client.get(f"{BASE}/{request_id}", headers=other).status_code == 404
    extended = client.post(f"{BASE}/{request_id}/extend", json={"reason": "archives", "months": 2}, headers=own)
    assert extended.status_code == 200 and extended.get_json()["status"] == "extended"
    done = client.post(f"{BASE}/{request_id}/carry-out", json={}, headers=own)
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    again = client.post(f"{BASE}/{request_id}/carry-out", json={}, headers=own)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


def test_a_bad_email_is_a_problem_naming_the_field(client, organizer, make_client):
    _, headers = make_client(scopes="requests:write")
    body = {"registry_id": str(organizer.registries[0].id), "kind": "access", "email": "nobody-at-all"}
    refused = client.post(BASE, json=body, headers=headers)
    assert refused.status_code in (400, 422) and "email" in refused.get_data(as_text=True)
    assert "nobody-at-all" not in refused.get_data(as_text=True)


def test_an_organizer_client_fetches_an_access_download_once(client, organizer, make_client):
    _, own = make_client(scopes="requests:write", account=organizer)
    body = {"registry_id": str(organizer.registries[0].id), "kind": "portability", "email": PERSON}
    request_id = client.post(BASE, json=body, headers=own).get_json()["id"]
    assert client.post(f"{BASE}/{request_id}/carry-out", json={}, headers=own).status_code == 200
    fetched = client.get(f"{BASE}/{request_id}/download", headers=own)
    assert fetched.status_code == 200 and fetched.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(fetched.data)) as archive:
        assert len(json.loads(archive.read("person.json"))["records"]) == 3
    assert client.get(f"{BASE}/{request_id}/download", headers=own).status_code == 409


def test_an_organizer_client_restricts_and_lifts(client, organizer, make_client):
    _, own = make_client(scopes="requests:write", account=organizer)
    body = {"registry_id": str(organizer.registries[0].id), "kind": "objection", "email": PERSON}
    request_id = client.post(BASE, json=body, headers=own).get_json()["id"]
    assert client.post(f"{BASE}/{request_id}/lift", headers=own).status_code == 409  # nothing to lift yet
    assert client.post(f"{BASE}/{request_id}/carry-out", json={}, headers=own).status_code == 200
    lifted = client.post(f"{BASE}/{request_id}/lift", headers=own)
    assert lifted.status_code == 200 and lifted.get_json()["steps"][-1]["action"] == "lifted"
