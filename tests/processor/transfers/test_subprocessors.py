"""Sub-processors: only to allowed destinations, every change recorded with its objection deadline."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.errors import Conflict, NotFound, ValidationFailed
from processor.transfers import subprocessors as service
from processor.transfers.policy import TransferRefused
from processor.transfers.subprocessors import SubProcessorChange, list_changes, list_subprocessors


def add(name="Hetzner Online GmbH", purpose="Hosting", country="DE", **extra):
    return service.add_subprocessor(name=name, purpose=purpose, country=country, by="staff", **extra)


def test_an_added_subprocessor_is_listed_and_its_addition_recorded(app_ctx):
    added = add(country=" de ")
    assert [(s.name, s.purpose, s.country, s.dpf_certified) for s in list_subprocessors()] == [
        ("Hetzner Online GmbH", "Hosting", "DE", False)
    ]
    [change] = list_changes()
    assert (change.action, change.subprocessor.id, change.changed_by) == ("added", added.id, "staff")
    assert change.objection_deadline == added.added_at.date() + dt.timedelta(days=30)
    assert change.objection_open()


def test_a_certified_us_subprocessor_is_allowed(app_ctx):
    add(name="Mail Co", purpose="Mail delivery", country="US", dpf_certified=True)
    assert list_subprocessors()[0].transfer_today().rule == "adequacy-dpf"


@pytest.mark.parametrize(
    ("country", "certified", "rule"),
    [
        ("CN", False, "not-adequate"),
        ("US", False, "dpf-certification-required"),
        ("XX", False, "unknown-country"),
        ("USA", True, "malformed-country"),
    ],
)
def test_adding_a_subprocessor_in_a_refused_country_is_refused_and_nothing_is_written(
    app_ctx, country, certified, rule
):
    with pytest.raises(TransferRefused) as caught:
        add(country=country, dpf_certified=certified)
    assert caught.value.extra["rule"] == rule
    assert list_subprocessors() == [] and list_changes() == []


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
    changes = list_changes()
    assert [(c.action, c.subprocessor.name) for c in changes] == [
        ("removed", "Hetzner"),
        ("added", "Mailgun EU"),
        ("added", "Hetzner"),
    ]
    add(name="Hetzner")  # a removed name may come back, as a new sub-processor with its own change
    assert len(list_changes()) == 4


def test_removing_an_unknown_subprocessor_is_not_found(app_ctx):
    with pytest.raises(NotFound):
        service.remove_subprocessor("Nobody", by="staff")


def test_the_objection_window_closes_thirty_days_after_the_change(app_ctx):
    add()
    change = list_changes()[0]
    day = change.changed_at.date()
    assert change.objection_open(day + dt.timedelta(days=30))
    assert not change.objection_open(day + dt.timedelta(days=31))


def test_changes_can_be_listed_since_a_moment(app_ctx):
    add(name="A")
    later = list_changes()[0].changed_at + dt.timedelta(seconds=1)
    assert list_changes(since=later) == []
    assert isinstance(list_changes(since=later - dt.timedelta(days=1))[0], SubProcessorChange)


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
