"""An outage shows the styled error page or problem+json with an incident id, never Werkzeug's bare page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from processor.accounts import views as account_views
from processor.extensions import login_manager


@pytest.fixture
def broken_database(app, monkeypatch, auth):
    """A logged-in organizer, then a database that fails every query (the user loader included)."""

    def down(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    app.add_url_rule("/outage", "outage", down)
    app.add_url_rule("/api/v1/outage", "api_outage", down)
    auth.signup()
    auth.login()
    monkeypatch.setattr(login_manager, "_user_callback", down)
    monkeypatch.setattr(account_views.sessions, "load", down)


def test_an_outage_on_a_page_shows_the_styled_page_with_an_incident_id(client, broken_database):
    response = client.get("/outage")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "Incident id" in body and "style.css" in body
    assert "connection refused" not in body


def test_an_outage_on_the_api_is_problem_json_with_an_incident_id(client, broken_database):
    response = client.get("/api/v1/outage")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert response.json["incident"] and "connection refused" not in response.get_data(as_text=True)
