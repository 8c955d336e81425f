"""Input the database or the parser cannot take is a 400 or 404 with a pointer, never a 500."""

from __future__ import annotations

import io

import pytest

from processor.registries import service as registries

EXTREME_INSTANTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


@pytest.fixture
def reader(make_client, registry):
    _, headers = make_client(scopes="participants:read,messages:send")
    return headers


@pytest.mark.parametrize("instant", EXTREME_INSTANTS)
def test_api_updated_since_out_of_range_is_400_naming_it(client, reader, registry, instant):
    response = client.get(
        f"/api/v1/registries/{registry.id}/participants",
        query_string={"purpose": "essential.service", "updated_since": instant},
        headers=reader,
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert [e["parameter"] for e in response.get_json()["errors"]] == ["updated_since"]


@pytest.mark.parametrize("instant", EXTREME_INSTANTS)
def test_web_page_cursor_out_of_range_is_400_naming_it(client, auth, app_ctx, instant):
    from processor.accounts.service import find_by_login

    auth.signup()
    registry = registries.create_registry(find_by_login("ada").id, "Webinar")
    response = client.get(f"/registries/{registry.id}", query_string={"after": f"{instant}~{registry.id}"})
    assert response.status_code == 400
    assert "after" in response.get_data(as_text=True)


def test_contract_version_past_any_integer_is_404(client, auth):
    auth.signup()
    assert client.get("/contracts/v99999999999999999999999").status_code == 404
    assert client.get("/contracts/v99999999999999999999999/pdf").status_code == 404


def test_access_log_before_past_any_integer_is_400_naming_it(client, auth):
    auth.signup()
    response = client.get("/access-log/", query_string={"before": "99999999999999999999999"})
    assert response.status_code == 400
    assert "before" in response.get_data(as_text=True)


def test_json_nested_100000_deep_is_400_with_a_pointer(client, reader, registry):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(
        f"/api/v1/registries/{registry.id}/messages", data=body, content_type="application/json", headers=reader
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"][0]["pointer"] == "#"


def test_nul_in_a_json_text_field_is_400_pointing_at_it(client, make_client, make_account, registry):
    _, headers = make_client(scopes="messages:send", account=registry.owner)
    response = client.post(
        f"/api/v1/registries/{registry.id}/instructions", json={"kind": "reminder", "note": "a\x00b"}, headers=headers
    )
    assert response.status_code == 400
    assert [e["pointer"] for e in response.get_json()["errors"]] == ["#/note"]


def test_nul_in_a_query_parameter_is_400_naming_it(client, reader, registry):
    response = client.get(
        f"/api/v1/registries/{registry.id}/participants",
        query_string={"purpose": "essential.service", "email": "a\x00@example.org"},
        headers=reader,
    )
    assert response.status_code == 400
    assert [e["parameter"] for e in response.get_json()["errors"]] == ["email"]


def test_nul_in_a_path_segment_is_400(client, make_client):
    _, headers = make_client(scopes="contracts:read")
    response = client.get("/api/v1/accounts/ada%00/dpa", headers=headers)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["parameter"] == "login"


def test_nul_in_a_web_form_field_is_400(client, auth):
    auth.signup()
    response = client.post("/registries/", data={"name": "Spring\x00webinar"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_mapping_of_a_committed_import_is_not_a_server_error(client, auth, app_ctx):
    from processor.accounts.service import find_by_login
    from processor.csv_import import service

    auth.signup()
    account = find_by_login("ada")
    registry = registries.create_registry(account.id, "Webinar")
    imp = service.start(account, registry, io.BytesIO(b"email\nzaneta@example.pl\n"))
    service.plan(imp, account)
    service.commit(imp, account)
    response = client.get(f"/imports/{imp.id}/mapping")
    assert response.status_code == 409
    assert "committed" in response.get_data(as_text=True)


def test_a_bad_list_item_is_a_sentence_pointing_at_the_item(client, reader, registry):
    body = {"kind": "reminder", "instruction_id": str(registry.id), "recipients": [str(registry.id), "not-an-id"]}
    response = client.post(f"/api/v1/registries/{registry.id}/messages", json=body, headers=reader)
    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {"detail": "Not a valid UUID.", "location": "json", "pointer": "#/recipients/1"}
    ]
