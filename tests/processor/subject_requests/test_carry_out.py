"""Carrying out a request reaches every registry the person is in, and only that person."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from processor.messaging import service as messaging
from processor.registries import export
from processor.registries import service as registries
from processor.subject_requests import actions, downloads, service
from processor.transfers import subprocessors
from tests.processor.subject_requests.conftest import ORGANIZER, PERSON, RECEIVED

PURPOSE = "essential.service.notifications.email"


def carried_out(organizer, kind, **changes):
    request = service.create_request(organizer.id, kind=kind, email=PERSON, actor=ORGANIZER, now=RECEIVED)
    return actions.carry_out(request, actor=ORGANIZER, changes=changes or None, now=RECEIVED + dt.timedelta(days=1))


def test_erasure_removes_the_person_from_three_registries_and_the_change_feed_reports_each(
    client, organizer, make_client
):
    _, headers = make_client(purposes=PURPOSE, account=organizer)
    since = (RECEIVED - dt.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    ids = {r.id: registries.find_by_email(r, PERSON)["id"] for r in organizer.registries}
    # A client read the registries first: it is a recipient to tell (Art 19).
    for registry in organizer.registries:
        client.get(f"/api/v1/registries/{registry.id}/participants?purpose={PURPOSE}", headers=headers)
    subprocessors.add_subprocessor(name="Hosting Co", purpose="hosting", country="DE", by="test")
    request = carried_out(organizer, "erasure")
    assert request.status == "done"
    for registry in organizer.registries:
        assert registries.find_by_email(registry, PERSON, include_restricted=True) is None
        assert registries.count_participants(registry) == 1  # the other person stays
        feed = client.get(
            f"/api/v1/registries/{registry.id}/participants?purpose={PURPOSE}&updated_since={since}", headers=headers
        ).get_json()
        assert [d["id"] for d in feed["deleted"]] == [str(ids[registry.id])]
    assert any(name.startswith("svc-") for name in request.recipients)
    assert "Hosting Co (sub-processor)" in request.recipients


def test_access_export_holds_every_registrys_record_and_nothing_of_anyone_else(organizer, app):
    request = carried_out(organizer, "access")
    assert downloads.path_of(request).exists()
    assert PERSON.encode() not in downloads.path_of(request).read_bytes()  # encrypted at rest
    data = actions.fetch_download(request, actor=ORGANIZER, now=RECEIVED + dt.timedelta(days=2))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = json.loads(archive.read("person.json"))
        text = archive.read("person.csv").decode()
    assert sorted(r["last_name"] for r in document["records"]) == ["Hopper0", "Hopper1", "Hopper2"]
    assert {r["registry"] for r in document["records"]} == {"Webinar 0", "Webinar 1", "Webinar 2"}
    assert "other" not in json.dumps(document).lower() and "other" not in text.lower()
    assert text.count("Hopper") == 3
    assert not downloads.path_of(request).exists() and request.download_key is None  # handed out once


@pytest.mark.parametrize(("days", "available"), [(6, True), (7, False)])
def test_the_download_expires_after_7_days_file_and_key(organizer, days, available):
    request = carried_out(organizer, "portability")
    when = RECEIVED + dt.timedelta(days=1 + days)
    assert actions.purge_expired_downloads(when) == (0 if available else 1)
    assert downloads.path_of(request).exists() is available
    assert (request.download_key is not None) is available


def test_a_restricted_person_is_absent_from_api_reads_messages_and_exports_until_lifted(client, organizer, make_client):
    _, headers = make_client(purposes=PURPOSE, scopes="participants:read,messages:send", account=organizer)
    registry = organizer.registries[0]
    person_id = registries.find_by_email(registry, PERSON)["id"]
    request = carried_out(organizer, "restriction")
    base = f"/api/v1/registries/{registry.id}/participants"
    listed = client.get(f"{base}?purpose={PURPOSE}", headers=headers).get_json()["participants"]
    assert [p["email"] for p in listed] == ["other0@example.org"]
    assert client.get(f"{base}?purpose={PURPOSE}&email={PERSON}", headers=headers).get_json()["participants"] == []
    assert client.get(f"{base}/{person_id}?purpose={PURPOSE}", headers=headers).status_code == 404
    instruction = messaging.create_instruction(registry, kind="reminder", note=None, created_by="ada")
    sent = client.post(
        f"/api/v1/registries/{registry.id}/messages",
        json={"kind": "reminder", "instruction_id": str(instruction.id), "recipients": [str(person_id)]},
        headers=headers,
    )
    assert sent.status_code == 400 and "restricted" in sent.get_data(as_text=True)
    out = io.StringIO()
    assert export.write_csv(registry, out) == 1 and PERSON not in out.getvalue()
    # The organizer still sees the row on its own pages.
    assert registries.find_by_email(registry, PERSON, include_restricted=True) is not None
    actions.lift_restriction(request, actor=ORGANIZER)
    assert len(client.get(f"{base}?purpose={PURPOSE}", headers=headers).get_json()["participants"]) == 2


def test_rectification_corrects_every_record_of_the_person(organizer):
    carried_out(organizer, "rectification", last_name="Hopper-Corrected")
    for number, registry in enumerate(organizer.registries):
        assert registries.find_by_email(registry, PERSON)["last_name"] == "Hopper-Corrected"
        assert registries.find_by_email(registry, f"other{number}@example.org")["last_name"] == "Other"


def test_a_done_request_cannot_be_carried_out_again(organizer):
    request = carried_out(organizer, "erasure")
    with pytest.raises(service.RequestRefused, match="done"):
        actions.carry_out(request, actor=ORGANIZER)


def test_the_cli_carries_out_a_decided_request(runner, organizer):
    request = service.create_request(organizer.id, kind="erasure", email=PERSON, actor=ORGANIZER, now=RECEIVED)
    done = runner.invoke(args=["requests", "carry-out", str(request.id), "--now", "2026-03-02"])
    assert done.exit_code == 0 and "erasure: done" in done.output
    shown = runner.invoke(args=["requests", "show", str(request.id)])
    assert "deleted 3 record(s)" in shown.output and PERSON not in shown.output
