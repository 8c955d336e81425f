"""Registry pages through the Flask test client: rename, confirmed delete, export, search, sort, lawful basis.

Every participant read, the export and the deletion go through the gate: each test also checks its access-log
entry. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import requests
import sqlalchemy as sa

from processor.access import Actor, gate
from processor.accounts.service import find_by_login
from processor.audit import service as audit
from processor.clients import service as clients
from processor.csv_import import files
from processor.csv_import.models import Import
from processor.extensions import db
from processor.registries import export as exports
from processor.registries import service as registries
from processor.registries import views
from processor.registries.models import Registry, deletions, participants
from processor.registries.service import AccountOnHold
from processor.retention import service as retention
from tests.conftest import PASSWORD
from tests.processor import people
from tests.processor.access.test_no_personal_data_in_urls import _forms as url_forms
from tests.processor.access.test_no_personal_data_in_urls import logged_server  # noqa: F401 (a fixture, used by name)

PEOPLE = [
    {"email": "lukasz@example.org", "first_name": "Łukasz", "last_name": "Żółkiewski", "company": "Gdańsk Ports"},
    {"email": "anna@example.org", "first_name": "Anna", "last_name": "Nowak", "company": "Portal Media"},
    {"email": "zoe@example.org", "first_name": "Zoë", "last_name": "Abbott", "company": "Acme"},
    {"email": "bob@example.org", "first_name": "Bob", "last_name": "Müller", "company": '=HYPERLINK("x")'},
    {"email": "nobody@example.org"},
]


@pytest.fixture
def signed_in(app_ctx, auth):
    auth.signup("ada")
    return find_by_login("ada")


@pytest.fixture
def mine(signed_in):
    registry = registries.create_registry(signed_in.id, "Compilers 101")
    for person in PEOPLE:
        people.add_participant(registry, person)
    return registry


def entries(account_id):
    """The organizer's access-log entries, oldest first."""
    return list(reversed(audit.list_entries(account_id)))


def emails(page: str) -> list[str]:
    return re.findall(r">([a-z0-9]+@example\.org)</a>", page)


# Rename and delete ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "shown"), [("Compilers 102", "renamed to Compilers 102"), ("   ", "name")])
def test_rename_changes_only_the_name(client, mine, name, shown):
    response = client.post(f"/registries/{mine.id}/rename", data={"name": name}, follow_redirects=True)
    assert shown in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registry, mine.id).name == (name if name.strip() else "Compilers 101")
    assert registries.count_participants(mine) == len(PEOPLE)


def test_registry_delete_asks_first_and_erases_its_participants_with_a_log_entry(client, mine, signed_in):
    other = registries.create_registry(signed_in.id, "Keep me")
    people.add_participant(other, {"email": "kept@example.org"})
    registry_id = mine.id
    page = client.get(f"/registries/{registry_id}").get_data(as_text=True)
    # The button only opens the question; the form that deletes sits inside the closed disclosure.
    assert re.search(r'<details class="confirm">\s*<summary class="button danger">Delete this registry</summary>', page)
    assert client.post(f"/registries/{registry_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Registry, registry_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).where(participants.c.registry_id == registry_id)) == 0
    assert registries.count_participants(other) == 1
    (entry,) = [e for e in entries(signed_in.id) if e.reason.startswith("registry deleted")]
    assert (entry.records, entry.allowed, entry.channel, entry.registry_id) == (len(PEOPLE), True, "web", registry_id)
    assert f"{len(PEOPLE)} participants erased" in entry.reason


def test_registry_delete_removes_its_import_rows_and_files(client, mine, signed_in, app):
    people.delete_participant(mine, people.find_by_email(mine, "anna@example.org")["id"])  # a deletion marker
    imp = Import(
        account_id=signed_in.id,
        registry_id=mine.id,
        status="committed",
        file_sha256="0" * 64,
        file_size=1,
        encoding="utf-8",
        delimiter=",",
        header=[],
        mapping=[],
    )
    db.session.add(imp)
    db.session.commit()
    upload, registry_id = files.upload_path(imp), mine.id
    upload.write_bytes(b"ciphertext")
    assert client.post(f"/registries/{registry_id}/delete").status_code == 302
    assert not upload.exists()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Import.__table__)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(deletions.c.registry_id == registry_id)) == 0


