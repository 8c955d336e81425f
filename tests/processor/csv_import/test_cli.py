"""`flask participants import`: JSON outcome, row errors, refusals with one line, duplicates, re-import."""

from __future__ import annotations

import json

import pytest

from processor.csv_import import plan
from processor.extensions import db
from processor.registries import service as registries

POLISH = (
    "Imię;Nazwisko;E-mail;Telefon;Firma;Stanowisko;Kraj\r\n"
    "Zażółć;Gęślą-Jaźń;zazolc@example.pl;600 100 200;Łódzkie Webinary;Kierowniczka;Polska\r\n"
    "Świętosław;Źdźbło;swietoslaw@example.pl;;;;PL\r\n"
)


def run_import(runner, registry, path, *args):
    return runner.invoke(args=["participants", "import", "--registry", str(registry.id), str(path), *args])


def test_cp1250_semicolon_file_is_imported_with_polish_letters_intact(runner, registry, write_csv):
    result = run_import(runner, registry, write_csv(POLISH, "cp1250"), "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert (outcome["created"], outcome["updated"], outcome["skipped"], outcome["errors"]) == (2, 0, 0, [])
    assert (outcome["encoding"], outcome["delimiter"]) == ("cp1250", ";")
    assert outcome["mapping"]["Imię"] == "first_name" and outcome["mapping"]["Kraj"] == "country"
    stored = registries.find_by_email(registry, "zazolc@example.pl")
    assert (stored["first_name"], stored["last_name"], stored["company"]) == (
        "Zażółć",
        "Gęślą-Jaźń",
        "Łódzkie Webinary",
    )
    assert (stored["phone"], stored["country"]) == ("+48600100200", "PL")


def test_importing_the_same_file_again_creates_no_duplicates(runner, registry, write_csv):
    path = write_csv(POLISH, "cp1250")
    run_import(runner, registry, path)
    again = json.loads(run_import(runner, registry, path, "--json").stdout)
    assert (again["created"], again["skipped"]) == (0, 2)
    assert len(registries.list_participants(registry)) == 2


def test_row_errors_name_line_column_and_reason_and_the_import_still_runs(runner, registry, write_csv):
    text = (
        "email,first_name,phone\n"
        "ok@example.com,Ala,\n"
        "not-an-email,Ola,12\n"
        "\n"
        "ok@example.com,Ala again,\n"
        "short-row@example.com\n"
    )
    result = run_import(runner, registry, write_csv(text), "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["created"] == 1
    by_line = {}
    for error in outcome["errors"]:
        by_line.setdefault(error["line"], []).append(error)
    assert {e["column"] for e in by_line[3]} == {"email", "phone"}
    assert by_line[5] == [{"line": 5, "column": "email", "reason": "The same email address as line 2 of this file."}]
    assert "header has 3" in by_line[6][0]["reason"]
    assert "not-an-email" not in result.stdout  # reasons never quote the value


def test_dry_run_writes_nothing(runner, registry, write_csv):
    outcome = json.loads(run_import(runner, registry, write_csv(POLISH, "cp1250"), "--dry-run", "--json").stdout)
    assert outcome["created"] == 2
    assert registries.list_participants(registry) == []


@pytest.mark.parametrize(
    ("on_duplicate", "expected_company", "counts"),
    [
        ("skip", "Old Co", (0, 0, 1)),
        ("update", "New Co", (0, 1, 0)),
        ("fail", "Old Co", (0, 0, 0)),
    ],
)
def test_on_duplicate_decides_what_happens_to_existing_participants(
    runner, registry, write_csv, on_duplicate, expected_company, counts
):
    registries.add_participant(registry, {"email": "ala@example.com", "first_name": "Ala", "company": "Old Co"})
    path = write_csv("email,company,phone\nALA@example.com,New Co,\n")
    outcome = json.loads(run_import(runner, registry, path, "--on-duplicate", on_duplicate, "--json").stdout)
    assert (outcome["created"], outcome["updated"], outcome["skipped"]) == counts
    stored = registries.find_by_email(registry, "ala@example.com")
    assert (stored["company"], stored["first_name"]) == (expected_company, "Ala")  # empty cells keep values
    if on_duplicate == "fail":
        assert outcome["errors"][0]["reason"] == "A participant with this email address is already in the registry."


def test_map_option_makes_a_custom_field_and_the_mapping_is_reused_next_time(runner, registry, write_csv):
    first = run_import(
        runner, registry, write_csv("E-mail,Uwagi\na@example.com,VIP\n"), "--map", "Uwagi=custom", "--json"
    )
    assert json.loads(first.stdout)["mapping"] == {"E-mail": "email", "Uwagi": "custom"}
    second = json.loads(run_import(runner, registry, write_csv("e-mail,uwagi\nb@example.com,Gold\n"), "--json").stdout)
    assert second["mapping"] == {"e-mail": "email", "uwagi": "custom"}
    assert registries.find_by_email(registry, "b@example.com")["custom_fields"] == {"uwagi": "Gold"}


def test_a_row_of_ten_thousand_columns_is_a_row_error(runner, registry, write_csv):
    text = "email,name\na@example.com,Ala\n" + ",".join(["x"] * 10_000) + "\n"
    outcome = json.loads(run_import(runner, registry, write_csv(text), "--json").stdout)
    assert outcome["created"] == 1
    assert outcome["errors"][0]["reason"] == "The row has 10,000 fields; at most 100 are allowed."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"email,name\r\n", "header row but no participant rows"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG image"),
        (b"PK\x03\x04" + b"\x00" * 200, "not an Excel workbook (.xlsx) that can be read"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 200, "Save As and pick Excel Workbook (.xlsx) or CSV UTF-8"),
        (b"email," + b"x" * (20 * 1024 * 1024) + b"\n", "Line 1 is longer than"),
        (",".join(f"c{i}" for i in range(10_000)).encode() + b"\nx\n", "header has 10,000 columns"),
        (b"name,company\nAla,Acme\n", "no column is mapped to Email"),
    ],
)
def test_files_that_cannot_be_imported_exit_non_zero_with_a_one_line_reason(
    runner, registry, write_csv, content, message
):
    result = run_import(runner, registry, write_csv(content), "--json")
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert registries.list_participants(registry) == []


