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
    assert "Brzęczyszczykiewicz" in text and text.splitlines()[1].startswith("3;rejected;E-mail;")
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


class _Unreadable(io.RawIOBase):
    """A request body that must not be read."""

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        return 0  # the test client rewinds the body before sending it

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def test_an_oversized_upload_is_refused_by_its_content_length_before_the_body_is_read(app, client, signed_in):
    from processor.accounts.service import find_by_login

    app.config["IMPORT_MAX_BYTES"] = 1000
    with app.app_context():
        registries.create_registry(find_by_login("ada").id, "Webinar")
    page = client.get("/imports/").get_data(as_text=True)
    assert 'data-max-bytes="1000"' in page  # the browser refuses a larger file at once (static/import_wizard.js)
    assert "import_wizard.js" in page and "<script>" not in page  # no inline script
    response = client.post(
        "/imports/",
        input_stream=_Unreadable(),
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(60 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert "The file is larger than 0 MB: split it into smaller files" in response.get_data(as_text=True)


def test_the_list_shows_file_names_counts_and_human_statuses(app_ctx, client, signed_in):
    from processor.accounts.service import find_by_login

    registry = registries.create_registry(find_by_login("ada").id, "Webinar")
    import_id = upload(client, registry).headers["Location"].split("/")[2]
    client.post(f"/imports/{import_id}/mapping", data={**mapping_form(import_id), "action": "dry_run"})
    page = client.get("/imports/").get_data(as_text=True)
    assert ">list.csv</a>" in page and "Dry run done: ready to commit" in page
    assert '<th scope="col">Warnings</th>' in page and '<th scope="col">Rows</th>' in page


def test_mapping_shows_samples_and_keeps_the_organizers_choices_after_an_error(app_ctx, client, signed_in):
    from processor.accounts.service import find_by_login

    registry = registries.create_registry(find_by_login("ada").id, "Webinar")
    mapping_url = upload(client, registry).headers["Location"]
    page = client.get(mapping_url).get_data(as_text=True)
    assert 'id="samples-0"' in page and "Żaneta · Jerzy" in page
    # no column mapped to Email: refused, and the page shows what the organizer chose, not the stored mapping
    response = client.post(
        mapping_url, data=mapping_form("", column_0="company", column_2="custom", column_3="job_title", strict="y")
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "no column is mapped to Email" in page
    assert '<option selected value="company">' in page and '<option selected value="job_title">' in page
    assert 'id="strict" name="strict" type="checkbox" value="y"' in page and "checked" in page


def test_an_ambiguous_encoding_is_shown_both_ways_and_can_be_chosen(app_ctx, client, signed_in):
    from processor.accounts.service import find_by_login

    registry = registries.create_registry(find_by_login("ada").id, "Webinar")
    data = "email;company\r\na@example.com;Crêperie Hélène\r\n".encode("cp1252")
    mapping_url = upload(client, registry, data).headers["Location"]
    page = client.get(mapping_url).get_data(as_text=True)
    assert "Which letters are right?" in page and "<td>Cręperie</td><td>Crêperie</td>" in page
    form = {"encoding": "cp1252", "use_encoding": "cp1252", "delimiter": ";", "on_duplicate": "skip"}
    response = client.post(mapping_url, data={**form, "column_0": "email", "column_1": "company", "action": "preview"})
    assert response.status_code == 302
    page = client.get(mapping_url).get_data(as_text=True)
    assert "Crêperie Hélène" in page and "Which letters are right?" in page  # the other way is still offered


def test_the_report_page_shows_warnings_apart_and_sets_the_delete_button_apart_with_a_confirmation(
    app_ctx, client, signed_in
):
    from processor.accounts.service import find_by_login

    registry = registries.create_registry(find_by_login("ada").id, "Webinar")
    data = b"email;phone\r\na@example.com;12\r\nnot-an-email;\r\n"
    import_id = upload(client, registry, data).headers["Location"].split("/")[2]
    form = {"encoding": "utf-8", "delimiter": ";", "on_duplicate": "skip", "column_0": "email", "column_1": "phone"}
    client.post(f"/imports/{import_id}/mapping", data={**form, "action": "dry_run"})
    page = client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert 'id="total-warnings">1<' in page and 'id="total-errors">1<' in page
    assert "Warnings: participants imported, this value left empty" in page and "Errors: rows not imported" in page
    commit_at, delete_at = page.index("Commit the import"), page.index('class="card danger-zone"')
    assert commit_at < delete_at and "data-confirm=" in page[delete_at:]


def test_a_workbook_sheet_is_switched_on_the_mapping_page(app_ctx, client, signed_in):
    from processor.accounts.service import find_by_login
    from tests.processor.csv_import.test_keeps_participants import WORKBOOK_ROWS, workbook_bytes

    registry = registries.create_registry(find_by_login("ada").id, "Webinar")
    mapping_url = upload(client, registry, workbook_bytes(WORKBOOK_ROWS, sheets=("Participants", "Late"))).headers[
        "Location"
    ]
    page = client.get(mapping_url).get_data(as_text=True)
    assert '<option selected value="Participants">' in page and "Ala · Ola" in page
    form = {"on_duplicate": "skip", "sheet": "Late", **{f"column_{i}": "ignore" for i in range(5)}}
    response = client.post(mapping_url, data={**form, "encoding": "utf-8", "delimiter": ",", "action": "preview"})
    assert response.status_code == 302
    page = client.get(mapping_url).get_data(as_text=True)
    assert '<option selected value="Late">' in page and "late@example.com" in page
