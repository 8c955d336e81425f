"""Organizers read their own access log through the API with a client of their own."""

from __future__ import annotations

from processor.audit import record_access
from processor.extensions import db


def test_organizer_client_reads_only_its_organizers_entries(client, make_client, make_account):
    ada, bob = make_account("ada"), make_account("bob")
    record_access(
        account_id=ada.id,
        actor_type="client",
        actor="mailer",
        purpose="essential.service",
        fields=("email",),
        records=2,
        channel="api",
    )
    record_access(account_id=bob.id, actor_type="client", actor="other", purpose="essential.service")
    db.session.commit()
    _, headers = make_client(scopes="audit:read", account=ada)
    body = client.get("/api/v1/audit", headers=headers).get_json()
    assert body["intact"] is True
    assert [(e["actor"], e["fields"], e["records"]) for e in body["entries"]] == [("mailer", ["email"], 2)]


def test_platform_client_cannot_read_an_organizers_log(client, make_client):
    _, headers = make_client(scopes="audit:read")
    assert client.get("/api/v1/audit", headers=headers).status_code == 403


def test_bad_limit_is_400_naming_the_parameter(client, make_client, make_account):
    _, headers = make_client(scopes="audit:read", account=make_account())
    body = client.get("/api/v1/audit?limit=9999", headers=headers).get_json()
    assert body["status"] == 400
    assert body["errors"][0]["parameter"] == "limit"
