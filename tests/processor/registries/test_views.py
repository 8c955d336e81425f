"""Registry pages: organizers list, create, page through, find, add, edit and delete their participants."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from processor.accounts.service import find_by_login
from processor.extensions import db
from processor.registries import service as registries
from processor.registries.models import participants


@pytest.fixture
def signed_in(app_ctx, auth):
    auth.signup("ada")
    return find_by_login("ada")


@pytest.fixture
def mine(signed_in):
    return registries.create_registry(signed_in.id, "Compilers 101")


def test_index_lists_registries_and_creates_one(client, signed_in):
    response = client.post("/registries/", data={"name": "Autumn webinar", "webinar_date": "2026-12-01"})
    assert response.status_code == 302
    page = client.get("/registries/").get_data(as_text=True)
    assert "Autumn webinar" in page and "2026-12-01" in page


def test_index_requires_login(client):
    assert client.get("/registries/").status_code == 302


def test_add_participant_then_find_edit_and_delete(client, mine):
    url = f"/registries/{mine.id}"
    response = client.post(
        f"{url}/participants/new",
        data={
            "email": "grace@example.org",
            "first_name": "Grace",
            "phone": "+48 601 234 567",
            "new_custom_name": "Seat",
            "new_custom_value": "A1",
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "grace@example.org" in page
    found = client.get(url, query_string={"email": "GRACE@example.org"}).get_data(as_text=True)
    assert "grace@example.org" in found
    missing = client.get(url, query_string={"email": "nobody@example.org"}).get_data(as_text=True)
    assert "No participant has this email address." in missing
    participant = registries.find_by_email(mine, "grace@example.org")
    edit_url = f"{url}/participants/{participant['id']}"
    assert ">A1</textarea>" in client.get(edit_url).get_data(as_text=True)
    response = client.post(
        edit_url, data={"email": "grace@example.org", "first_name": "Grace", "company": "Navy", "custom:Seat": "B2"}
    )
    assert response.status_code == 302
    changed = registries.get_participant(mine, participant["id"])
    assert (changed["company"], changed["custom_fields"], changed["phone"]) == ("Navy", {"Seat": "B2"}, None)
    assert client.post(f"{edit_url}/delete").status_code == 302
    assert registries.count_participants(mine) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12", "phone"),
        ("email", "not-an-email", "email"),
        ("country", "Atlantis", "Unknown country"),
    ],
)
def test_bad_input_is_shown_beside_the_field(client, mine, field, value, message):
    data = {"email": "ok@example.org", field: value}
    response = client.post(f"/registries/{mine.id}/participants/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error"[^>]*>[^<]*', page)
    assert registries.count_participants(mine) == 0


def test_duplicate_email_is_shown_beside_the_email(client, mine):
    registries.add_participant(mine, {"email": "dup@example.org"})
    response = client.post(f"/registries/{mine.id}/participants/new", data={"email": "DUP@example.org"})
    assert response.status_code == 400
    assert "Already in this registry." in response.get_data(as_text=True)


def test_participants_are_paged(client, mine, monkeypatch):
    from processor.registries import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(5):
        registries.add_participant(mine, {"email": f"p{n}@example.org"})
    seen, url = set(), f"/registries/{mine.id}"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen |= set(re.findall(r"p\d@example\.org", page))
        link = re.search(r'href="([^"]+)" rel="next"', page)
        url = link.group(1).replace("&amp;", "&") if link else None
    assert seen == {f"p{n}@example.org" for n in range(5)}


def test_another_organizers_registry_is_not_found(client, make_account, signed_in):
    theirs = registries.create_registry(make_account("bob").id, "Bob's")
    assert client.get(f"/registries/{theirs.id}").status_code == 404
    assert client.post(f"/registries/{theirs.id}/participants/new", data={"email": "x@example.org"}).status_code == 404


def test_tampered_value_fails_with_an_incident_and_others_stay_readable(client, mine):
    bad = registries.add_participant(mine, {"email": "bad@example.org", "first_name": "Bad"})
    good = registries.add_participant(mine, {"email": "good@example.org", "first_name": "Good"})
    blob = bytearray(
        db.session.execute(sa.select(participants.c.first_name).where(participants.c.id == bad["id"])).scalar()
    )
    blob[-1] ^= 1
    db.session.execute(sa.update(participants).where(participants.c.id == bad["id"]).values(first_name=bytes(blob)))
    db.session.commit()
    response = client.get(f"/registries/{mine.id}/participants/{bad['id']}")
    assert response.status_code == 500
    assert "incident" in response.get_data(as_text=True)
    assert client.get(f"/registries/{mine.id}/participants/{good['id']}").status_code == 200
