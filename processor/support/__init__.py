"""Processor staff looking at participant data to support the service: with a ticket and a reason, logged."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the `support` commands."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.support import cli

    app.cli.add_command(cli.support)