def test_registry_delete_is_refused_for_a_held_account_and_the_refusal_logged(app_ctx, mine, signed_in):
    retention.remove_account(signed_in)
    with pytest.raises(AccountOnHold):
        gate.erase_registry(Actor.organizer(signed_in), mine)
    db.session.expire_all()
    assert db.session.get(Registry, mine.id) is not None
    assert registries.count_participants(mine) == len(PEOPLE)
    assert [e.allowed for e in entries(signed_in.id) if e.registry_id == mine.id][-1] is False


def test_another_organizers_registry_cannot_be_renamed_deleted_or_exported(client, make_account, signed_in):
    theirs = registries.create_registry(make_account("bob").id, "Bob's")
    for path, data in [("rename", {"name": "Mine now"}), ("delete", {}), ("export", {"format": "csv"})]:
        assert client.post(f"/registries/{theirs.id}/{path}", data=data).status_code == 404
    db.session.expire_all()
    assert db.session.get(Registry, theirs.id).name == "Bob's"


# Export -----------------------------------------------------------------------------------------------------------


def test_csv_export_downloads_every_participant_neutralised_and_is_logged(client, mine, signed_in):
    page = client.get(f"/registries/{mine.id}/export").get_data(as_text=True)
    assert 'id="destination">PL<' in page
    response = client.post(f"/registries/{mine.id}/export", data={"format": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["email"] for r in rows) == sorted(p["email"] for p in PEOPLE)
    assert {r["company"] for r in rows if r["email"] == "bob@example.org"} == {'\'=HYPERLINK("x")'}
    entry = entries(signed_in.id)[-1]
    assert (entry.records, entry.allowed, entry.destination_country) == (len(PEOPLE), True, "PL")
    assert entry.reason == "export: web download (CSV)" and "lawful_basis" in entry.field_list


def test_json_export_reads_back(client, mine, signed_in):
    response = client.post(f"/registries/{mine.id}/export", data={"format": "json"})
    body = json.loads(response.get_data(as_text=True))
    assert body["registry"]["name"] == "Compilers 101"
    assert {p["first_name"] for p in body["participants"]} == {"Łukasz", "Anna", "Zoë", "Bob", None}
    assert entries(signed_in.id)[-1].records == len(PEOPLE)


def test_export_to_a_country_the_transfer_rules_refuse_is_refused_and_logged(client, app_ctx, auth):
    auth.signup("sam", country="US")  # the US needs the recipient's DPF certification, which no one attested
    account = find_by_login("sam")
    registry = registries.create_registry(account.id, "US webinar")
    people.add_participant(registry, {"email": "x@example.org"})
    response = client.post(f"/registries/{registry.id}/export", data={"format": "csv"})
    assert response.status_code == 403
    assert "x@example.org" not in response.get_data(as_text=True)
    entry = entries(account.id)[-1]
    assert (entry.allowed, entry.records, entry.destination_country) == (False, 0, "US")


def test_a_stream_the_reader_stops_is_logged_with_what_was_sent(app_ctx, mine, signed_in, monkeypatch):
    monkeypatch.setattr(exports, "ROWS_PER_CHUNK", 2)
    stream = gate.export_stream(
        Actor.organizer(signed_in),
        mine,
        lambda registry, rows: exports.csv_chunks(registry, rows, per_chunk=2),
        destination="PL",
        reason="web download (CSV)",
    )
    first = next(stream)  # the header and two rows
    assert first.count("@example.org") == 2
    stream.close()
    entry = entries(signed_in.id)[-1]
    assert entry.records == 2 and "FAILED after 2 records" in entry.reason


def test_export_form_needs_a_known_format(client, mine):
    assert client.post(f"/registries/{mine.id}/export", data={"format": "xlsx"}).status_code == 400


# Search -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("lukasz", ["lukasz@example.org"]),  # accents and case ignored
        ("ŻÓŁK", ["lukasz@example.org"]),
        ("port", ["lukasz@example.org", "anna@example.org"]),  # companies: Gdańsk Ports, Portal Media
        ("zoe", ["zoe@example.org"]),
        ("muller", ["bob@example.org"]),
        ("nobody", []),  # emails are not searched: use find by email
    ],
)
def test_search_by_name_or_company_finds_the_right_people(client, mine, text, found):
    response = client.post(f"/registries/{mine.id}/search", data={"q": text})
    assert response.status_code == 200
    assert sorted(emails(response.get_data(as_text=True))) == sorted(found)


