"""Requests are due 30 days after receipt, extended once by up to two months, reminded and flagged on time."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from processor.audit.models import AccessLogEntry
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.subject_requests import service
from tests.processor.subject_requests.conftest import ORGANIZER, PERSON, RECEIVED


def new(organizer, kind="access", email=PERSON):
    return service.create_request(organizer.id, kind=kind, email=email, actor=ORGANIZER, now=RECEIVED)


def test_a_request_is_due_30_days_after_receipt_and_finds_the_person_everywhere(organizer):
    request = new(organizer, email=" Grace@Example.org ")
    assert request.due_on == dt.date(2026, 3, 31)
    assert (request.status, request.channel) == ("open", "page")
    assert len({m.registry_id for m in service.matches_of(request)}) == 3
    assert PERSON.encode() not in request.email  # stored encrypted
    assert service.person_email(request) == PERSON


@pytest.mark.parametrize(("email", "kind"), [("not an address", "access"), (PERSON, "delete-everything")])
def test_bad_requests_are_refused_with_the_field_named(organizer, email, kind):
    with pytest.raises(ValidationFailed) as refused:
        new(organizer, kind=kind, email=email)
    assert refused.value.errors[0]["field"] in ("email", "kind")


def test_an_extension_by_two_months_needs_a_reason_and_is_granted_once(organizer):
    request = new(organizer)
    with pytest.raises(ValidationFailed):
        service.extend_request(request, reason="  ", actor=ORGANIZER, now=RECEIVED)
    service.extend_request(request, reason="Records are archived offline", actor=ORGANIZER, now=RECEIVED)
    assert (request.status, request.due_on) == ("extended", dt.date(2026, 5, 31))
    with pytest.raises(service.RequestRefused, match="only once"):
        service.extend_request(request, reason="again", actor=ORGANIZER, now=RECEIVED)


def test_an_extension_by_one_month_ends_on_the_months_last_day_when_needed(organizer):
    request = service.create_request(
        organizer.id, kind="access", email=PERSON, actor=ORGANIZER, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    assert request.due_on == dt.date(2026, 1, 31)
    service.extend_request(request, reason="complex", months=1, actor=ORGANIZER, now=RECEIVED.replace(month=1))
    assert request.due_on == dt.date(2026, 2, 28)


@pytest.mark.parametrize(("day", "overdue"), [(30, False), (31, True)])
def test_overdue_is_flagged_on_day_31_and_not_on_day_30(organizer, day, overdue):
    request = new(organizer)
    service.flag_overdue(RECEIVED + dt.timedelta(days=day))
    assert (request.overdue_at is not None) is overdue
    listed = service.list_requests(organizer.id, overdue=True, today=(RECEIVED + dt.timedelta(days=day)).date())
    assert (request in listed) is overdue


@pytest.mark.parametrize(("day", "reminded"), [(22, False), (23, True)])
def test_a_reminder_is_recorded_7_days_before_the_due_date(organizer, day, reminded):
    request = new(organizer)
    service.flag_overdue(RECEIVED + dt.timedelta(days=day))
    assert (request.reminded_at is not None) is reminded
    assert ("reminder" in [s.action for s in service.steps_of(request)]) is reminded


def test_flagging_twice_records_one_reminder_and_one_overdue_step(organizer):
    request = new(organizer)
    for day in (23, 24, 31, 32):
        service.flag_overdue(RECEIVED + dt.timedelta(days=day))
    actions = [s.action for s in service.steps_of(request)]
    assert actions.count("reminder") == 1 and actions.count("overdue") == 1


def test_every_step_is_in_the_access_log_without_the_persons_email(organizer):
    request = new(organizer)
    service.extend_request(request, reason="archived", actor=ORGANIZER, now=RECEIVED)
    service.refuse_request(request, reason="manifestly unfounded", actor=ORGANIZER, now=RECEIVED)
    reasons = db.session.scalars(
        sa.select(AccessLogEntry.reason).where(AccessLogEntry.reason.like(f"subject request {request.id}%"))
    ).all()
    assert len(reasons) == 3
    assert not any("grace" in r for r in reasons)


def test_the_cli_lists_overdue_requests_as_of_a_time_shows_and_extends(runner, organizer):
    request = new(organizer)
    on_time = runner.invoke(args=["requests", "list", "--overdue", "--now", "2026-03-31"])
    assert on_time.exit_code == 0 and str(request.id) not in on_time.output
    late = runner.invoke(args=["requests", "list", "--account", "ada", "--overdue", "--now", "2026-04-01"])
    assert str(request.id) in late.output and "OVERDUE by 1 day(s)" in late.output
    shown = runner.invoke(args=["requests", "show", str(request.id), "--now", "2026-03-02"])
    assert "29 day(s) left" in shown.output and "received" in shown.output and PERSON not in shown.output
    extended = runner.invoke(args=["requests", "extend", str(request.id), "--reason", "backlog", "--now", "2026-03-02"])
    assert extended.exit_code == 0 and "now due 2026-05-31" in extended.output
    again = runner.invoke(args=["requests", "extend", str(request.id), "--reason", "more"])
    assert again.exit_code == 1 and "only once" in again.output and "Traceback" not in again.output
    missing = runner.invoke(args=["requests", "show", "nope"])
    assert missing.exit_code == 1 and "No such data-subject request." in missing.output


def test_the_requests_page_and_dashboard_show_days_left(client, auth, organizer):
    auth.login()
    created = client.post("/requests/", data={"kind": "erasure", "email": PERSON})
    assert created.status_code == 302
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert PERSON in page and "3 registries" in page and "30 days left" in page
    viewed = db.session.scalars(sa.select(AccessLogEntry).where(AccessLogEntry.reason.like("viewed subject request%")))
    assert [(e.fields, e.channel) for e in viewed] == [("email", "web")]
    assert "30" in client.get("/requests/").get_data(as_text=True)
    assert "erasure request" in client.get("/dashboard").get_data(as_text=True)


def test_staff_record_a_request_with_the_email_kept_out_of_the_command_line(runner, organizer):
    added = runner.invoke(
        args=["requests", "add", "--account", "ada", "--kind", "objection", "--staff", "eve", "--now", "2026-03-01"],
        input=PERSON + "\n",
    )
    assert added.exit_code == 0, added.output
    assert "due 2026-03-31" in added.output
    [request] = service.list_requests(organizer.id)
    assert (request.channel, request.received_by, service.person_email(request)) == ("staff", "eve", PERSON)


def test_the_daily_deadline_job_flags_as_of_its_time(runner, organizer):
    request = new(organizer)
    on_day_30 = runner.invoke(args=["requests", "check-deadlines", "--now", "2026-03-31T12:00"])
    assert on_day_30.exit_code == 0, on_day_30.output
    assert "1 reminder(s), 0 newly overdue" in on_day_30.output
    on_day_31 = runner.invoke(args=["requests", "check-deadlines", "--now", "2026-04-01T12:00"])
    assert "0 reminder(s), 1 newly overdue" in on_day_31.output
    db.session.expire_all()
    assert service.get_request(request.id).overdue_at is not None
