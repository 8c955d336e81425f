"""Transfers: the dated adequacy registry, the check on every destination, and the sub-processors."""

from __future__ import annotations

from flask import Flask

from processor.extensions import api_for


def init_app(app: Flask) -> None:
    """Register the transfer pages, the transfers API and the `transfers` and `subprocessors` commands."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.transfers import api, cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.transfers)
    app.cli.add_command(cli.subprocessors)
    api_for(app).register_blueprint(api.bp)
