"""Sub-processors: announced before they take effect, only to allowed destinations, every change recorded."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app import create_app
from processor.audit.models import AccessLogEntry
from processor.config import ConfigurationError
from processor.errors import Conflict, NotFound, ValidationFailed
from processor.extensions import db
from processor.messaging.models import OrganizerMessage
from processor.transfers import recipients
from processor.transfers import subprocessors as service
from processor.transfers.attestations import new_attestation
from processor.transfers.policy import TransferRefused
from processor.transfers.subprocessors import SubProcessorChange, annex_rows, list_changes, list_subprocessors

DAY = dt.timedelta(days=1)


def add(name="Hetzner Online GmbH", purpose="Hosting", country="DE", **extra):
    extra.setdefault("address", "Industriestr. 25, 91710 Gunzenhausen, Germany")
    return service.add_subprocessor(name=name, purpose=purpose, country=country, by="staff", **extra)


def dpf(valid_from=dt.date(2024, 1, 1), valid_to=None):
    return new_attestation(kind="dpf", reference="DPF list entry 123", valid_from=valid_from, valid_to=valid_to, by="t")


def test_an_added_subprocessor_is_announced_for_the_end_of_the_notice_period(app_ctx):
    added = add(country=" de ")
    today = added.added_at.date()
    assert [(s.name, s.purpose, s.country) for s in list_subprocessors()] == [("Hetzner Online GmbH", "Hosting", "DE")]
    assert added.effective_on == today + 30 * DAY
    [change] = list_changes()
    assert (change.action, change.subprocessor.id, change.changed_by) == ("added", added.id, "staff")
    assert change.effective_on == added.effective_on
    assert change.objection_deadline == added.effective_on - DAY
    assert change.objection_open()


@pytest.mark.parametrize(
    ("offset", "allowed", "rule"),
    [
        (0, False, "subprocessor-notice-period"),
        (29, False, "subprocessor-notice-period"),
        (30, True, "eea"),
        (31, True, "eea"),
    ],
)
def test_no_transfer_to_an_intended_subprocessor_during_the_notice(app_ctx, offset, allowed, rule):
    added = add()
    decision = recipients.check_subprocessor(added, on=added.added_at.date() + offset * DAY)
    assert (decision.allowed, decision.rule) == (allowed, rule)
    if not allowed:
        assert str(added.effective_on) in decision.reason
        with pytest.raises(TransferRefused):
            recipients.require_subprocessor(added, on=added.added_at.date() + offset * DAY)


def test_the_notice_period_is_configurable(app, app_ctx):
    app.config["SUBPROCESSOR_NOTICE_DAYS"] = 14
    added = add()
    assert added.effective_on == added.added_at.date() + 14 * DAY
    assert list_changes()[0].objection_deadline == added.added_at.date() + 13 * DAY


@pytest.mark.parametrize("value", ["thirty", "-1", "2.5"])
def test_a_notice_period_that_is_not_whole_days_stops_the_app_from_starting(tmp_path, value):
    with pytest.raises(ConfigurationError, match="SUBPROCESSOR_NOTICE_DAYS"):
        create_app({"SECRET_KEY": "k", "SUBPROCESSOR_NOTICE_DAYS": value}, instance_path=str(tmp_path))


def test_a_notice_period_from_the_environment_is_read_as_days(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBPROCESSOR_NOTICE_DAYS", " 14 ")
    app = create_app({"SECRET_KEY": "k"}, instance_path=str(tmp_path))
    assert app.config["SUBPROCESSOR_NOTICE_DAYS"] == 14


def test_every_active_organizer_is_told_in_its_log_and_by_mail(app_ctx, make_account):
    ada, bob = make_account("ada"), make_account("bob")
    gone = make_account("gone")
    gone.status = "removed"
    db.session.commit()
    added = add(name="Mail Co", purpose="Mail delivery", country="SE")
    for account in (ada, bob):
        [entry] = db.session.scalars(sa.select(AccessLogEntry).where(AccessLogEntry.account_id == account.id))
        assert "sub-processor change announced: Mail Co" in entry.reason and str(added.effective_on) in entry.reason
        [message] = db.session.scalars(sa.select(OrganizerMessage).where(OrganizerMessage.account_id == account.id))
        assert message.kind == "subprocessor-change" and message.status == "queued"
        assert "Mail Co" in message.subject and str(added.effective_on) in message.body
        assert "never passed to Mail Co" in message.body
    assert db.session.scalar(sa.select(sa.func.count()).where(OrganizerMessage.account_id == gone.id)) == 0


def test_an_emergency_replacement_takes_effect_at_once_with_its_reason(app_ctx, make_account):
    make_account("ada")
    old = add(name="Old Mail")
    db.session.execute(sa.update(type(old)).values(effective_on=dt.date(2024, 1, 1)))
    db.session.commit()
    new = add(name="New Mail", emergency_reason="Old Mail had a breach", replaces="old mail")
    today = new.added_at.date()
    assert new.effective_on == today
    assert recipients.check_subprocessor(new, on=today).allowed
    assert [s.name for s in list_subprocessors()] == ["New Mail"]
    removed, added = list_changes()[:2]
    assert {(removed.action, removed.subprocessor.name), (added.action, added.subprocessor.name)} == {
        ("removed", "Old Mail"),
        ("added", "New Mail"),
    }
    assert added.emergency_reason == "Old Mail had a breach"
    assert added.objection_open(today)  # organizers may still object after the fact
    assert recipients.check_subprocessor(old, on=today).rule == "subprocessor-removed"


def test_a_replacement_without_an_emergency_reason_is_refused(app_ctx):
    add(name="Old Mail")
    with pytest.raises(ValidationFailed):
        add(name="New Mail", replaces="Old Mail")
    assert [s.name for s in list_subprocessors()] == ["Old Mail"]


def test_a_removal_takes_effect_at_once(app_ctx):
    sub = add(name="Hetzner")
    db.session.execute(sa.update(type(sub)).values(effective_on=dt.date(2024, 1, 1)))
    db.session.commit()
    today = dt.datetime.now(dt.UTC).date()
    assert recipients.check_subprocessor(sub, on=today).allowed
    service.remove_subprocessor("hetzner", by="staff")
    assert recipients.check_subprocessor(sub, on=today).rule == "subprocessor-removed"
    [removal] = [c for c in list_changes() if c.action == "removed"]
    assert removal.effective_on == today and removal.objection_deadline is None


def test_a_dpf_attested_us_subprocessor_is_allowed(app_ctx):
    sub = add(name="Mail Co", purpose="Mail delivery", country="US", attestations=[dpf()])
    assert sub.transfer_on(sub.effective_on).rule == "adequacy-dpf"
    assert sub.dpf_certified


def test_the_older_dpf_flag_records_a_dpf_attestation(app_ctx):
    sub = add(name="Mail Co", country="US", dpf_certified=True)
    [held] = sub.attestations
    assert (held.kind, held.valid_from) == ("dpf", sub.added_at.date()) and "dpf_certified" in held.reference


@pytest.mark.parametrize(
    ("country", "attestations", "rule"),
    [
        ("CN", [], "not-adequate"),
        ("US", [], "dpf-certification-required"),
        ("JP", [], "appi-attestation-required"),
        ("CA", [], "pipeda-attestation-required"),
        ("KR", [], "pipa-attestation-required"),
        ("BR", [], "lgpd-attestation-required"),
        ("GL", [], "outside-eu-territory"),
        ("XX", [], "unknown-country"),
        ("USA", [], "malformed-country"),
    ],
)
def test_adding_a_subprocessor_in_a_refused_country_is_refused_and_nothing_is_written(
    app_ctx, country, attestations, rule
):
    with pytest.raises(TransferRefused) as caught:
        add(country=country, attestations=attestations)
    assert caught.value.extra["rule"] == rule
    assert list_subprocessors() == [] and list_changes() == []


def test_an_attestation_that_lapses_before_the_effective_day_is_refused(app_ctx):
    with pytest.raises(TransferRefused) as caught:
        add(country="US", attestations=[dpf(valid_to=dt.date.today() + 5 * DAY)])
    assert caught.value.extra["rule"] == "dpf-certification-required"


@pytest.mark.parametrize(
    ("name", "purpose", "field"),
    [
        ("", "Hosting", "name"),
        ("   ", "Hosting", "name"),
        ("Host", "", "purpose"),
        ("x" * 201, "Hosting", "name"),
        ("Host", "p" * 501, "purpose"),
    ],
)
def test_a_subprocessor_needs_a_name_and_a_purpose_within_limits(app_ctx, name, purpose, field):
    with pytest.raises(ValidationFailed) as caught:
        add(name=name, purpose=purpose)
    assert [e["field"] for e in caught.value.errors] == [field]
    assert list_subprocessors() == []


def test_two_current_subprocessors_cannot_share_a_name(app_ctx):
    add(name="Hetzner")
    with pytest.raises(Conflict):
        add(name="HETZNER ")
    assert len(list_subprocessors()) == 1


def test_a_removed_subprocessor_leaves_the_list_but_its_history_stays(app_ctx):
    add(name="Hetzner")
    add(name="Mailgun EU", purpose="Mail delivery", country="SE")
    removed = service.remove_subprocessor("hetzner", by="staff")
    assert removed.removed_at is not None
    assert [s.name for s in list_subprocessors()] == ["Mailgun EU"]
    assert [(c.action, c.subprocessor.name) for c in list_changes()] == [
        ("removed", "Hetzner"),
        ("added", "Mailgun EU"),
        ("added", "Hetzner"),
    ]
    add(name="Hetzner")  # a removed name may come back, as a new sub-processor with its own change
    assert len(list_changes()) == 4


def test_removing_an_unknown_subprocessor_is_not_found(app_ctx):
    with pytest.raises(NotFound):
        service.remove_subprocessor("Nobody", by="staff")


def test_changes_can_be_listed_since_a_moment(app_ctx):
    add(name="A")
    later = list_changes()[0].changed_at + dt.timedelta(seconds=1)
    assert list_changes(since=later) == []
    assert isinstance(list_changes(since=later - DAY)[0], SubProcessorChange)


def test_a_refused_addition_is_written_to_the_operations_log(app_ctx, caplog):
    with caplog.at_level("WARNING", logger="processor.transfers.subprocessors"), pytest.raises(TransferRefused):
        add(country="CN")
    assert "rule=not-adequate country=CN" in caplog.text and "by=staff" in caplog.text


def test_a_removal_that_lost_a_race_records_nothing(app_ctx, monkeypatch):
    sub = add(name="Hetzner")
    service.remove_subprocessor("Hetzner", by="first")
    monkeypatch.setattr(service, "find_current", lambda name: sub)  # as if read just before the other removal
    with pytest.raises(NotFound, match="meanwhile"):
        service.remove_subprocessor("Hetzner", by="second")
    assert [(c.action, c.changed_by) for c in list_changes()] == [("removed", "first"), ("added", "staff")]


def test_annex_rows_give_the_dpa_each_subprocessor_with_its_basis_and_attestation(app_ctx):
    add(name="Mail Co", purpose="Mail delivery", country="US", attestations=[dpf()])
    add(name="Hetzner", address="Gunzenhausen, Germany")
    today = dt.datetime.now(dt.UTC).date()
    rows = annex_rows(on=today)
    assert [r.name for r in rows] == ["Hetzner", "Mail Co"]
    mail = rows[1]
    assert (mail.status, mail.effective_on, mail.transfer_basis) == ("intended", today + 30 * DAY, "adequacy-dpf")
    assert mail.attestation == {
        "kind": "dpf",
        "reference": "DPF list entry 123",
        "valid_from": dt.date(2024, 1, 1),
        "valid_to": None,
    }
    assert "2023/1795" in mail.transfer_source and mail.transfer_allowed
    assert rows[0].attestation is None and rows[0].transfer_basis == "eea" and rows[0].address
    assert [r.status for r in annex_rows(on=today + 30 * DAY)] == ["engaged", "engaged"]
    assert annex_rows(on=today - DAY) == []
