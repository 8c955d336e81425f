"""Removed accounts: held for 60 or 90 days, then erased for good (seed 004, "Erasure of Processed Data")."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the exits pages, the `retention` commands and `accounts remove`/`reactivate` (after `accounts`)."""
    # circle: these modules import this package back (and other domains); at the top they would run against a
    # half-initialised package on any import of one of its modules, and pull the web stack into import workers.
    from processor.accounts.cli import accounts
    from processor.retention import cli, views

    app.register_blueprint(views.bp)
    accounts.add_command(cli.remove_account)
    accounts.add_command(cli.reactivate_account)
    app.cli.add_command(cli.retention)
