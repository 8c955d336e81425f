"""`flask registries create` and `flask participants export`."""

from __future__ import annotations

import csv
import io
import json

import pytest

from processor import jobs
from processor.audit.service import list_entries
from processor.csv_import.vault import VaultError
from processor.registries import export_jobs
from processor.registries import service as registries
from tests.processor import people


def test_create_prints_the_new_registry_id_last(runner, organizer):
    result = runner.invoke(
        args=["registries", "create", "--account", "ada", "--name", "Launch", "--webinar-date", "2026-12-24"]
    )
    assert result.exit_code == 0, result.output
    registry_id = result.output.strip().splitlines()[-1]
    registry = registries.get_registry(organizer.id, registry_id)
    assert (registry.name, registry.webinar_date.isoformat()) == ("Launch", "2026-12-24")


def test_create_for_an_unknown_login_fails_with_one_line(runner, organizer):
    result = runner.invoke(args=["registries", "create", "--account", "nobody", "--name", "X"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("Error: No account")


def test_export_json_writes_the_decrypted_registry_and_logs_it(runner, registry, full, organizer, staff_env):
    people.add_participant(registry, full)
    result = runner.invoke(
        args=[
            "participants",
            "export",
            "--reason",
            "organizer request, ticket SUP-1",
            "--registry",
            str(registry.id),
            "--format",
            "json",
        ],
        env=staff_env,
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["registry"]["name"] == "Compilers 101"
    (participant,) = document["participants"]
    assert participant["email"] == "Grace.Hopper@example.org"
    assert participant["custom_fields"]["T-shirt"] == "XL-zzq"
    (entry,) = list_entries(organizer.id)
    assert (entry.channel, entry.records, entry.registry_id, entry.actor) == ("cli", 1, registry.id, "client:helpdesk")


def test_export_needs_a_staff_sign_in_and_the_os_user_names_no_one(runner, registry, organizer):
    result = runner.invoke(
        args=["participants", "export", "--reason", "organizer request, ticket SUP-1", "--registry", str(registry.id)],
        env={"USER": "root", "LOGNAME": "root"},
    )
    assert result.exit_code != 0
    assert "--staff" in result.output and result.stdout.strip() == ""
    assert list_entries(organizer.id) == []


def test_export_csv_neutralizes_formula_cells(runner, registry, staff_env):
    people.add_participant(
        registry,
        {
            "email": "eve@example.org",
            "company": '=HYPERLINK("x")',
            "first_name": "@Eve",
            "custom_fields": {"Note": "+1 plan"},
        },
    )
    result = runner.invoke(
        args=[
            "participants",
            "export",
            "--reason",
            "organizer request, ticket SUP-1",
            "--registry",
            str(registry.id),
            "--format",
            "csv",
        ],
        env=staff_env,
    )
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["company"] == '\'=HYPERLINK("x")'
    assert row["first_name"] == "'@Eve"
    assert row["Note"] == "'+1 plan"
    assert row["email"] == "eve@example.org"


def test_export_of_an_unknown_registry_fails(runner, organizer, staff_env):
    result = runner.invoke(
        args=["participants", "export", "--reason", "organizer request, ticket SUP-1", "--registry", "nope"],
        env=staff_env,
    )
    assert result.exit_code == 1
    assert "No such registry." in result.output


def test_export_is_a_job_whose_file_only_the_asking_cli_can_read_and_which_is_deleted_after(
    runner, registry, full, organizer, staff_env, app
):
    people.add_participant(registry, full)
    private, recipient = export_jobs.new_recipient()
    job = jobs.enqueue(  # what the CLI enqueues (run inline in tests); a worker would run it anywhere
        export_jobs.EXPORT_JOB,
        organizer.id,
        registry_id=str(registry.id),
        fmt="json",
        destination="PL",
        reason="organizer request, ticket SUP-3",
        staff="helpdesk",
        attests=[],
        recipient=recipient,
    )
    assert (job.status, job.result["count"]) == ("done", 1)
    stored = export_jobs.path_for(job.id).read_bytes()
    assert b"Hopper" not in stored  # sealed at rest
    stranger, _ = export_jobs.new_recipient()
    with pytest.raises(VaultError):  # the jobs table, the queue and the file do not hold the key
        export_jobs.open_export(job.id, stranger).read()
    with export_jobs.open_export(job.id, private) as sealed:
        assert json.loads(sealed.read())["participants"][0]["last_name"] == full["last_name"]

    result = runner.invoke(
        args=["participants", "export", "--reason", "organizer request, ticket SUP-4", "--registry", str(registry.id)],
        env=staff_env,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["participants"][0]["last_name"] == full["last_name"]
    [cli_job] = [j for j in jobs.list_jobs(account_id=organizer.id) if j.id != job.id]
    assert (cli_job.kind, cli_job.status) == (export_jobs.EXPORT_JOB, "done")
    assert not export_jobs.path_for(cli_job.id).exists() and not export_jobs.peer_path(cli_job.id).exists()
