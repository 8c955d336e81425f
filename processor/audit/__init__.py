"""The access log: every access to participant data, hash-chained per organizer."""

from __future__ import annotations

from flask import Flask

from processor.audit.service import record_access
from processor.extensions import api_for

__all__ = ["init_app", "record_access"]


def init_app(app: Flask) -> None:
    """Register the access-log page, its API and the `audit` commands."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.audit import api, cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.audit)
    api_for(app).register_blueprint(api.bp)
