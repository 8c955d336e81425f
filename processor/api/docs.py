"""`/api/v1/docs`: the API reference (Swagger UI) on the OpenAPI document, with every asset served from here.

The Swagger UI files come from the `flask-swagger-ui` package (only its `dist/` folder is used, not its
blueprint, whose page starts Swagger UI from an inline script): no CDN, so the page works offline and under a
content security policy without inline scripts.
"""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, render_template, send_from_directory, url_for

ASSETS = Path(flask_swagger_ui.__file__).parent / "dist"
ASSET_NAMES = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")


@bp.route("")
def page():
    """Render the reference page; the script reads the document's URL from the page."""
    return render_template("api/docs.html", openapi_url=url_for("api-docs.openapi_json"))


@bp.route("/assets/<name>")
def asset(name: str):
    """Serve one Swagger UI file from the installed package."""
    if name not in ASSET_NAMES:
        return "", 404
    return send_from_directory(ASSETS, name, max_age=86400)