def test_unknown_registry_and_bad_options_are_refused(runner, registry, write_csv):
    path = write_csv("email\na@example.com\n")
    result = runner.invoke(args=["participants", "import", "--registry", "nope", str(path)])
    assert result.exit_code != 0 and "No such registry" in result.output
    result = run_import(runner, registry, path, "--map", "Nope=email")
    assert result.exit_code != 0 and "does not have" in result.output
    result = run_import(runner, registry, path, "--encoding", "ebcdic-klingon")
    assert result.exit_code != 0 and "Unknown encoding" in result.output


def test_worker_processes_give_the_same_outcome_as_one_process(app, runner, registry, write_csv, monkeypatch):
    monkeypatch.setattr(plan, "BATCH", 7)  # many batches in flight, so their order matters
    text = "email,first_name,phone\n" + "".join(
        f"p{i}@example.com,Ala{i},{'60010020' + str(i % 10) if i % 3 else 'bad'}\n" for i in range(60)
    )
    text += "p5@example.com,Dup,\n"
    path = write_csv(text)
    serial = json.loads(run_import(runner, registry, path, "--dry-run", "--json", "--strict").stdout)
    app.config.update(IMPORT_PARALLEL_ROWS=1, IMPORT_WORKERS=2)
    parallel = json.loads(run_import(runner, registry, path, "--json", "--strict").stdout)
    assert parallel["errors"] == serial["errors"] and parallel["created"] == serial["created"] == 40
    assert len(registries.list_participants(registry, limit=100)) == 40


def test_duplicates_and_updates_are_decided_alike_across_batches_and_workers(
    app, runner, registry, write_csv, monkeypatch
):
    monkeypatch.setattr(plan, "BATCH", 4)
    registries.add_participant(registry, {"email": "old1@example.com", "first_name": "Old", "company": "Old Co"})
    names = [
        "new0",
        "old1",
        "new2",
        "new0",  # a repeat inside the first batch
        "new4",
        "new0",
        "new2",
        "old1",  # repeats of the first batch's rows, one of them the updated one
        "new8",
        "new8",
        "new8",
        "new11",
    ]  # three times in one batch
    path = write_csv("email,company,Tier\n" + "".join(f"{n}@example.com,Co {i},T{i}\n" for i, n in enumerate(names)))
    args = ("--on-duplicate", "update", "--map", "Tier=custom", "--json")
    serial = json.loads(run_import(runner, registry, path, "--dry-run", *args).stdout)
    app.config.update(IMPORT_PARALLEL_ROWS=1, IMPORT_WORKERS=2)
    parallel = json.loads(run_import(runner, registry, path, *args).stdout)
    firsts = {5: 2, 7: 2, 8: 4, 9: 3, 11: 10, 12: 10}
    assert (
        parallel["errors"]
        == serial["errors"]
        == [
            {"line": line, "column": "email", "reason": f"The same email address as line {first} of this file."}
            for line, first in firsts.items()
        ]
    )
    assert (parallel["created"], parallel["updated"]) == (serial["created"], serial["updated"]) == (5, 1)
    updated = registries.find_by_email(registry, "old1@example.com")
    assert (updated["first_name"], updated["company"], updated["custom_fields"]) == ("Old", "Co 1", {"Tier": "T1"})
    assert registries.find_by_email(registry, "new8@example.com")["custom_fields"] == {"Tier": "T8"}
    db.session.refresh(registry)
    assert registry.custom_field_names == ["Tier"]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("b@example.com,x,unexpected", "The row has 3 fields but the header has 2: a delimiter or quote is misplaced."),
        ("b@example.com", "The row has 1 field but the header has 2: a delimiter or quote is missing."),
    ],
)
def test_ragged_and_over_long_rows_are_row_errors(runner, registry, write_csv, row, reason):
    outcome = json.loads(
        run_import(runner, registry, write_csv(f"email,notes\na@example.com,ok\n{row}\n"), "--json").stdout
    )
    assert outcome["created"] == 1
    assert outcome["errors"] == [{"line": 3, "column": "", "reason": reason}]


