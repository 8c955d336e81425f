"""Account rules: sign-up, password authentication with throttling, password and settings changes."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from werkzeug.security import check_password_hash, generate_password_hash

from processor import countries
from processor.accounts import throttle
from processor.accounts.models import PLANS, Account
from processor.errors import DomainError, NotFound, ValidationFailed, field_errors
from processor.extensions import commit_or_conflict, db

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
# scrypt (werkzeug's default) is a memory-hard password hash: no employee can recover a password from it.
PASSWORD_METHOD = "scrypt"  # noqa: S105 - the name of a hash method, not a password
# Compared against when the login is unknown, so timing does not reveal which logins exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)


class LoginFailed(DomainError):
    status = 401
    slug = "login-failed"
    title = "Login failed"


LOGIN_FAILED = (
    "Wrong login or password. After several failed attempts sign-in pauses for a while; "
    "use “Forgot your password?” to get in at once."
)


def normalize_email(email: str) -> str:
    """Validate an organizer email (syntax only, no DNS) and return its normalized form."""
    return validate_email(email, check_deliverability=False).normalized


def validate_profile(*, email: str, first_name: str, last_name: str, title: str, country: str) -> dict:
    """Return {field: message} for every invalid profile field."""
    problems = {}
    try:
        normalize_email(email or "")
    except EmailNotValidError as exc:
        problems["email"] = f"Enter a valid email address ({exc})."
    for field, value, limit in (("first_name", first_name, 100), ("last_name", last_name, 100), ("title", title, 200)):
        if not (value or "").strip():
            problems[field] = "This field is required."
        elif len(value) > limit:
            problems[field] = f"At most {limit} characters."
    if not countries.is_country(country):
        problems["country"] = "Choose a country by its ISO 3166-1 code, e.g. PL."
    return problems


def validate_password(password: str) -> str | None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    return None


def create_account(
    *,
    login: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str,
    title: str,
    plan: str,
    country: str,
    role: str = "organizer",
) -> Account:
    """Create an organizer account, or raise ValidationFailed naming every bad field."""
    login = (login or "").strip().lower()
    problems = validate_profile(email=email, first_name=first_name, last_name=last_name, title=title, country=country)
    if not LOGIN_PATTERN.match(login):
        problems["login"] = "3-64 characters: lower-case letters, digits, dot, dash or underscore."
    elif find_by_login(login) is not None:
        problems["login"] = "This login is taken."
    if plan not in PLANS:
        problems["plan"] = "Choose free or paid."
    if message := validate_password(password):
        problems["password"] = message
    if problems:
        raise ValidationFailed("The account was not created.", errors=field_errors(problems))
    account = Account(
        login=login,
        email=normalize_email(email),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        title=title.strip(),
        plan=plan,
        country=country.upper(),
        role=role,
        password_hash=generate_password_hash(password, method=PASSWORD_METHOD),
    )
    db.session.add(account)
    commit_or_conflict(
        "The account was not created.", errors=field_errors({"login": "This login is taken."}), error=ValidationFailed
    )
    return account


def find_by_login(login: str) -> Account | None:
    return db.session.scalar(sa.select(Account).where(Account.login == (login or "").strip().lower()))


def get_by_login(login: str) -> Account:
    account = find_by_login(login)
    if account is None:
        raise NotFound(f"No account with login {login!r}.")
    return account


@dataclass(frozen=True)
class SignIn:
    """A verified password, and what must still happen before a session starts."""

    account: Account
    second_factor: bool  # a TOTP or recovery code must follow (always for staff)
    # The account is removed and in its hold period. Known only after the password is verified, so it reveals
    # nothing to a guesser; such a session may open only the held-account page (reactivate, return, erase early).
    held: bool


def authenticate(login: str, password: str, *, address: str) -> SignIn:
    """Verify a login and password; every refusal is the same LoginFailed after the same one password hash."""
    login = (login or "").strip().lower()
    account = find_by_login(login)
    if account is not None and account.status not in ("active", "removed"):
        account = None
    blocked = throttle.pair_blocked(login, address)
    # One scrypt hash on every path, so the answer's timing does not tell unknown, throttled and wrong apart.
    correct = check_password_hash(account.password_hash if account else _DUMMY_HASH, password or "")
    if blocked:
        raise LoginFailed(LOGIN_FAILED)
    if account is None or not correct:
        throttle.record_failure(login, address)
        raise LoginFailed(LOGIN_FAILED)
    second_factor = account.two_factor or account.is_staff
    if account.is_staff and not account.two_factor:
        raise LoginFailed(LOGIN_FAILED)  # staff without an enrolled authenticator cannot sign in at all
    if throttle.login_strained(login) and not second_factor:
        # Under a spread-out guessing attack a password alone is not enough; the reset link still is.
        raise LoginFailed(LOGIN_FAILED)
    return SignIn(account=account, second_factor=second_factor, held=account.status == "removed")


def finish_sign_in(account: Account, *, address: str) -> None:
    """Forget this address's failures for the login once the last factor is verified."""
    throttle.clear_pair(account.login, address)


def check_password(account: Account, password: str) -> bool:
    return check_password_hash(account.password_hash, password or "")


def change_password(account: Account, current: str, new: str) -> None:
    if not check_password(account, current):
        raise ValidationFailed(
            "The password was not changed.",
            errors=field_errors({"current_password": "The current password is wrong."}),
        )
    if message := validate_password(new):
        raise ValidationFailed("The password was not changed.", errors=field_errors({"new_password": message}))
    set_password(account, new)
    db.session.commit()


def set_password(account: Account, password: str) -> None:
    """Store a new password hash and end every session of the account; the caller commits."""
    account.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    account.session_version += 1


def update_settings(account: Account, *, email: str, first_name: str, last_name: str, title: str, country: str) -> None:
    """Change the editable profile fields; login, plan and creation date are not among them."""
    problems = validate_profile(email=email, first_name=first_name, last_name=last_name, title=title, country=country)
    if problems:
        raise ValidationFailed("The settings were not saved.", errors=field_errors(problems))
    account.email = normalize_email(email)
    account.first_name, account.last_name = first_name.strip(), last_name.strip()
    account.title, account.country = title.strip(), country.upper()
    db.session.commit()
