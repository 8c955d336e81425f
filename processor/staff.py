"""Processor staff: people with their own accounts (role `staff`, strong password, TOTP), and how they prove it.

On the web a staff member signs in like anyone else, and always with a second factor. On the command line the
support tools ask for a staff login, password and current code (`authenticate_staff`), or take the token of an
API client of kind `staff` (`authenticate_staff_client`). Neither a setting nor the OS user names anyone staff.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import click
from flask_login import current_user, login_required

from processor.accounts import service as accounts
from processor.accounts import throttle, two_factor
from processor.accounts.models import Account
from processor.clients import service as clients
from processor.errors import DomainError, Forbidden, ValidationFailed, field_errors
from processor.extensions import db

log = logging.getLogger(__name__)

MIN_STAFF_PASSWORD_LENGTH = 16
# The address staff sign-ins from the command line are throttled under (the machine's own shell).
CLI_ADDRESS = "cli"


class StaffAuthFailed(DomainError):
    status = 401
    slug = "staff-authentication-failed"
    title = "Staff authentication failed"


@dataclass(frozen=True)
class StaffActor:
    """Who, on the processor's side, is looking: a staff account's login or a staff client's name."""

    name: str
    via: str  # "account" or "client"


def is_staff(account) -> bool:
    return bool(getattr(account, "is_authenticated", False)) and getattr(account, "role", None) == "staff"


def staff_required(view):
    """Let only signed-in staff accounts through; anyone else signed in gets 403."""

    @functools.wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not is_staff(current_user):
            raise Forbidden("This page is for the processor's staff only.")
        return view(*args, **kwargs)

    return guarded


def create_staff(*, login: str, email: str, first_name: str, last_name: str, password: str) -> tuple[Account, str]:
    """Create a staff account with TOTP on; return it with the secret for the authenticator (shown once)."""
    problem = None
    if len(password or "") < MIN_STAFF_PASSWORD_LENGTH:
        problem = f"Staff use at least {MIN_STAFF_PASSWORD_LENGTH} characters."
    elif (login or "").strip().lower() in password.lower():
        problem = "The password must not contain the login."
    if problem:
        raise ValidationFailed("The staff account was not created.", errors=field_errors({"password": problem}))
    account = accounts.create_account(
        login=login,
        email=email,
        first_name=first_name,
        last_name=last_name,
        password=password,
        title="Processor staff",
        plan="paid",
        country="PL",
        role="staff",
    )
    secret = two_factor.new_secret(account)
    return account, secret


def confirm_staff_totp(account: Account, code: str) -> list[str]:
    """Turn the staff account's TOTP on with a first code; return its recovery codes."""
    return two_factor.enable(account, code)


def authenticate_staff(login: str, password: str, code: str) -> StaffActor:
    """Check a staff member's login, password and current code; one answer for every failure."""
    failed = StaffAuthFailed("Unknown staff login, or a wrong password or code.")
    try:
        attempt = accounts.authenticate(login, password, address=CLI_ADDRESS)
    except accounts.LoginFailed:
        raise failed from None
    account = attempt.account
    if not account.is_staff or attempt.held or not two_factor.verify(account, code):
        throttle.record_failure(account.login, CLI_ADDRESS)
        raise failed
    accounts.finish_sign_in(account, address=CLI_ADDRESS)
    log.info("staff %s signed in on the command line", account.login)
    return StaffActor(name=account.login, via="account")


def cli_options(command):
    """Add the staff sign-in options (`--staff LOGIN`, or `STAFF_CLIENT_TOKEN`) to a click command."""
    command = click.option(
        "--client-token",
        envvar="STAFF_CLIENT_TOKEN",
        show_envvar=True,
        default=None,
        help="Instead of --staff: the token of an API client of kind staff (best from the environment).",
    )(command)
    return click.option(
        "--staff", "staff_login", default=None, help="Your staff login; the password and code are asked for."
    )(command)


def cli_sign_in(staff_login: str | None, client_token: str | None) -> StaffActor:
    """Authenticate on the terminal: a staff client's token, or a staff login with password and code asked."""
    if client_token:
        return authenticate_staff_client(client_token)
    if not staff_login:
        raise click.UsageError("Sign in: give --staff LOGIN (password and code are asked), or set STAFF_CLIENT_TOKEN.")
    password = click.prompt("Password", hide_input=True, err=True)
    code = click.prompt("Authentication code", err=True)
    return authenticate_staff(staff_login, password, code)


def authenticate_staff_client(token: str) -> StaffActor:
    """Check the token of an API client of kind `staff`."""
    try:
        client = clients.authenticate(f"Bearer {(token or '').strip()}")
    except DomainError:
        client = None
    if client is None or client.kind != "staff":
        db.session.rollback()
        raise StaffAuthFailed("The token is not an active staff client's.")
    log.info("staff client %s signed in on the command line", client.name)
    return StaffActor(name=f"client:{client.name}", via="client")
