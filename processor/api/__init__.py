"""The API base layer under /api/v1: the shell, bearer-token auth, paging and the client-access decisions."""

from __future__ import annotations

from flask import Flask

from processor.api import auth, shell
from processor.extensions import api_for


def init_app(app: Flask) -> None:
    """Register the API shell and declare the bearer scheme in the OpenAPI document."""
    api_for(app).register_blueprint(shell.bp)
    auth.document_security(app)
