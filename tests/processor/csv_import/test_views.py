"""The wizard over HTTP: upload, mapping with preview, dry run, commit, report, error file; another's is hidden."""

from __future__ import annotations

import io

import pytest

from processor.csv_import import files
from processor.registries import service as registries

DATA = (
    "Imię;Nazwisko;E-mail;Notatka\r\n"
    "Żaneta;Wąsowicz;zaneta@example.pl;=cmd|' /C calc'!A0\r\n"
    "Jerzy;Brzęczyszczykiewicz;nie-email;x\r\n"
).encode("cp1250")


@pytest.fixture
def app_config():
    return {}


@pytest.fixture
def signed_in(auth):
    auth.signup()
    return auth


def upload(client, registry, data=DATA):
    return client.post(
        "/imports/",
        data={"registry": str(registry.id), "file": (io.BytesIO(data), "list.csv")},
        content_type="multipart/form-data",
    )


def mapping_form(imp_id, **overrides):
    form = {
        "encoding": "cp1250",
        "delimiter": ";",
        "on_duplicate": "skip",
        "column_0": "first_name",
        "column_1": "last_name",
        "column_2": "email",
        "column_3": "custom",
    }
    return {**form, **overrides}


def test_the_whole_wizard_imports_and_reports(client, signed_in, app_ctx):
    from processor.accounts.service import find_by_login

    account = find_by_login("ada")
    registry = registries.create_registry(account.id, "Webinar")
    response = upload(client, registry)
    assert response.status_code == 302
    mapping_url = response.headers["Location"]
    page = client.get(mapping_url).get_data(as_text=True)
    assert "Windows-1250" in page and "Semicolon" in page and "Żaneta" in page and "Wąsowicz" in page
    import_id = mapping_url.split("/")[2]

    response = client.post(mapping_url, data={**mapping_form(import_id), "action": "dry_run"})
    assert response.headers["Location"].endswith(f"/imports/{import_id}")
    page = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "Dry run: nothing is written yet" in page and "Commit the import" in page
    assert registries.list_participants(registry) == []

    client.post(f"/imports/{import_id}/commit")
    page = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "Import report" in page and 'id="total-created">1<' in page and 'id="total-errors">1<' in page
    stored = registries.find_by_email(registry, "zaneta@example.pl")
    assert (stored["first_name"], stored["last_name"]) == ("Żaneta", "Wąsowicz")
    assert stored["custom_fields"] == {"Notatka": "=cmd|' /C calc'!A0"}  # stored as given; neutralized on export

    report = client.get(f"/imports/{import_id}/errors.csv")
    assert report.headers["Content-Type"].startswith("text/csv")
    text = report.data.decode("utf-8-sig")
    assert "Brzęczyszczykiewicz" in text and text.splitlines()[1].startswith("3;E-mail;")
    assert client.get(f"/imports/{import_id}/progress").get_json()["status"] == "committed"


def test_an_image_upload_shows_a_message_beside_the_field(app_ctx, client, signed_in):
    from processor.accounts.service import find_by_login

    registry = registries.create_registry(find_by_login("ada").id, "Webinar")
    response = upload(client, registry, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    assert response.status_code == 400
    assert "This is a PNG image, not a CSV file." in response.get_data(as_text=True)


def test_another_organizers_import_is_not_found(client, auth, make_account, app):
    from processor.csv_import import service

    other = make_account("bob")
    registry = registries.create_registry(other.id, "Bob's")
    imp = service.start(other, registry, io.BytesIO(DATA))
    auth.signup()
    for path in ("", "/mapping", "/progress", "/errors.csv"):
        assert client.get(f"/imports/{imp.id}{path}").status_code == 404
    assert client.post(f"/imports/{imp.id}/commit").status_code == 404
    assert files.upload_path(imp).exists()


def test_discard_deletes_the_files(app_ctx, client, signed_in):
    from processor.accounts.service import find_by_login

    registry = registries.create_registry(find_by_login("ada").id, "Webinar")
    import_id = upload(client, registry).headers["Location"].split("/")[2]
    client.post(f"/imports/{import_id}/discard")
    assert list(files.folder().iterdir()) == []
    assert "discarded" in client.get("/imports/").get_data(as_text=True)


def test_a_registry_page_links_to_the_upload_with_that_registry_chosen(app_ctx, client, signed_in):
    from processor.accounts.service import find_by_login

    account = find_by_login("ada")
    registries.create_registry(account.id, "First")
    second = registries.create_registry(account.id, "Second")
    page = client.get(f"/registries/{second.id}").get_data(as_text=True)
    link = f"/imports/?registry={second.id}"
    assert link in page
    upload_page = client.get(link).get_data(as_text=True)
    assert f'<option selected value="{second.id}">Second</option>' in upload_page
