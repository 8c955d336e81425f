"""A real server's access log, after driving the pages and the API: no email, name or phone appears in it."""

from __future__ import annotations

import logging
import re
import threading
import urllib.parse

import pytest
import requests
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

PEOPLE = [
    {"email": "grace.hopper@example.org", "first_name": "Gracelyn", "last_name": "Hopperton", "phone": "+48601234567"},
    {"email": "alan.turing@example.org", "first_name": "Alanzo", "last_name": "Turingham", "phone": "+48601234568"},
]


@pytest.fixture
def logged_server(app, tmp_path):
    """The app behind werkzeug's threaded server, its access log (the `werkzeug` logger) written to a file."""
    path = tmp_path / "access.log"
    handler = logging.FileHandler(path)
    logger = logging.getLogger("werkzeug")
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", path
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        logger.removeHandler(handler)
        logger.setLevel(previous)
        handler.close()


def _forms(text: str) -> set[str]:
    """A value as it could appear in a log line: as is, lower-cased, and URL-encoded both ways."""
    return {text, text.lower(), urllib.parse.quote(text), urllib.parse.quote_plus(text), urllib.parse.quote(text, "")}


def test_access_log_holds_no_participant_email_name_or_phone(app, logged_server):
    base, log_path = logged_server
    web = requests.Session()
    signup = {
        "login": "ada",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "title": "Analytical Webinars",
        "plan": "paid",
        "country": "PL",
        "password": PASSWORD,
    }
    assert web.post(f"{base}/account/signup", data=signup).ok
    created = web.post(f"{base}/registries/", data={"name": "Spring webinar"})
    registry_url = created.url
    registry_id = registry_url.rstrip("/").rsplit("/", 1)[1]
    for person in PEOPLE:
        assert web.post(f"{registry_url}/participants/new", data=person).ok
    assert "grace.hopper@example.org" in web.get(registry_url).text
    found = web.post(f"{registry_url}/find", data={"email": PEOPLE[0]["email"]})
    assert found.ok and "/participants/" in found.url
    assert web.post(f"{registry_url}/find", data={"email": "nobody.here@example.org"}).ok
    edit_url = found.url
    assert web.post(edit_url, data={**PEOPLE[0], "company": "Navy"}).ok

    with app.app_context():
        from processor.clients import service as clients

        _, token = clients.create_client(
            name="mailer",
            scopes="participants:read",
            purposes_granted="essential.service.notifications.email",
            country="DE",
            created_by="test",
        )
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    participants = f"{base}/api/v1/registries/{registry_id}/participants"
    purpose = "essential.service.notifications.email"
    assert api.get(participants, params={"purpose": purpose}).json()["participants"]
    assert api.post(f"{participants}/search", json={"purpose": purpose, "email": PEOPLE[1]["email"]}).ok
    assert web.post(f"{edit_url}/delete").ok

    log = log_path.read_text()
    assert "/participants/search" in log and "/find" in log  # the log was written
    secrets = [value for person in PEOPLE for value in person.values()]
    secrets += ["nobody.here@example.org", "+48 601", "Navy"]
    leaked = sorted({s for s in secrets for form in _forms(s) if form in log})
    assert leaked == []
    assert re.search(r"POST /registries/[0-9a-f-]+/find", log)
