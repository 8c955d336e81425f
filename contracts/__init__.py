"""The data processing agreement between an organizer (controller) and the processor."""

from __future__ import annotations

from flask import Flask

from processor.extensions import api_for


def init_app(app: Flask) -> None:
    """Register the agreement pages, its API and the `contracts` commands."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from contracts import api, cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.contracts)
    api_for(app).register_blueprint(api.bp)
