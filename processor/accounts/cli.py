"""`flask accounts ...`: create organizer accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from processor import staff
from processor.accounts import service, two_factor
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


@accounts.command("create-staff")
@click.option("--login", required=True)
@click.option("--email", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@with_appcontext
def create_staff(login, email, first_name, last_name):
    """Create a staff account; the password (16+ characters) is read from standard input (one line)."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        account, secret = staff.create_staff(
            login=login, email=email, first_name=first_name, last_name=last_name, password=password
        )
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(f"created staff account {account.login}; add it to an authenticator app with this key (shown once):")
    click.echo(secret)
    click.echo(two_factor.provisioning_uri(account))
    click.echo(f"then run: flask --app app accounts confirm-totp --login {account.login}")


@accounts.command("confirm-totp")
@click.option("--login", required=True)
@with_appcontext
def confirm_totp(login):
    """Turn on the staff account's TOTP with a first code from the app; print its recovery codes once."""
    code = click.prompt("Code from the authenticator app", err=True)
    try:
        account = service.get_by_login(login)
        if not account.is_staff:
            raise click.ClickException("Organizers turn two-factor sign-in on from their account settings.")
        codes = staff.confirm_staff_totp(account, code)
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo("two-factor sign-in is on; recovery codes (shown once, keep them apart from the phone):")
    for recovery in codes:
        click.echo(recovery)
