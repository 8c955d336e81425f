"""Account rules: sign-up, authentication with throttling, password and settings changes."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from werkzeug.security import check_password_hash, generate_password_hash

from processor import countries
from processor.accounts.models import PLANS, Account
from processor.db_types import utcnow
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


class AccountHeld(DomainError):
    """The password is right but the account is removed: its exits page, not a session (issue 14)."""

    status = 409
    slug = "account-held"
    title = "The account is removed"

    def __init__(self, account: Account):
        super().__init__("The account is removed; its data is held.")
        self.account = account


class AccountLocked(DomainError):
    status = 429
    slug = "account-locked"
    title = "Too many failed logins"


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
    *, login: str, email: str, first_name: str, last_name: str, password: str, title: str, plan: str, country: str
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


def authenticate(
    login: str, password: str, *, max_failures: int, lock_seconds: int, now: dt.datetime | None = None
) -> Account:
    """Return the account for a correct login and password; count failures and lock after too many."""
    now = now or utcnow()
    account = find_by_login(login)
    if account is None or account.status not in ("active", "removed"):
        check_password_hash(_DUMMY_HASH, password or "")
        raise LoginFailed("Wrong login or password.")
    if account.locked_until and account.locked_until > now:
        raise AccountLocked("Too many failed logins. Try again in a few minutes.")
    if not check_password_hash(account.password_hash, password or ""):
        account.failed_logins += 1
        if account.failed_logins >= max_failures:
            account.locked_until = now + dt.timedelta(seconds=lock_seconds)
            account.failed_logins = 0
        db.session.commit()
        raise LoginFailed("Wrong login or password.")
    account.failed_logins = 0
    account.locked_until = None
    db.session.commit()
    # --- Held account (issue 14): only after the password is verified, so a wrong one reads the same. ---
    if account.status == "removed":
        raise AccountHeld(account)
    return account


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
    account.password_hash = generate_password_hash(new, method=PASSWORD_METHOD)
    account.session_version += 1
    db.session.commit()


def update_settings(account: Account, *, email: str, first_name: str, last_name: str, title: str, country: str) -> None:
    """Change the editable profile fields; login, plan and creation date are not among them."""
    problems = validate_profile(email=email, first_name=first_name, last_name=last_name, title=title, country=country)
    if problems:
        raise ValidationFailed("The settings were not saved.", errors=field_errors(problems))
    account.email = normalize_email(email)
    account.first_name, account.last_name = first_name.strip(), last_name.strip()
    account.title, account.country = title.strip(), country.upper()
    db.session.commit()


def load_session_account(session_id: str) -> Account | None:
    """Resolve Flask-Login's id ("uuid:version"); a stale version (password changed) logs the session out."""
    account_id, _, version = session_id.partition(":")
    try:
        account = db.session.get(Account, uuid.UUID(account_id))
    except ValueError:
        return None
    if account is None or str(account.session_version) != version or not account.is_active:
        return None
    return account
