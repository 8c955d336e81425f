"""The API base layer under /api/v1: the shell, bearer-token auth, paging, the client-access decisions, the
served contract (OpenAPI document, reference page) and the rate-limit header fields."""

from __future__ import annotations

from flask import Flask

from processor.api import auth, contract, docs, rate_headers, shell
from processor.extensions import api_for


def init_app(app: Flask) -> None:
    """Register the API shell and reference page, serve the completed document, announce rate limits."""
    api_for(app).register_blueprint(shell.bp)
    auth.document_security(app)
    app.register_blueprint(docs.bp)
    app.view_functions["api-docs.openapi_json"] = contract.openapi_json
    app.after_request(rate_headers.announce)
