"""The wizard's service: upload kept encrypted, dry run, commit exactly the plan, all or nothing, the error file."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from processor import jobs
from processor.csv_import import files, plan, run, service, vault
from processor.csv_import.detect import FileRefused
from processor.errors import Conflict
from processor.extensions import db
from processor.registries import service as registries
from tests.processor import people as stored

ROWS = 25


def people(count=ROWS, extra=""):
    lines = ["E-mail;Imię;Nazwisko;Uwagi"]
    lines += [f'osoba{i}@example.pl;Łucja{i};Żak;=HYPERLINK("http://evil")' for i in range(count)]
    return ("\r\n".join(lines) + "\r\n" + extra).encode("cp1250")


def start(organizer, registry, data, **options):
    return service.start(organizer, registry, io.BytesIO(data), **options)


def test_upload_is_stored_encrypted_and_detected(app, organizer, registry):
    imp = start(organizer, registry, people())
    assert (imp.encoding, imp.delimiter, imp.status) == ("cp1250", ";", "uploaded")
    assert imp.header == ["E-mail", "Imię", "Nazwisko", "Uwagi"]
    assert imp.mapping == ["email", "first_name", "last_name", "ignore"]
    stored = files.upload_path(imp).read_bytes()
    assert b"osoba1@example.pl" not in stored and "Łucja".encode("cp1250") not in stored


def test_unimportable_upload_leaves_no_file_and_no_record(app, organizer, registry):
    with pytest.raises(FileRefused, match="PNG"):
        start(organizer, registry, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert list(files.folder().iterdir()) == []
    assert service.list_imports(organizer.id) == []


def test_upload_over_the_size_limit_is_refused_before_detection(app, organizer, registry):
    app.config["IMPORT_MAX_BYTES"] = 1000
    with pytest.raises(FileRefused, match="larger than"):
        start(organizer, registry, people(100))
    assert list(files.folder().iterdir()) == []


def test_dry_run_then_commit_executes_the_plan_and_keeps_only_the_error_file(app, organizer, registry):
    imp = start(organizer, registry, people(extra="zly-adres;Jan;Kowalski;x\r\n"))
    service.plan(imp, organizer)
    assert (imp.status, imp.created, imp.errors, imp.rows_total) == ("planned", ROWS, 1, ROWS + 1)
    assert stored.list_participants(registry) == []
    assert imp.first_errors == [{"line": ROWS + 2, "column": "E-mail", "reason": imp.first_errors[0]["reason"]}]
    service.commit(imp, organizer)
    assert (imp.status, imp.created) == ("committed", ROWS)
    assert len(stored.list_participants(registry, limit=1000)) == ROWS
    assert not files.upload_path(imp).exists()
    with files.open_report(imp) as stream:
        rows = list(csv.reader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""), delimiter=";"))
    assert rows[0] == ["Line", "Outcome", "Column", "Reason", "E-mail", "Imię", "Nazwisko", "Uwagi"]
    assert rows[1][:5] == [str(ROWS + 2), "rejected", "E-mail", rows[1][3], "zly-adres"]


def test_error_file_neutralizes_formulas(app, organizer, registry):
    data = b"email;note\r\nbad;=1+2\r\n-5@;@SUM(A1)\r\nx;\tTAB\r\n"
    imp = start(organizer, registry, data)
    service.plan(imp, organizer)
    with files.open_report(imp) as stream:
        rows = list(csv.reader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""), delimiter=";"))
    cells = [cell for row in rows[1:] for cell in row[4:]]
    assert cells == ["bad", "'=1+2", "'-5@", "'@SUM(A1)", "x", "'\tTAB"]


def test_saved_mapping_is_reused_for_the_same_header(app, organizer, registry):
    imp = start(organizer, registry, people())
    service.change_options(imp, organizer, mapping=["email", "first_name", "last_name", "custom"], on_duplicate="skip")
    again = start(organizer, registry, people(3))
    assert again.mapping == ["email", "first_name", "last_name", "custom"]


def test_commit_refuses_when_the_registry_changed_since_the_dry_run(app, organizer, registry):
    imp = start(organizer, registry, people())
    service.plan(imp, organizer)
    stored.add_participant(registry, {"email": "osoba3@example.pl"})
    with pytest.raises(run.PlanChanged):
        service.commit(imp, organizer)
    assert len(stored.list_participants(registry)) == 1


def test_commit_refuses_a_file_changed_since_the_dry_run(app, organizer, registry):
    imp = start(organizer, registry, people())
    service.plan(imp, organizer)
    with vault.create_encrypted(files.upload_path(imp), imp.file_key) as out:
        out.write(people(3))
    with pytest.raises(run.FileChanged):
        service.commit(imp, organizer)
    assert stored.list_participants(registry) == []


def test_a_failure_midway_leaves_the_registry_unchanged(app, organizer, registry, monkeypatch):
    stored.add_participant(registry, {"email": "before@example.pl", "first_name": "Before"})
    imp = start(organizer, registry, people(ROWS))
    service.plan(imp, organizer)
    monkeypatch.setattr(plan, "BATCH", 5)
    calls = []
    real = registries.write_participants

    def fail_on_third_batch(connection, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real(connection, *args, **kwargs)

    monkeypatch.setattr(registries, "write_participants", fail_on_third_batch)
    with pytest.raises(RuntimeError):
        service.commit(imp, organizer)
    db.session.rollback()
    emails = {p["email"] for p in stored.list_participants(registry, limit=1000)}
    assert emails == {"before@example.pl"}
    assert db.session.scalar(sa.text("SELECT status FROM imports")) == "planned"
    monkeypatch.setattr(registries, "write_participants", real)
    service.commit(imp, organizer)
    assert len(stored.list_participants(registry, limit=1000)) == ROWS + 1


def test_steps_out_of_order_are_refused(app, organizer, registry):
    imp = start(organizer, registry, people())
    with pytest.raises(Conflict):
        service.commit(imp, organizer)
    service.discard(imp)
    assert not files.upload_path(imp).exists() and imp.file_key is None
    with pytest.raises(Conflict, match="deleted"):
        service.plan(imp, organizer)


def test_another_organizers_import_is_not_found(app, organizer, registry, make_account):
    imp = start(organizer, registry, people())
    other = make_account("bob")
    with pytest.raises(service.ImportNotFound):
        service.get_import(other.id, imp.id)


ZOOM_ATTENDEES = (
    "Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time,Approval Status,Join Time,"
    "Leave Time,Time in Session (minutes),Country/Region Name\r\n"
    'Yes,Ala Nowak,Ala,Nowak,ala@example.com,"Nov 20, 2026 09:15:42",approved,11/22/2026 10:00:00 AM,'
    "11/22/2026 11:30:00 AM,90,Poland\r\n"
    'Yes,Bob Smith,Bob,Smith,bob@example.com,"Nov 21, 2026 04:05 PM",approved,11/22/2026 01:02:03 PM,'
    "11/22/2026 01:32:03 PM,30,United States\r\n"
    'No,Ola Lis,Ola,Lis,ola@example.com,"Nov 21, 2026 08:00:00",approved,--,--,--,Poland\r\n'
    'Yes,Ewa Kot,Ewa,Kot,ewa@example.com,"Nov 21, 2026 08:00:00",approved,12/11/2026 10:00:00 AM,'
    "12/11/2026 10:10:00 AM,10,Poland\r\n"
)


def test_a_zoom_attendee_report_is_imported_with_its_times(app, organizer, registry):
    imp = start(organizer, registry, ZOOM_ATTENDEES.encode())
    assert imp.mapping == [
        "ignore",
        "ignore",
        "first_name",
        "last_name",
        "email",
        "registered_at",
        "ignore",
        "joined_at",
        "left_at",
        "minutes_attended",
        "country",
    ]
    service.plan(imp, organizer)
    assert (imp.created, imp.errors, imp.warnings) == (4, 0, 1)
    # 12/11 is 11 December in Zoom's US order but 12 November in Europe: left empty with a warning, never guessed
    assert [(e["line"], e["column"]) for e in imp.first_warnings] == [(5, "Join Time"), (5, "Leave Time")]
    assert "either way round" in imp.first_warnings[0]["reason"]
    assert "12/11/2026" not in imp.first_warnings[0]["reason"]  # reasons never quote the value
    service.commit(imp, organizer)
    ala = stored.find_by_email(registry, "ala@example.com")
    assert ala["registered_at"] == dt.datetime(2026, 11, 20, 9, 15, 42, tzinfo=dt.UTC)  # no zone given: UTC
    assert (ala["joined_at"], ala["left_at"]) == (
        dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 22, 11, 30, tzinfo=dt.UTC),
    )
    assert (ala["minutes_attended"], ala["country"]) == (90, "PL")
    bob = stored.find_by_email(registry, "bob@example.com")
    assert bob["registered_at"] == dt.datetime(2026, 11, 21, 16, 5, tzinfo=dt.UTC)
    assert bob["joined_at"] == dt.datetime(2026, 11, 22, 13, 2, 3, tzinfo=dt.UTC)
    ola = stored.find_by_email(registry, "ola@example.com")  # registered, did not attend: Zoom's "--"
    assert (ola["joined_at"], ola["left_at"], ola["minutes_attended"]) == (None, None, None)


def test_the_hourly_purge_job_deletes_expired_files_and_listing_imports_writes_nothing(app, organizer, registry):
    imp = start(organizer, registry, people())
    imp.created_at = imp.created_at - dt.timedelta(hours=25)
    db.session.commit()
    assert service.list_imports(organizer.id) == [imp]
    assert files.upload_path(imp).exists() and imp.file_key is not None  # a page read does no purge work
    job = jobs.enqueue("imports.purge")  # what the queue's scheduler enqueues hourly (run inline in tests)
    assert (job.status, job.result) == ("done", {"purged": 1, "exports_purged": 0})
    db.session.refresh(imp)
    assert imp.file_key is None and not files.upload_path(imp).exists()
