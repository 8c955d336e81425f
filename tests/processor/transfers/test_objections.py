"""Organizers object to an added sub-processor during its notice: excluded from it, or offered termination."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.errors import Conflict, NotFound, ValidationFailed
from processor.transfers import objections, recipients
from processor.transfers import subprocessors as service


@pytest.fixture
def change(app_ctx):
    service.add_subprocessor(name="Mail Co", purpose="Mail delivery", country="SE", by="root")
    return service.list_changes()[0]


def test_an_objection_excludes_the_organizer_from_the_subprocessor_for_good(make_account, change):
    ada, bob = make_account("ada"), make_account("bob")
    objection = objections.object_to_change(change_id=change.id, account_id=ada.id, reason="Own mailer")
    assert objection.outcome == "excluded"
    sub = change.subprocessor
    for day in (change.effective_on, change.effective_on + dt.timedelta(days=400)):
        refused = recipients.check_subprocessor(sub, ada.id, on=day)
        assert (refused.allowed, refused.rule) == (False, "subprocessor-objection")
        assert recipients.check_subprocessor(sub, bob.id, on=day).allowed
    assert [d.rule for _, d in recipients.recipients_for(ada.id, on=change.effective_on)] == ["subprocessor-objection"]


def test_an_objection_to_an_essential_subprocessor_offers_termination(make_account, app_ctx):
    service.add_subprocessor(name="Host", purpose="Hosting", country="DE", essential=True, by="root")
    change = service.list_changes()[0]
    ada = make_account("ada")
    objection = objections.object_to_change(change_id=change.id, account_id=ada.id, reason="")
    assert objection.outcome == "termination-offered"
    assert recipients.check_subprocessor(change.subprocessor, ada.id, on=change.effective_on).allowed


def test_a_removal_cannot_be_objected_to(make_account, change):
    service.remove_subprocessor("Mail Co", by="root")
    removal = service.list_changes()[0]
    with pytest.raises(Conflict, match="at once"):
        objections.object_to_change(change_id=removal.id, account_id=make_account("ada").id, reason="")


def test_an_organizer_objects_within_the_window_and_staff_see_it(make_account, change):
    ada = make_account("ada")
    objections.object_to_change(change_id=change.id, account_id=ada.id, reason="  We use our own mailer. ")
    assert objections.objections_by(ada.id)[change.id].reason == "We use our own mailer."
    [(login, objection)] = objections.objections_by_change()[change.id]
    assert (login, objection.reason) == ("ada", "We use our own mailer.")


@pytest.mark.parametrize(("days_later", "accepted"), [(0, True), (28, True), (29, True), (30, False), (31, False)])
def test_the_window_closes_the_day_before_the_change_takes_effect(make_account, change, days_later, accepted):
    ada = make_account("ada")
    when = change.changed_at + dt.timedelta(days=days_later)
    if accepted:
        objections.object_to_change(change_id=change.id, account_id=ada.id, reason="", now=when)
        assert change.id in objections.objections_by(ada.id)
    else:
        with pytest.raises(Conflict, match=str(change.objection_deadline)):
            objections.object_to_change(change_id=change.id, account_id=ada.id, reason="", now=when)
        assert objections.objections_by(ada.id) == {}


def test_an_organizer_objects_once_per_change(make_account, change):
    ada = make_account("ada")
    objections.object_to_change(change_id=change.id, account_id=ada.id, reason="")
    with pytest.raises(Conflict):
        objections.object_to_change(change_id=change.id, account_id=ada.id, reason="again")
    assert len(objections.objections_by_change()[change.id]) == 1


def test_an_objection_to_an_unknown_change_is_not_found(make_account, app):
    with pytest.raises(NotFound):
        objections.object_to_change(change_id=999, account_id=make_account("ada").id, reason="")


def test_a_too_long_reason_is_refused(make_account, change):
    with pytest.raises(ValidationFailed):
        objections.object_to_change(change_id=change.id, account_id=make_account("ada").id, reason="x" * 1001)


def test_an_organizer_objects_from_the_destinations_page(auth, client, change):
    auth.signup("ada")
    response = client.post(
        f"/transfers/changes/{change.id}/object", data={"reason": "No thanks"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Your objection is recorded" in page and "You objected on" in page
    assert "never passed to Mail Co" in page
    again = client.post(f"/transfers/changes/{change.id}/object", data={"reason": ""}, follow_redirects=True)
    assert "already objected" in again.get_data(as_text=True)


def test_one_organizers_objection_is_not_shown_as_anothers(auth, client, make_account, change):
    objections.object_to_change(change_id=change.id, account_id=make_account("bob").id, reason="Bob's reason")
    auth.signup("ada")
    page = client.get("/transfers/").get_data(as_text=True)
    assert "You objected" not in page and "Bob&#39;s reason" not in page and "Object to this change" in page


def test_staff_see_who_objected_and_why(app, auth, client, make_account, make_staff, change):
    objections.object_to_change(change_id=change.id, account_id=make_account("bob").id, reason="Own mailer")
    auth.login_with_code(make_staff("root"))
    page = client.get("/transfers/staff").get_data(as_text=True)
    assert "<strong>bob</strong>" in page and "Own mailer" in page