def test_search_is_logged_once_with_the_matches_and_not_the_text(client, mine, signed_in):
    client.post(f"/registries/{mine.id}/search", data={"q": "Port"})
    entry = entries(signed_in.id)[-1]
    assert (entry.purpose, entry.records, entry.allowed) == ("essential.service", 2, True)
    assert "searched in 5 rows" in entry.reason and "Port" not in entry.reason
    assert set(entry.field_list) >= {"first_name", "last_name", "company", "email"}


def test_search_pages_by_reposting_and_says_when_its_bound_stops_it(client, signed_in, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "SCAN_LIMIT", 3)
    registry = registries.create_registry(signed_in.id, "Big")
    for n in range(7):
        people.add_participant(registry, {"email": f"p{n}@example.org", "company": "Acme" if n % 2 else "Other"})
    url, data, seen, pages = f"/registries/{registry.id}/search", {"q": "acme"}, [], []
    while True:
        page = client.post(url, data=data).get_data(as_text=True)
        pages.append(page)
        seen += emails(page)
        after = re.search(r'name="after" value="([^"]+)"', page)
        if not after:
            break
        data = {"q": "acme", "after": after.group(1).replace("&#43;", "+")}
    assert sorted(seen) == ["p1@example.org", "p3@example.org", "p5@example.org"]
    # p0-p2 hold one match (the bound stops the scan), p3-p5 two (a full page), p6 none (the end).
    assert [emails(page) for page in pages] == [["p1@example.org"], ["p3@example.org", "p5@example.org"], []]
    assert "This search stopped after 3 participants" in pages[0] and "Continue searching" in pages[0]
    assert "Next matches" in pages[1] and "stopped" not in pages[1]


def test_search_needs_two_characters_and_a_bad_position_is_400(client, mine):
    response = client.post(f"/registries/{mine.id}/search", data={"q": "a"}, follow_redirects=True)
    assert "at least 2 characters" in response.get_data(as_text=True)
    assert client.post(f"/registries/{mine.id}/search", data={"q": "ab", "after": "yesterday"}).status_code == 400


def test_search_is_a_post_and_the_page_has_no_query_in_a_link(client, mine):
    assert client.get(f"/registries/{mine.id}/search").status_code == 405
    page = client.post(f"/registries/{mine.id}/search", data={"q": "Nowak"}).get_data(as_text=True)
    assert not re.search(r'href="[^"]*Nowak', page)


# Sort -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=last_name&order=asc", ["zoe", "bob", "anna", "lukasz", "nobody"]),  # Abbott, Müller, Nowak, Żółk…
        ("sort=last_name&order=desc", ["lukasz", "anna", "bob", "zoe", "nobody"]),  # empty names stay last
        ("sort=email&order=asc", ["anna", "bob", "lukasz", "nobody", "zoe"]),
        ("sort=company&order=asc", ["bob", "zoe", "lukasz", "anna", "nobody"]),  # =HYPERLINK, Acme, Gdańsk, Portal
        ("sort=added&order=asc", ["lukasz", "anna", "zoe", "bob", "nobody"]),
        ("sort=added&order=desc", ["nobody", "bob", "zoe", "anna", "lukasz"]),
        ("", ["nobody", "bob", "zoe", "anna", "lukasz"]),  # newest first by default
    ],
)
def test_participants_are_sorted(client, mine, query, expected):
    page = client.get(f"/registries/{mine.id}?{query}").get_data(as_text=True)
    assert [e.split("@")[0] for e in emails(page)] == expected


