"""Participants are read only for a granted essential purpose, page by page, sparse, and every read is logged."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from processor.audit import service as audit

MAILER = {"scopes": "participants:read", "purposes": "essential.service.notifications.email", "country": "DE"}
PURPOSE = "essential.service.notifications.email"


def url(registry, **params):
    query = "&".join(f"{k}={v}" for k, v in {"purpose": PURPOSE, **params}.items() if v is not None)
    return f"/api/v1/registries/{registry.id}/participants?{query}"


def entries(registry):
    return list(reversed(audit.list_entries(registry.account_id)))


def test_default_read_hands_out_email_and_names_only_and_logs_it(client, make_client, registry):
    api_client, headers = make_client(**MAILER)
    response = client.get(url(registry), headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["participants"]) == 5
    assert set(body["participants"][0]) == {"id", "updated_at", "email", "first_name", "last_name"}
    (entry,) = entries(registry)
    assert (
        entry.actor,
        entry.purpose,
        entry.field_list,
        entry.records,
        entry.destination_country,
        entry.allowed,
        entry.channel,
    ) == (api_client.name, PURPOSE, ["email", "first_name", "last_name"], 5, "DE", True, "api")


def test_sparse_fields_are_the_only_ones_returned_and_logged(client, make_client, registry):
    _, headers = make_client(**MAILER)
    body = client.get(url(registry, fields="email,last_name"), headers=headers).get_json()
    assert {tuple(sorted(p)) for p in body["participants"]} == {("email", "id", "last_name", "updated_at")}
    assert entries(registry)[-1].field_list == ["email", "last_name"]


@pytest.mark.parametrize("fields", ["email,phone", "company", "first_name,custom_fields,job_title"])
def test_fields_beyond_the_purposes_allow_list_are_refused_naming_them(client, make_client, registry, fields):
    _, headers = make_client(**MAILER)
    response = client.get(url(registry, fields=fields), headers=headers)
    assert response.status_code == 403
    body = response.get_json()
    extra = [f for f in fields.split(",") if f not in ("email", "first_name", "last_name")]
    assert (body["rule"], body["purpose"], body["fields"]) == ("minimum-necessary", PURPOSE, extra)
    assert all(name in body["detail"] for name in [PURPOSE, *extra])
    (entry,) = entries(registry)
    assert (entry.allowed, entry.records) == (False, 0)
    assert entry.reason.startswith("minimum-necessary")


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"fields": "email,password"}, "fields"),
        ({"purpose": None}, "purpose"),
        ({"purpose": "essential.whatever"}, "purpose"),
        ({"page_size": 1001}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page_token": "forged"}, "page_token"),
        ({"updated_since": "2026-01-01T00:00:00"}, "updated_since"),  # no time zone
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, make_client, registry, params, parameter):
    _, headers = make_client(**MAILER)
    query = {"purpose": PURPOSE, **params}
    path = f"/api/v1/registries/{registry.id}/participants?" + "&".join(
        f"{k}={v}" for k, v in query.items() if v is not None
    )
    response = client.get(path, headers=headers)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert parameter in {e.get("parameter") for e in response.get_json()["errors"]}


@pytest.mark.parametrize(
    "purpose, rule",
    [
        ("marketing.communications.email", "no-marketing-on-participant-data"),
        ("analytics.reporting", "no-marketing-on-participant-data"),
        ("third_party_sharing", "no-marketing-on-participant-data"),
        ("essential.service.operations.support", "purpose-not-granted"),
    ],
)
def test_refused_purpose_is_403_naming_the_rule_and_logged(client, make_client, registry, purpose, rule):
    _, headers = make_client(**MAILER)
    response = client.get(url(registry, purpose=purpose), headers=headers)
    assert response.status_code == 403
    assert response.get_json()["rule"] == rule
    (entry,) = entries(registry)
    assert (entry.allowed, entry.purpose, entry.records) == (False, purpose, 0)
    assert entry.reason.startswith(rule)


@pytest.mark.parametrize(
    "country, dpf, allowed", [("US", False, False), ("US", True, True), ("CN", False, False), ("CH", False, True)]
)
def test_each_read_checks_the_transfer_to_the_clients_country(client, make_client, registry, country, dpf, allowed):
    _, headers = make_client(**{**MAILER, "country": country}, dpf_certified=dpf)
    response = client.get(url(registry), headers=headers)
    assert response.status_code == (200 if allowed else 403)
    entry = entries(registry)[-1]
    assert (entry.allowed, entry.destination_country) == (allowed, country)
    if not allowed:
        assert response.get_json()["type"].endswith("transfer-refused")


def test_pages_cover_every_participant_once_with_signed_tokens(client, make_client, registry):
    _, headers = make_client(**MAILER)
    seen, token, pages = [], None, 0
    while True:
        body = client.get(url(registry, page_size=2, page_token=token), headers=headers).get_json()
        seen += [p["id"] for p in body["participants"]]
        pages += 1
        token = body["next_page_token"]
        if not token:
            break
    assert sorted(seen) == sorted(str(p["id"]) for p in registry.people)
    assert pages == 3
    assert [e.records for e in entries(registry)] == [2, 2, 1]


def test_page_token_is_bound_to_its_query(client, make_client, registry):
    _, headers = make_client(**MAILER)
    token = client.get(url(registry, page_size=2), headers=headers).get_json()["next_page_token"]
    other = client.get(url(registry, page_size=2, page_token=token, fields="email"), headers=headers)
    assert other.status_code == 400
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert client.get(url(registry, page_size=2, page_token=tampered), headers=headers).status_code == 400


def search(client, registry, headers, **body):
    return client.post(
        f"/api/v1/registries/{registry.id}/participants/search", json={"purpose": PURPOSE, **body}, headers=headers
    )


def test_exact_email_lookup_finds_one_through_the_blind_index(client, make_client, registry):
    _, headers = make_client(**MAILER)
    body = search(client, registry, headers, email="PERSON3@example.org").get_json()
    assert [p["email"] for p in body["participants"]] == ["person3@example.org"]
    assert search(client, registry, headers, email="nobody@example.org").get_json()["participants"] == []
    assert entries(registry)[-1].records == 0


def test_email_in_the_query_string_is_refused_pointing_to_the_post(client, make_client, registry):
    _, headers = make_client(**MAILER)
    response = client.get(url(registry, email="person3@example.org"), headers=headers)
    assert response.status_code == 400
    body = response.get_json()
    assert "POST" in body["detail"] and "/participants/search" in body["detail"]
    assert "person3" not in response.get_data(as_text=True)
    assert entries(registry) == []


def test_updated_since_is_refused_pointing_to_the_change_feed(client, make_client, registry):
    _, headers = make_client(**MAILER)
    response = client.get(url(registry, updated_since="2026-01-01T00:00:00Z"), headers=headers)
    assert response.status_code == 400
    assert "/changes" in response.get_json()["detail"]


def test_single_participant_read_is_logged(client, make_client, registry):
    _, headers = make_client(**MAILER)
    pid = registry.people[2]["id"]
    body = client.get(
        f"/api/v1/registries/{registry.id}/participants/{pid}?purpose={PURPOSE}&fields=email", headers=headers
    ).get_json()
    assert body == {"id": str(pid), "updated_at": body["updated_at"], "email": "person2@example.org"}
    assert entries(registry)[-1].records == 1
    missing = client.get(
        f"/api/v1/registries/{registry.id}/participants/{uuid.uuid4()}?purpose={PURPOSE}", headers=headers
    )
    assert missing.status_code == 404


def test_another_organizers_registry_is_404_for_an_organizer_client(client, make_client, make_account, registry):
    _, headers = make_client(**MAILER, account=make_account("other"))
    assert client.get(url(registry), headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/registries/{uuid.uuid4()}/participants?purpose={PURPOSE}", headers=headers).status_code
        == 404
    )
    assert client.get("/api/v1/registries", headers=headers).get_json() == {"registries": []}
    assert entries(registry) == []


def test_internal_service_sees_every_registry(client, make_client, registry):
    _, headers = make_client(**MAILER)
    assert [r["id"] for r in client.get("/api/v1/registries", headers=headers).get_json()["registries"]] == [
        str(registry.id)
    ]


def test_every_call_is_logged_and_the_chain_stays_intact(client, make_client, registry):
    _, headers = make_client(**MAILER)
    for params in ({}, {"fields": "email"}, {"purpose": "marketing"}):
        client.get(url(registry, **params), headers=headers)
    search(client, registry, headers, email="person0@example.org")
    assert len(entries(registry)) == 4
    assert audit.verify_account(registry.account_id) is None


def test_fast_page_dump_equals_the_documented_schema():
    from processor.service_api.schemas import ParticipantPageSchema, dump_page

    now = dt.datetime(2026, 11, 22, 12, 0, 0, 123456, tzinfo=dt.UTC)
    page = {
        "participants": [
            {
                "id": uuid.uuid4(),
                "updated_at": now,
                "source": "manual",
                "email": "a@example.org",
                "phone": None,
                "custom_fields": {"team": "blue"},
                "registered_at": now,
                "minutes_attended": 42,
            }
        ],
        "next_page_token": "token",
        "deleted": [{"id": uuid.uuid4(), "deleted_at": now}],
        "unreadable": [{"id": uuid.uuid4(), "updated_at": now, "incident": "0123456789ab"}],
    }
    fields = ["email", "phone", "custom_fields", "registered_at", "minutes_attended"]
    assert dump_page(page, fields) == ParticipantPageSchema().dump(page)


@pytest.mark.parametrize(
    "query",
    [
        "fields=email,first_name",
        "fields=email&fields=first_name",
        "fields=email,first_name&fields=first_name",
    ],
)
def test_fields_comma_separated_or_repeated_give_the_same_fields(client, make_client, registry, query):
    _, headers = make_client()
    body = client.get(f"{url(registry)}&{query}", headers=headers).get_json()
    assert set(body["participants"][0]) == {"id", "updated_at", "email", "first_name"}


def test_an_unknown_field_is_a_readable_sentence_naming_the_parameter(client, make_client, registry):
    _, headers = make_client()
    response = client.get(f"{url(registry)}&fields=email,shoe_size", headers=headers)
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert error["parameter"] == "fields"
    assert error["detail"].startswith("Unknown name shoe_size: choose from email, ")
    assert "{" not in error["detail"]


def test_fields_is_documented_as_one_comma_separated_string(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = spec["paths"]["/api/v1/registries/{registry_id}/participants"]["get"]["parameters"]
    [fields] = [p for p in parameters if p["name"] == "fields"]
    assert fields["schema"]["type"] == "string"
    assert "explode" not in fields
