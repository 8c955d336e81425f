"""Service clients: internal services (and organizers' own integrations) that call the API with a token."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API clients page and the `clients` commands."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.clients import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.clients)