def test_by_default_the_last_changed_come_first(client, mine):
    people.update_participant(mine, people.find_by_email(mine, "anna@example.org")["id"], {"company": "Navy"})
    page = client.get(f"/registries/{mine.id}").get_data(as_text=True)
    assert [e.split("@")[0] for e in emails(page)] == ["anna", "nobody", "bob", "zoe", "lukasz"]


@pytest.mark.parametrize("sort", ["added", "changed", "last_name"])
def test_sorted_pages_cover_everyone_once(client, signed_in, monkeypatch, sort):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    registry = registries.create_registry(signed_in.id, "Paged")
    for n in range(5):
        people.add_participant(registry, {"email": f"p{n}@example.org", "last_name": f"Name{4 - n}"})
    seen, url = [], f"/registries/{registry.id}?sort={sort}&order=asc"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += emails(page)
        link = re.search(r'href="([^"]+)" rel="next"', page)
        url = link.group(1).replace("&amp;", "&") if link else None
    expected = [f"p{n}@example.org" for n in range(5)]
    assert seen == (expected[::-1] if sort == "last_name" else expected)


def test_sorting_a_large_registry_by_an_encrypted_field_falls_back_and_says_why(client, mine, monkeypatch):
    monkeypatch.setattr(views, "SORT_BOUND", 3)
    page = client.get(f"/registries/{mine.id}?sort=last_name").get_data(as_text=True)
    assert 'id="sort-notice"' in page and "up to 3 participants" in page
    assert [e.split("@")[0] for e in emails(page)] == ["nobody", "bob", "zoe", "anna", "lukasz"]


def test_a_sorted_page_is_logged_with_what_it_decrypted(client, mine, signed_in):
    client.get(f"/registries/{mine.id}?sort=last_name")
    entry = entries(signed_in.id)[-1]
    assert entry.records == len(PEOPLE) and "5 rows decrypted to sort" in entry.reason


@pytest.mark.parametrize("query", ["sort=phone", "sort=email&order=up", "page=0&sort=email", "after=x"])
def test_bad_sort_or_page_is_400(client, mine, query):
    assert client.get(f"/registries/{mine.id}?{query}").status_code == 400


# Lawful basis, times, delete button -------------------------------------------------------------------------------


def test_lawful_basis_is_chosen_from_the_article_6_list(client, mine):
    page = client.get(f"/registries/{mine.id}/participants/new").get_data(as_text=True)
    offered = re.findall(r'<option[^>]*value="([^"]*)"', page.split('id="lawful_basis"')[1].split("</select>")[0])
    assert offered == ["", "consent", "contract", "legal_obligation", "vital_interests", "public_task",
                       "legitimate_interests"]  # fmt: skip
    response = client.post(
        f"/registries/{mine.id}/participants/new", data={"email": "new@example.org", "lawful_basis": "contract"}
    )
    assert response.status_code == 302
    added = people.find_by_email(mine, "new@example.org")
    assert added["lawful_basis"] == "contract"
    page = client.get(f"/registries/{mine.id}/participants/{added['id']}").get_data(as_text=True)
    assert "Contract — Art. 6(1)(b)" in page


def test_free_text_lawful_basis_is_refused_from_the_form(client, mine):
    response = client.post(
        f"/registries/{mine.id}/participants/new", data={"email": "new@example.org", "lawful_basis": "because"}
    )
    assert response.status_code == 400 and people.find_by_email(mine, "new@example.org") is None


def test_a_lawful_basis_recorded_as_free_text_stays_readable_and_is_kept_on_save(client, mine):
    person = people.add_participant(mine, {"email": "old@example.org", "lawful_basis": "Ticket terms §4"})
    url = f"/registries/{mine.id}/participants/{person['id']}"
    page = client.get(url).get_data(as_text=True)
    assert 'selected value="Ticket terms §4"' in page or 'value="Ticket terms §4" selected' in page
    assert "As recorded: Ticket terms §4" in page
    response = client.post(url, data={"email": "old@example.org", "lawful_basis": "Ticket terms §4"})
    assert response.status_code == 302
    assert people.get_participant(mine, person["id"])["lawful_basis"] == "Ticket terms §4"


