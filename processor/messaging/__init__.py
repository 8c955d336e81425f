"""Messages to participants: only on an organizer's instruction, only of the kinds the service needs."""

from __future__ import annotations

from flask import Flask

from processor.extensions import api_for


def init_app(app: Flask) -> None:
    """Register the messaging pages and the messages API."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.messaging import api, views

    app.register_blueprint(views.bp)
    api_for(app).register_blueprint(api.bp)
