"""The organizer page "Where your participants' data goes" and the staff page that keeps the list."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.extensions import db
from processor.transfers import subprocessors as service
from processor.transfers.attestations import new_attestation
from processor.transfers.subprocessors import SubProcessor, list_changes, list_subprocessors
from processor.web import when


@pytest.fixture
def staff(auth, make_staff):
    auth.login_with_code(make_staff("root"))
    return auth


def add(name="Hetzner Online GmbH", country="DE", **extra):
    return service.add_subprocessor(name=name, purpose="Hosting", country=country, by="root", **extra)


def appi():
    return [new_attestation(kind="appi", reference="PPC", valid_from=dt.date(2024, 1, 1), by="t")]


def test_the_destinations_page_needs_a_login(client):
    response = client.get("/transfers/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_an_organizer_sees_the_current_list_with_its_basis_and_every_change_with_its_deadline(app_ctx, auth, client):
    auth.signup()
    tokyo = add(country="JP", name="Tokyo Hosting KK", attestations=appi())
    tokyo.effective_on = dt.date(2024, 1, 1)  # as if announced long ago
    db.session.commit()
    add(name="Gone Ltd", country="SE")
    service.remove_subprocessor("Gone Ltd", by="root")
    added = next(c for c in list_changes() if c.action == "added")
    page = client.get("/transfers/").get_data(as_text=True)
    assert "<h1>Where your participants' data goes</h1>" in page
    assert "Tokyo Hosting KK" in page and "business operators under the APPI" in page and "2019/419" in page
    assert "<code>appi</code>" in page
    assert page.count("Gone Ltd (SE)") == 2  # added and removed, both in the history, not in the current list
    assert added.objection_deadline.isoformat() in page and "(open)" in page
    assert "Art. 28(2)" in page


def test_an_intended_subprocessor_is_shown_as_not_yet_in_effect_with_what_an_objection_does(app_ctx, auth, client):
    auth.signup()
    sub = add(name="Mail Co")
    add(name="Core Host", essential=True)
    page = client.get("/transfers/").get_data(as_text=True)
    assert "Intended, not yet in effect" in page and f"before {when(sub.effective_on)}" in page
    assert "Notice of sub-processor changes" in page and f"is to take effect on {when(sub.effective_on)}" in page
    assert "never passed to Mail Co" in page
    assert "The service cannot run without Core Host: objecting offers you termination" in page


def test_an_emergency_change_shows_its_reason(app_ctx, auth, client):
    auth.signup()
    add(name="Mail Co", emergency_reason="Breach at the previous mail provider")
    page = client.get("/transfers/").get_data(as_text=True)
    assert "Emergency: Breach at the previous mail provider" in page and "(at once)" in page


def test_an_organizer_who_objected_to_an_essential_one_is_pointed_to_termination(app_ctx, auth, client):
    auth.signup()
    add(name="Core Host", essential=True)
    change = list_changes()[0]
    client.post(f"/transfers/changes/{change.id}/object", data={"reason": ""})
    page = client.get("/transfers/").get_data(as_text=True)
    assert "you may terminate the contract" in page and 'href="/account/settings"' in page


def test_the_menu_links_to_the_destinations_page(auth, client):
    auth.signup()
    assert 'href="/transfers/"' in client.get("/dashboard").get_data(as_text=True)


def test_a_subprocessor_whose_country_is_refused_today_is_flagged_to_organizers(app_ctx, auth, client):
    # A row written before its country's decision ended (here: written directly, as the service would refuse it).
    db.session.add(SubProcessor(name="Old Mail Inc", purpose="Mail", country="US", effective_on=dt.date(2024, 1, 1)))
    db.session.commit()
    auth.signup()
    page = client.get("/transfers/").get_data(as_text=True)
    assert "Transfers stopped" in page and "dpf-certification-required" in page


def test_an_organizer_who_is_not_staff_cannot_open_the_staff_page(app_ctx, auth, client):
    auth.signup("ada")
    assert client.get("/transfers/staff").status_code == 403
    response = client.post("/transfers/staff", data={"name": "X", "purpose": "Y", "country": "DE"})
    assert response.status_code == 403
    assert list_subprocessors() == []
    assert client.post("/transfers/staff/remove", data={"name": "X"}).status_code == 403


def test_staff_add_a_subprocessor_and_organizers_see_the_change(app_ctx, staff, client):
    response = client.post(
        "/transfers/staff",
        data={
            "name": "Mail Co",
            "address": "1 Main St, Boston",
            "purpose": "Mail delivery",
            "country": "US",
            "attests": "dpf",
            "reference": "DPF list #42",
            "valid_from": "2024-01-01",
        },
    )
    assert response.status_code == 302
    [sub] = list_subprocessors()
    assert (sub.name, sub.country, sub.dpf_certified, sub.address) == ("Mail Co", "US", True, "1 Main St, Boston")
    assert sub.attestations[0].reference == "DPF list #42"
    assert list_changes()[0].changed_by == "root"
    page = client.get("/transfers/staff").get_data(as_text=True)
    assert "Mail Co" in page and "allowed on a condition: only recipients certified under the EU-US" in page


@pytest.mark.parametrize(
    ("country", "certified", "status", "words"),
    [
        ("CN", "", 403, "not-adequate"),
        ("US", "", 403, "dpf-certification-required"),
        ("", "", 403, "malformed-country"),
    ],
)
def test_staff_cannot_add_a_subprocessor_in_a_refused_country(
    app_ctx, staff, client, country, certified, status, words
):
    data = {"name": "Far Away Ltd", "address": "Far away", "purpose": "Hosting", "country": country}
    if certified:
        data.update(attests=certified, reference="r")
    response = client.post("/transfers/staff", data=data)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert list_subprocessors() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "address": "a", "purpose": "Hosting", "country": "DE"}, "This field is required."),
        ({"name": "Host", "address": "a", "purpose": "", "country": "DE"}, "This field is required."),
        ({"name": "Host", "address": "", "purpose": "Hosting", "country": "DE"}, "This field is required."),
        ({"name": "H" * 201, "address": "a", "purpose": "Hosting", "country": "DE"}, "200"),
    ],
)
def test_staff_see_a_readable_message_beside_a_bad_field(app_ctx, staff, client, data, message):
    response = client.post("/transfers/staff", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert list_subprocessors() == []


def test_a_taken_name_is_refused_beside_the_name_field(app_ctx, staff, client):
    add(name="Hetzner")
    response = client.post(
        "/transfers/staff", data={"name": "hetzner", "address": "a", "purpose": "Hosting", "country": "DE"}
    )
    assert response.status_code == 409
    assert "This name is taken" in response.get_data(as_text=True)


def test_staff_remove_a_subprocessor(app_ctx, staff, client):
    add(name="Hetzner")
    response = client.post("/transfers/staff/remove", data={"name": "Hetzner"}, follow_redirects=True)
    assert "Hetzner is removed" in response.get_data(as_text=True)
    assert list_subprocessors() == []
    assert [c.action for c in list_changes()] == ["removed", "added"]


def test_removing_an_unknown_subprocessor_says_so(staff, client):
    response = client.post("/transfers/staff/remove", data={"name": "Nobody"}, follow_redirects=True)
    assert "No current sub-processor" in response.get_data(as_text=True)


def test_staff_find_their_page_from_the_destinations_page_and_organizers_do_not(staff, auth, client):
    assert 'href="/transfers/staff"' in client.get("/transfers/").get_data(as_text=True)
    auth.logout()
    auth.signup("ada")
    assert 'href="/transfers/staff"' not in client.get("/transfers/").get_data(as_text=True)