def test_times_are_readable_and_the_delete_buttons_ask_first(client, mine):
    page = client.get(f"/registries/{mine.id}").get_data(as_text=True)
    assert re.search(r'<time datetime="[^"]+" data-local>\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC</time>', page)
    assert 'class="link"' not in page.split("<main")[1]
    assert page.count('<summary class="button danger">Delete</summary>') == len(PEOPLE)
    person = people.find_by_email(mine, "anna@example.org")
    page = client.get(f"/registries/{mine.id}/participants/{person['id']}").get_data(as_text=True)
    assert '<summary class="button danger">Delete participant</summary>' in page
    shown = re.sub(r'datetime="[^"]*"', "", page.split('<dl class="facts">')[1])
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", shown)


# Nothing personal in the server's access log -----------------------------------------------------------------------


def test_search_sort_and_export_leave_no_name_in_the_servers_access_log(app, logged_server):  # noqa: F811 (the fixture)
    base, log_path = logged_server
    web = requests.Session()
    signup = {"login": "ada", "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace",
              "title": "Analytical Webinars", "plan": "paid", "country": "PL", "password": PASSWORD}  # fmt: skip
    assert web.post(f"{base}/account/signup", data=signup).ok
    registry_url = web.post(f"{base}/registries/", data={"name": "Spring webinar"}).url
    for person in PEOPLE:
        assert web.post(f"{registry_url}/participants/new", data=person).ok
    page = web.post(f"{registry_url}/search", data={"q": "Żółkiewski"})
    assert "lukasz@example.org" in page.text
    after = re.search(r'name="after" value="([^"]+)"', web.post(f"{registry_url}/search", data={"q": "Nowak"}).text)
    assert after is None  # one match, the registry's end: nothing to continue
    assert "anna@example.org" in web.get(registry_url, params={"sort": "last_name", "order": "desc"}).text
    assert web.post(f"{registry_url}/export", data={"format": "csv"}).ok
    log = log_path.read_text()
    assert re.search(r"POST /registries/[0-9a-f-]+/search", log) and "sort=last_name" in log
    secrets = ["Żółkiewski", "Zolkiewski", "zolk", "Nowak", "Łukasz", "Gdańsk", "lukasz@example.org"]
    assert sorted({s for s in secrets for form in url_forms(s) if form in log}) == []


def test_a_client_limited_to_a_deleted_registry_reaches_no_other(client, mine, signed_in):
    other = registries.create_registry(signed_in.id, "Other")
    people.add_participant(other, {"email": "other@example.org"})
    _, token = clients.create_client(
        name="limited",
        scopes="participants:read",
        purposes_granted="essential.service",
        country="PL",
        account_id=signed_in.id,
        created_by="test",
        registries=[mine.id],
    )

    def read(registry_id):
        return client.get(
            f"/api/v1/registries/{registry_id}/participants",
            query_string={"purpose": "essential.service"},
            headers={"Authorization": f"Bearer {token}"},
        ).status_code

    mine_id = mine.id
    assert (read(mine_id), read(other.id)) == (200, 404)
    assert client.post(f"/registries/{mine_id}/delete").status_code == 302
    assert (read(mine_id), read(other.id)) == (404, 404)  # its limit is gone with the registry, not widened


def test_pages_with_participant_data_are_not_cached(client, mine):
    person = people.find_by_email(mine, "anna@example.org")
    for response in (
        client.get(f"/registries/{mine.id}"),
        client.post(f"/registries/{mine.id}/search", data={"q": "Nowak"}),
        client.get(f"/registries/{mine.id}/participants/{person['id']}"),
        client.post(f"/registries/{mine.id}/export", data={"format": "json"}),
    ):
        assert response.headers["Cache-Control"] == "no-store"
