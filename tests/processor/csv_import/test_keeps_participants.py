"""Every participant is kept: multi-line values, bad optional values as warnings (unless --strict), unmapped
cells never checked or stored, a file without a header row, a Zoom report, an Excel workbook."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
import sqlalchemy as sa

from processor.csv_import import files, service
from processor.csv_import.detect import FileRefused
from processor.extensions import db
from tests.processor import people
from tests.processor.csv_import.test_quotes_and_layouts import ZOOM_ATTENDEE_REPORT


def run_import(runner, registry, path, *args):
    return runner.invoke(args=["participants", "import", "--registry", str(registry.id), str(path), *args])


def outcome_of(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_multi_line_company_job_title_and_answer_are_stored_exactly_and_shown_with_their_breaks(
    runner, registry, write_csv, client, auth
):
    path = write_csv(
        "email,first_name,company,job_title,What would you like to learn?\r\n"
        'a@example.com,Ala,"Acme Sp. z o.o.\r\nR&D","Head of\tData","1. GDPR\n2. transfers"\r\n'
    )
    outcome = outcome_of(run_import(runner, registry, path, "--json", "--map", "What would you like to learn?=custom"))
    assert (outcome["created"], outcome["errors"], outcome["warnings"]) == (1, [], [])
    stored = people.find_by_email(registry, "a@example.com")
    assert (stored["company"], stored["job_title"]) == ("Acme Sp. z o.o.\r\nR&D", "Head of\tData")
    assert stored["custom_fields"] == {"What would you like to learn?": "1. GDPR\n2. transfers"}
    auth.login()
    page = client.get(f"/registries/{registry.id}").get_data(as_text=True)
    assert 'class="multiline">Acme Sp. z o.o.\r\nR&amp;D</td>' in page


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("a@example.com,Ala\nNowak,", "first_name"),  # names stay single-line
        ("a\n@example.com,Ala,", "email"),
    ],
)
def test_names_and_email_stay_single_line(runner, registry, write_csv, row, column):
    quoted = ",".join(f'"{cell}"' for cell in row.split(","))
    outcome = outcome_of(run_import(runner, registry, write_csv(f"email,first_name,phone\n{quoted}\n"), "--json"))
    problems = outcome["warnings"] + outcome["errors"]
    assert [p["column"] for p in problems] == [column]
    assert "line breaks" in problems[0]["reason"]


def test_a_bad_phone_imports_the_participant_with_a_warning_and_strict_rejects_it(
    runner, registry, write_csv, tmp_path
):
    path = write_csv("email;first_name;phone\r\nok@example.com;Ala;+48 600 100 200\r\nbad@example.com;Ola;12\r\n")
    report = tmp_path / "report.csv"
    outcome = outcome_of(run_import(runner, registry, path, "--json", "--dry-run", "--report", str(report)))
    assert (outcome["created"], outcome["error_count"], outcome["warning_count"]) == (2, 0, 1)
    assert outcome["warnings"] == [
        {"line": 3, "column": "phone", "reason": "Not a valid phone number for its country."}
    ]
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith("3;imported, value left empty;phone;phone: Not a valid phone number")

    strict = outcome_of(run_import(runner, registry, path, "--json", "--strict"))
    assert (strict["created"], strict["error_count"], strict["warnings"]) == (1, 1, [])
    assert strict["errors"] == [{"line": 3, "column": "phone", "reason": "Not a valid phone number for its country."}]

    outcome = outcome_of(run_import(runner, registry, path, "--json"))
    assert (outcome["created"], outcome["skipped"], outcome["warning_count"]) == (1, 1, 1)
    ola = people.find_by_email(registry, "bad@example.com")
    assert (ola["first_name"], ola["phone"]) == ("Ola", None)


def test_a_long_cell_in_a_column_not_imported_does_not_reject_the_row(runner, registry, write_csv):
    path = write_csv(f"email,notes\na@example.com,{'x' * 5000}\n")
    outcome = outcome_of(run_import(runner, registry, path, "--json"))
    assert (outcome["created"], outcome["errors"]) == (1, [])
    strict = outcome_of(run_import(runner, registry, path, "--json", "--strict", "--map", "notes=custom"))
    assert strict["errors"][0]["reason"] == "The field in column 'notes' is longer than 1,000 characters."


def test_a_file_without_a_header_keeps_its_first_row_as_an_encrypted_participant(app, organizer, registry):
    data = b"first@example.com,Pierwsza,+48 600 100 200,Tajna Firma\nsecond@example.com,Druga,,\n"
    imp = service.start(organizer, registry, io.BytesIO(data), file_name="list.csv")
    assert (imp.header_row, imp.header) == (False, ["Column 1", "Column 2", "Column 3", "Column 4"])
    assert imp.mapping == ["email", "ignore", "ignore", "ignore"]
    service.change_options(imp, organizer, mapping=["email", "first_name", "phone", "company"], on_duplicate="skip")
    service.plan(imp, organizer)
    assert (imp.created, imp.errors) == (2, 0)
    service.commit(imp, organizer)
    assert people.find_by_email(registry, "first@example.com")["company"] == "Tajna Firma"
    for table in ("imports", "import_mappings", "participants"):
        raw = repr(db.session.execute(sa.text(f"SELECT * FROM {table}")).all())  # noqa: S608 (fixed names)
        for secret in ("first@example.com", "Pierwsza", "600 100 200", "Tajna"):
            assert secret not in raw, (table, secret)


def test_a_zoom_attendee_report_imports_its_attendees_only(app, organizer, registry):
    imp = service.start(organizer, registry, io.BytesIO(ZOOM_ATTENDEE_REPORT.encode()), file_name="report.csv")
    assert (imp.layout, imp.skip_lines) == ("zoom_attendee", 10)
    service.plan(imp, organizer)
    assert (imp.created, imp.errors, imp.warnings) == (2, 0, 0)
    service.commit(imp, organizer)
    emails = sorted(p["email"] for p in people.list_participants(registry))
    assert emails == ["ala@example.com", "ola@example.com"]  # not the host, not "Other Attended"
    assert people.find_by_email(registry, "ala@example.com")["minutes_attended"] == 90


def test_cp1252_file_under_a_polish_account_can_be_switched_to_cp1252(app, organizer, registry):
    data = "email,company\na@example.com,Crêperie Hélène\n".encode("cp1252")
    imp = service.start(organizer, registry, io.BytesIO(data))
    assert imp.encoding == "cp1250"
    (alternative,) = service.encoding_alternatives(imp)
    assert alternative["words"][0] == ("Cręperie", "Crêperie")
    service.change_options(imp, organizer, mapping=imp.mapping, on_duplicate="skip", encoding="cp1252")
    assert service.preview(imp, organizer)[0]["values"]["company"] == "Crêperie Hélène"


def workbook_bytes(rows, sheets=("Participants",)) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = sheets[0]
    for row in rows:
        book.active.append(row)
    for name in sheets[1:]:
        sheet = book.create_sheet(name)
        sheet.append(["email"])
        sheet.append([f"{name.lower()}@example.com"])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


WORKBOOK_ROWS = [
    ["Email", "First name", "Company", "Phone", "Minutes attended"],
    ["ala@example.com", "Ala", "Acme\nR&D", "+48600100200", 90],
    [None, None, None, None, None],
    ["ola@example.com", "Ola", None, "12", 15.0],
    ["not-an-email", "X", None, None, None],
]


def test_an_xlsx_workbook_goes_through_mapping_dry_run_warnings_and_commit(app, organizer, registry):
    imp = service.start(organizer, registry, io.BytesIO(workbook_bytes(WORKBOOK_ROWS)), file_name="list.xlsx")
    assert (imp.file_kind, imp.sheet, imp.encoding) == ("xlsx", "Participants", "utf-8")
    assert imp.mapping == ["email", "first_name", "company", "phone", "minutes_attended"]
    assert b"ala@example.com" not in files.upload_path(imp).read_bytes()  # kept encrypted like a CSV upload
    service.plan(imp, organizer)
    assert (imp.created, imp.errors, imp.warnings) == (2, 1, 1)
    assert [(w["line"], w["column"]) for w in imp.first_warnings] == [(4, "Phone")]  # the sheet's row numbers
    assert imp.first_errors[0]["line"] == 5
    service.commit(imp, organizer)
    ala = people.find_by_email(registry, "ala@example.com")
    assert (ala["company"], ala["minutes_attended"]) == ("Acme\nR&D", 90)


def test_cli_imports_a_chosen_sheet_and_refuses_an_xls(runner, registry, write_csv):
    data = workbook_bytes([["email"], ["first@example.com"]], sheets=("Summary", "Second"))
    outcome = outcome_of(run_import(runner, registry, write_csv(data, name="book.xlsx"), "--json", "--sheet", "Second"))
    assert outcome["created"] == 1
    assert people.find_by_email(registry, "second@example.com") is not None
    result = run_import(runner, registry, write_csv(data, name="b.xlsx"), "--json", "--sheet", "Nope")
    assert result.exit_code != 0 and "no sheet of that name" in result.output
    outcome = outcome_of(run_import(runner, registry, write_csv(data, name="c.xlsx"), "--json"))
    assert outcome["created"] == 1  # the first sheet by default
    assert people.find_by_email(registry, "first@example.com") is not None
    result = run_import(runner, registry, write_csv(b"\xd0\xcf\x11\xe0" + b"\0" * 100, name="old.xls"))
    assert result.exit_code != 0 and "Save As" in result.output


def test_an_oversized_workbook_is_refused(app, organizer, registry):
    app.config["IMPORT_MAX_BYTES"] = 100
    with pytest.raises(FileRefused, match="larger than"):
        service.start(organizer, registry, io.BytesIO(workbook_bytes(WORKBOOK_ROWS)))


def test_another_sheet_of_an_uploaded_workbook_can_be_chosen_on_the_mapping_page(app, organizer, registry):
    data = workbook_bytes(WORKBOOK_ROWS, sheets=("Participants", "Late"))
    imp = service.start(organizer, registry, io.BytesIO(data), file_name="list.xlsx")
    assert (imp.sheet, imp.sheets) == ("Participants", ["Participants", "Late"])
    assert b"late@example.com" not in files.workbook_path(imp).read_bytes()  # the workbook is kept encrypted
    service.change_sheet(imp, organizer, "Late")
    assert (imp.sheet, imp.header, imp.mapping) == ("Late", ["email"], ["email"])
    service.plan(imp, organizer)
    service.commit(imp, organizer)
    assert [p["email"] for p in people.list_participants(registry)] == ["late@example.com"]
    assert not files.workbook_path(imp).exists()  # deleted with the upload after the commit
