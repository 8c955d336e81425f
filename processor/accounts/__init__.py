"""Organizer accounts (the seeds' "User"): the controllers of their participants' data."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the account pages and the `accounts` commands."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.accounts import cli, security_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(security_views.bp)
    app.cli.add_command(cli.accounts)
