"""Marketing to organizers only: recorded opt-in consent, an audience of those who opted in, unsubscribe links."""

from __future__ import annotations

from flask import Flask

from processor.extensions import api_for


def init_app(app: Flask) -> None:
    """Register the marketing pages and the consent API."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.marketing import api, views

    app.register_blueprint(views.bp)
    api_for(app).register_blueprint(api.bp)
