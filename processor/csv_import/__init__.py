"""Import participants from CSV files: detection, mapping, a whole-file dry run, an all-or-nothing commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the import's worker processes load this package without the web stack
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the import pages and `participants import` (after the registries' `participants` group)."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.csv_import import cli, views
    from processor.registries.cli import participants

    app.register_blueprint(views.bp)
    participants.add_command(cli.import_participants)