def test_trailing_empty_cells_are_not_ragged(runner, registry, write_csv):
    outcome = json.loads(
        run_import(runner, registry, write_csv("email;name\r\na@example.com;Ala;;\r\n"), "--json").stdout
    )
    assert (outcome["created"], outcome["errors"]) == (1, [])


def test_report_option_writes_every_rejected_row_neutralized(runner, registry, write_csv, tmp_path):
    report = tmp_path / "errors.csv"
    path = write_csv("email;note\r\n=1+1;+48\r\nok@example.com;fine\r\n@evil;-2\r\n")
    result = run_import(runner, registry, path, "--report", str(report))
    assert result.exit_code == 0
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Line;Outcome;Column;Reason;email;note"
    assert [line.split(";")[0] for line in lines[1:]] == ["2", "4"]
    assert lines[1].endswith(";'=1+1;'+48") and lines[2].endswith(";'@evil;'-2")


@pytest.mark.parametrize("dry_run", [True, False])
def test_json_lists_every_error_not_only_the_first_hundred(runner, registry, write_csv, monkeypatch, dry_run):
    from processor.csv_import import cli

    real = cli._echo_items
    monkeypatch.setattr(cli, "_echo_items", lambda items: real(items, chunk=64))  # several chunks
    lines = ["E-mail;Imię;Telefon"] + [f"zły-{i};Łucja;{'12' if i % 3 == 0 else ''}" for i in range(250)]
    lines += ["ok@example.pl;Ola;"]
    args = ["--json", "--dry-run"] if dry_run else ["--json"]
    result = run_import(runner, registry, write_csv("\r\n".join(lines) + "\r\n"), *args)
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)  # one valid JSON object
    assert {"created", "updated", "skipped", "errors", "warnings", "encoding", "delimiter", "mapping"} <= outcome.keys()
    assert (outcome["created"], outcome["error_count"]) == (1, 250)
    expected = {(i + 2, "E-mail") for i in range(250)} | {(i + 2, "Telefon") for i in range(0, 250, 3)}
    assert len(outcome["errors"]) == len(expected) == 250 + 84
    assert {(e["line"], e["column"]) for e in outcome["errors"]} == expected
    assert [e["line"] for e in outcome["errors"]] == sorted(e["line"] for e in outcome["errors"])  # file order
    assert all(set(e) == {"line", "column", "reason"} and e["reason"] for e in outcome["errors"])
    assert "zły-" not in result.stdout  # reasons never quote the value


def test_json_with_no_errors_has_an_empty_list(runner, registry, write_csv):
    outcome = json.loads(run_import(runner, registry, write_csv("email\nala@example.com\n"), "--json").stdout)
    assert (outcome["created"], outcome["errors"], outcome["error_count"]) == (1, [], 0)


def test_error_spool_keeps_errors_on_disk_and_gives_them_back_in_order():
    from processor.csv_import.plan import Verdict
    from processor.csv_import.report import ErrorSpool

    spool = ErrorSpool()
    bad = [Verdict(line, ["x"], errors=[{"line": line, "column": "Imię", "reason": "Zły."}]) for line in (2, 3)]
    spool.add([*bad, Verdict(4, ["y"], action="create")])
    assert spool.count == 2
    assert [json.loads(text) for text in spool] == [e for v in bad for e in v.errors]
    spool.close()
