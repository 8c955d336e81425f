"""The participant endpoints: purpose-bound, paginated reads of participant data by a client."""

from __future__ import annotations

from flask import Flask

from processor.extensions import api_for


def init_app(app: Flask) -> None:
    """Register the participant endpoints."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.service_api import views

    api_for(app).register_blueprint(views.bp)
