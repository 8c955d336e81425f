"""Every API error is application/problem+json; the OpenAPI document is served."""

from __future__ import annotations


def test_unknown_api_path_is_problem_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404
    assert body["title"] == "Not Found"
    assert body["type"] == "http://localhost/problems/not-found"


def test_invalid_query_is_problem_json_400_with_parameter_pointer(client):
    response = client.get("/api/v1/countries?code=X1")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["errors"] == [{"detail": "Give two letters, such as PL.", "location": "query", "parameter": "code"}]


def test_an_unassigned_country_code_is_404(client):
    response = client.get("/api/v1/countries?code=XX")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_valid_query_answers(client):
    assert client.get("/api/v1/countries?code=pl").get_json() == {"code": "PL", "name": "Poland"}


def test_openapi_document_is_served_and_documents_problem_errors(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/countries" in spec["paths"]
    assert "Problem" in spec["components"]["schemas"]


def test_web_404_is_a_friendly_page_not_json(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert b"Back to the start" in response.data


def test_unexpected_error_hides_its_message_and_gives_an_incident_id(app, client, caplog):
    @app.route("/api/v1/boom")
    def boom():
        raise RuntimeError("secret-participant@example.com")

    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    body = response.get_json()
    assert len(body["incident"]) == 12
    assert "secret-participant" not in response.get_data(as_text=True)
    assert "secret-participant" not in caplog.text
    assert body["incident"] in caplog.text
