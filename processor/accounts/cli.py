"""`flask accounts ...`: create organizer accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from processor.accounts import service
from processor.accounts.models import PLANS
from processor.errors import DomainError, one_line


@click.group()
def accounts():
    """Manage organizer accounts."""


@accounts.command("create")
@click.option("--login", required=True)
@click.option("--email", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--title", required=True, help="Account title, shown on the DPA.")
@click.option("--plan", type=click.Choice(PLANS), required=True)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. PL.")
@with_appcontext
def create(login, email, first_name, last_name, title, plan, country):
    """Create an account; the password is read from standard input (one line)."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        account = service.create_account(
            login=login,
            email=email,
            first_name=first_name,
            last_name=last_name,
            password=password,
            title=title,
            plan=plan,
            country=country,
        )
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(f"created account {account.login} ({account.id})")
