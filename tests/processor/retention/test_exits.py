"""The exits as the contract says: return during the hold or within 7 days after erasure, from a package that
outlives erasure by at most 7 days; the held account's page; early erasure; nothing else left behind."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from processor import jobs
from processor.accounts.models import Account
from processor.audit import record_access
from processor.audit.models import AccessLogEntry
from processor.audit.service import verify_account
from processor.csv_import import files as import_files
from processor.csv_import import service as imports
from processor.extensions import db
from processor.jobs.runner import execute as run_job
from processor.registries import service as registries
from processor.retention import exits, package
from processor.retention import service as retention
from processor.retention.models import AccountExit
from tests.conftest import PASSWORD
from tests.processor import people

REMOVED = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
ERASED = REMOVED + dt.timedelta(days=60)  # a free account's hold


@pytest.fixture
def organizer(make_account):
    account = make_account("ada", plan="free")
    for name, email in (("Spring", "zofia@example.com"), ("Autumn", "jan@example.com")):
        registry = registries.create_registry(account.id, name)
        people.add_participant(registry, {"email": email, "last_name": "Żółkiewska"})
    return account


def erased(account: Account) -> str:
    """Remove and erase the account on schedule; return its return code."""
    code = retention.remove_account(account, now=REMOVED).return_code
    assert retention.erase_due_accounts(now=ERASED).erased == ["ada"]
    return code


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def exit_row(account: Account) -> AccountExit:
    db.session.expire_all()
    return db.session.get(AccountExit, account.id)


def test_return_asked_on_day_3_after_erasure_works_once_and_the_package_is_gone_after(organizer):
    erased(organizer)
    assert package.path_for(organizer.id).exists()
    data = exits.return_database(organizer, by="test", channel="cli", now=ERASED + dt.timedelta(days=3))
    text = "".join(unzip(data).values())
    assert "zofia@example.com" in text and "jan@example.com" in text
    assert not package.path_for(organizer.id).exists()
    row = exit_row(organizer)
    assert row.package_key is None and row.package_downloaded_at == ERASED + dt.timedelta(days=3)
    with pytest.raises(retention.RetentionRefused, match="downloaded already"):
        exits.return_database(organizer, by="test", channel="cli", now=ERASED + dt.timedelta(days=4))


@pytest.mark.parametrize(("days", "allowed"), [(0, True), (3, True), (7, True), (7.01, False), (8, False)])
def test_return_is_honoured_within_7_days_of_erasure_and_refused_after(organizer, days, allowed):
    erased(organizer)
    when = ERASED + dt.timedelta(days=days)
    if allowed:
        assert unzip(exits.return_database(organizer, by="t", channel="cli", now=when))
    else:
        with pytest.raises(retention.RetentionRefused, match="within 7 days of erasure"):
            exits.return_database(organizer, by="t", channel="cli", now=when)


def test_after_day_7_no_byte_of_the_package_exists(organizer):
    erased(organizer)
    retention.erase_due_accounts(now=ERASED + dt.timedelta(days=7))
    assert package.path_for(organizer.id).exists()  # still within its 7 days
    run = retention.erase_due_accounts(now=ERASED + dt.timedelta(days=7, seconds=1))
    assert run.packages_destroyed == 1
    assert not package.path_for(organizer.id).exists()
    assert list(package.folder().iterdir()) == []
    row = exit_row(organizer)
    assert (row.package_key, row.login_digest, row.return_code_hash) == (None, None, None)
    assert retention.find_erased_for_return("ada") is None


def test_nothing_of_the_participant_data_survives_erasure_but_the_package(organizer, app):
    erased(organizer)
    for table in ("participants", "registries", "subject_requests", "participant_restrictions"):
        assert db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")) == 0  # noqa: S608 - fixed names
    account = db.session.get(Account, organizer.id)
    # Only placeholders stay (a random hex id may well contain the letters "ada": compare the shapes, not letters).
    assert account.login == f"erased-{account.id.hex[:12]}" and account.email == f"{account.login}@invalid"
    assert (account.first_name, account.title) == ("erased", "erased")


def test_erasure_removes_leftover_upload_and_error_files_and_their_keys(organizer):
    registry = registries.list_registries(organizer.id)[0]
    imp = imports.start(organizer, registry, io.BytesIO(b"email\nx@example.com\n"))
    import_files.create_report(imp).close()
    paths = [import_files.upload_path(imp), import_files.report_path(imp)]
    assert all(path.exists() for path in paths)
    erased(organizer)
    assert not any(path.exists() for path in paths)
    assert db.session.scalar(sa.text("SELECT count(*) FROM imports")) == 0


def test_free_text_reasons_are_reduced_to_their_category_and_the_chain_still_verifies(organizer):
    record_access(
        account_id=organizer.id,
        actor_type="staff",
        actor="support",
        purpose="essential.service.operations.support",
        reason="ticket SUP-1: Zofia Żółkiewska asked about her seat",
        channel="support",
    )
    db.session.commit()
    erased(organizer)
    reasons = db.session.scalars(
        sa.select(AccessLogEntry.reason).where(AccessLogEntry.account_id == organizer.id)
    ).all()
    assert not any("Zofia" in (reason or "") for reason in reasons)
    assert "ticket SUP-1: (reduced at erasure)" in reasons
    assert verify_account(organizer.id) is None


def test_the_return_code_and_login_prove_the_organizer_after_erasure(client, organizer):
    code = erased(organizer)
    retention_now = dt.datetime.now(dt.UTC)
    # The erasure above ran on a fixed past date; move its window to now for the web request.
    row = exit_row(organizer)
    row.erased_at, row.package_expires_at = retention_now, retention_now + dt.timedelta(days=7)
    db.session.commit()
    wrong = client.post("/account/return", data={"login": "ada", "code": "AAAA-AAAA-AAAA-AAAA-AAAA"})
    assert wrong.status_code == 400 and package.path_for(organizer.id).exists()  # untouched by a wrong code
    good = client.post("/account/return", data={"login": "ada", "code": code.lower()})
    assert good.status_code == 200 and good.mimetype == "application/zip"
    assert "zofia@example.com" in "".join(unzip(good.data).values())
    again = client.post("/account/return", data={"login": "ada", "code": code})
    assert again.status_code == 400


def test_a_held_accounts_login_shows_the_exits(client, auth, organizer):
    retention.remove_account(organizer, now=REMOVED)
    page = client.get(auth.login().headers["Location"]).get_data(as_text=True)
    assert "Your account is removed" in page
    assert "2026-03-02" in page  # erasure date: 60 days after removal
    for offer in ("Reactivate my account", "Download my participant database", "Erase my data now", "Warning"):
        assert offer in page
    assert client.get("/registries/").status_code == 302  # nothing else is reachable


def test_reactivation_from_the_held_page(client, auth, organizer):
    retention.remove_account(organizer)
    auth.login()
    done = client.post("/account/held/reactivate")
    assert done.status_code == 302 and done.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200
    assert exit_row(organizer) is None  # the return code no longer works
    logged = db.session.scalars(sa.select(AccessLogEntry.reason).where(AccessLogEntry.account_id == organizer.id))
    assert {"account removed: its data is only held until erasure", "account reactivated during the hold"} <= set(
        logged
    )


def test_return_from_the_held_page_is_prepared_by_a_job_then_downloaded_once(client, auth, organizer):
    retention.remove_account(organizer)
    auth.login()
    asked = client.post("/account/held/return")  # JOBS_IMMEDIATE: the job ran where it was enqueued
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/account/held/return")
    job = exits.return_job(organizer)
    assert (job.status, job.account_id, job.result) == ("done", organizer.id, {"participants": 2})
    page = client.get("/account/held/return").get_data(as_text=True)
    assert "It is ready" in page and "Download my participant database" in page
    response = client.post("/account/held/return/download")
    assert response.mimetype == "application/zip"
    assert "jan@example.com" in "".join(unzip(response.data).values())
    assert exit_row(organizer).return_requested_at is not None
    assert not package.held_path(organizer.id).exists() and exit_row(organizer).held_package_key is None
    again = client.post("/account/held/return/download")  # once: then ask again
    assert again.status_code == 302
    assert "Prepare my participant database" in client.get("/account/held/return").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"JOBS_IMMEDIATE": False}])
def test_early_erasure_is_a_job_the_page_follows_not_work_done_in_the_request(client, auth, organizer):
    retention.remove_account(organizer)
    auth.login()
    client.post("/account/held/erase", data={"password": PASSWORD, "understood": "y"})
    db.session.expire_all()
    assert db.session.get(Account, organizer.id).status == "removed"  # nothing erased in the request
    assert not package.path_for(organizer.id).exists()
    assert "Erasing your data" in client.get("/account/erasing").get_data(as_text=True)
    assert client.get("/account/erasing/progress").get_json()["status"] == "queued"
    [job] = [j for j in jobs.list_jobs(account_id=organizer.id) if j.kind == "retention.erase_early"]
    run_job(job.id)
    db.session.expire_all()
    assert db.session.get(Account, organizer.id).status == "erased"
    assert "Your data is erased" in client.get("/account/erasing").get_data(as_text=True)
    run_job(job.id)  # a second message for the same job changes nothing
    assert jobs.get_job(job.id).status == "done"


@pytest.mark.parametrize("app_config", [{"JOBS_IMMEDIATE": False}])
def test_the_held_return_page_shows_the_jobs_progress_until_a_worker_has_prepared_it(client, auth, organizer):
    retention.remove_account(organizer)
    auth.login()
    client.post("/account/held/return")
    job = exits.return_job(organizer)
    assert job.status == "queued" and not package.held_path(organizer.id).exists()  # not made in the request
    assert "waiting for a job worker" in client.get("/account/held/return").get_data(as_text=True)
    assert client.get("/account/held/return/progress").get_json()["status"] == "queued"
    client.post("/account/held/return")  # asking twice does not start a second job
    assert exits.return_job(organizer).id == job.id
    run_job(job.id)
    assert client.get("/account/held/return/progress").get_json()["status"] == "done"
    response = client.post("/account/held/return/download")
    assert "zofia@example.com" in "".join(unzip(response.data).values())


def test_a_prepared_package_is_destroyed_when_the_account_is_reactivated(organizer):
    retention.remove_account(organizer)
    exits.request_return(organizer)
    assert package.held_path(organizer.id).exists()
    retention.reactivate_account(organizer)
    assert not package.held_path(organizer.id).exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"password": PASSWORD}, "Tick the box"),
        ({"password": "not the password", "understood": "y"}, "The password is wrong."),
    ],
)
def test_early_erasure_needs_the_password_again_and_the_warning_acknowledged(client, auth, organizer, form, message):
    retention.remove_account(organizer)
    auth.login()
    refused = client.post("/account/held/erase", data=form)
    assert refused.status_code == 400 and message in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Account, organizer.id).status == "removed"


def test_early_erasure_from_the_held_page(client, auth, organizer):
    retention.remove_account(organizer)
    auth.login()
    asked = client.post("/account/held/erase", data={"password": PASSWORD, "understood": "y"})
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/account/erasing")
    done = client.get("/account/erasing")  # JOBS_IMMEDIATE: the erasure job has run
    assert done.status_code == 200 and "Your data is erased" in done.get_data(as_text=True)
    assert "ada" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Account, organizer.id).status == "erased"
    assert exit_row(organizer).early_erasure_requested_at is not None
    assert package.path_for(organizer.id).exists()
    assert client.get("/account/held").status_code == 302


def test_download_my_account_data(client, auth, organizer):
    auth.login()
    response = client.get("/account/data.json")
    document = json.loads(response.data)
    assert document["profile"]["login"] == "ada"
    assert {"consents", "contracts", "access_log"} <= set(document)
    assert "zofia@example.com" not in response.get_data(as_text=True)  # the organizer's data, not participants'


def test_an_erasure_that_fails_half_way_leaves_no_package_behind(organizer, monkeypatch):
    retention.remove_account(organizer, now=REMOVED)

    def fails(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(retention, "reduce_reasons", fails)
    with pytest.raises(RuntimeError):
        retention.erase_due_accounts(now=ERASED)
    assert not package.path_for(organizer.id).exists()
    db.session.expire_all()
    assert db.session.get(Account, organizer.id).status == "removed"


def test_the_cli_returns_on_day_3_after_erasure_once_then_refuses_in_one_line(runner, organizer, tmp_path):
    erased(organizer)
    target = tmp_path / "back.zip"
    day3 = (ERASED + dt.timedelta(days=3)).isoformat()
    first = runner.invoke(args=["retention", "return", "ada", "--now", day3, "-o", str(target)])
    assert first.exit_code == 0, first.output
    assert "zofia@example.com" in "".join(unzip(target.read_bytes()).values())
    second = runner.invoke(args=["retention", "return", "ada", "--now", day3, "-o", str(tmp_path / "again.zip")])
    assert second.exit_code == 1 and len(second.output.strip().splitlines()) == 1
    assert not (tmp_path / "again.zip").exists()


@pytest.mark.parametrize("app_config", [{"JOBS_IMMEDIATE": False}])
def test_the_cli_return_during_the_hold_no_wait_enqueues_then_downloads_once_ready(runner, organizer, tmp_path):
    retention.remove_account(organizer)
    target = tmp_path / "back.zip"
    asked = runner.invoke(args=["retention", "return", "ada", "--no-wait", "-o", str(target)])
    assert asked.exit_code == 0, asked.output
    job = exits.return_job(organizer)
    assert f"enqueued job {job.id}" in asked.output and "retention return ada -o FILE" in asked.output
    assert not target.exists()
    run_job(job.id)
    fetched = runner.invoke(args=["retention", "return", "ada", "-o", str(target)])
    assert fetched.exit_code == 0, fetched.output
    assert "jan@example.com" in "".join(unzip(target.read_bytes()).values())
    assert exits.return_job(organizer).id == job.id  # the ready package was downloaded, no second job
