"""The organizer page "Where your participants' data goes" and the staff page that keeps the list."""

from __future__ import annotations

import pytest

from processor.extensions import db
from processor.transfers import subprocessors as service
from processor.transfers.subprocessors import SubProcessor, list_changes, list_subprocessors


@pytest.fixture
def staff(auth, make_staff):
    auth.login_with_code(make_staff("root"))
    return auth


def add(name="Hetzner Online GmbH", country="DE", **extra):
    return service.add_subprocessor(name=name, purpose="Hosting", country=country, by="root", **extra)


def test_the_destinations_page_needs_a_login(client):
    response = client.get("/transfers/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_an_organizer_sees_the_current_list_with_its_basis_and_every_change_with_its_deadline(app_ctx, auth, client):
    auth.signup()
    add(country="JP", name="Tokyo Hosting KK")
    add(name="Gone Ltd", country="SE")
    service.remove_subprocessor("Gone Ltd", by="root")
    deadline = list_changes()[0].objection_deadline.isoformat()
    page = client.get("/transfers/").get_data(as_text=True)
    assert "<h1>Where your participants' data goes</h1>" in page
    assert "Tokyo Hosting KK" in page and "business operators under the APPI" in page and "2019/419" in page
    assert page.count("Gone Ltd") == 2  # added and removed, both in the history, not in the current list
    assert deadline in page and "(open)" in page
    assert "Art. 28(2)" in page


def test_the_menu_links_to_the_destinations_page(auth, client):
    auth.signup()
    assert 'href="/transfers/"' in client.get("/dashboard").get_data(as_text=True)


def test_a_subprocessor_whose_country_is_refused_today_is_flagged_to_organizers(app_ctx, auth, client):
    # A row written before its country's decision ended (here: written directly, as the service would refuse it).
    db.session.add(SubProcessor(name="Old Mail Inc", purpose="Mail", country="US", dpf_certified=False))
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
        "/transfers/staff", data={"name": "Mail Co", "purpose": "Mail delivery", "country": "US", "dpf_certified": "y"}
    )
    assert response.status_code == 302
    [sub] = list_subprocessors()
    assert (sub.name, sub.country, sub.dpf_certified) == ("Mail Co", "US", True)
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
    data = {"name": "Far Away Ltd", "purpose": "Hosting", "country": country}
    if certified:
        data["dpf_certified"] = certified
    response = client.post("/transfers/staff", data=data)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert list_subprocessors() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "purpose": "Hosting", "country": "DE"}, "This field is required."),
        ({"name": "Host", "purpose": "", "country": "DE"}, "This field is required."),
        ({"name": "H" * 201, "purpose": "Hosting", "country": "DE"}, "200"),
    ],
)
def test_staff_see_a_readable_message_beside_a_bad_field(app_ctx, staff, client, data, message):
    response = client.post("/transfers/staff", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert list_subprocessors() == []


def test_a_taken_name_is_refused_beside_the_name_field(app_ctx, staff, client):
    add(name="Hetzner")
    response = client.post("/transfers/staff", data={"name": "hetzner", "purpose": "Hosting", "country": "DE"})
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
