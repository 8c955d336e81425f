"""Data-subject requests (GDPR Art 12-22) the organizer receives: recorded, timed, carried out, every step logged."""

from __future__ import annotations

from flask import Flask

from processor.extensions import api_for


def init_app(app: Flask) -> None:
    """Register the requests pages, the subject-requests API and the `requests` commands."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.subject_requests import api, cli, views

    app.register_blueprint(views.bp)
    api_for(app).register_blueprint(api.bp)
    app.cli.add_command(cli.requests_group)
