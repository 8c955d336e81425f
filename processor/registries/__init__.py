"""Participant registries: organizer-controlled sets of participants, encrypted field by field."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the import's worker processes load this package (registries.rows) without the web stack
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the registry pages and the `registries` and `participants` commands."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.registries import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.registries)
    app.cli.add_command(cli.participants)
