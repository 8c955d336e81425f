"""Password reset by emailed link: a signed, expiring token that works once.

The token signs the account id and a fingerprint of its current password hash and session version, so it
stops working as soon as it is used (the password and the session version change), when another reset or a
password change happens, and after RESET_TOKEN_MAX_AGE seconds. Nothing is stored; the link is the only copy.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from processor.accounts import mail, service, throttle
from processor.accounts.models import Account
from processor.errors import DomainError, ValidationFailed, field_errors
from processor.extensions import db

SALT = "password-reset"
DEFAULT_MAX_AGE = 3600


class ResetLinkInvalid(DomainError):
    status = 400
    slug = "reset-link-invalid"
    title = "Reset link not valid"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(account: Account) -> str:
    return hashlib.sha256(f"{account.password_hash}:{account.session_version}".encode()).hexdigest()[:24]


def make_token(account: Account) -> str:
    return _serializer().dumps({"a": str(account.id), "f": _fingerprint(account)})


def request_reset(email: str, *, link_for) -> None:
    """Mail a reset link to every active account with this address; say nothing about whether there is one."""
    try:
        email = service.normalize_email(email or "")
    except ValueError:
        return
    accounts = db.session.scalars(sa.select(Account).where(Account.email == email, Account.status == "active"))
    for account in accounts:
        if not throttle.allow_reset_mail(account.login):
            continue
        minutes = _max_age() // 60
        mail.send(
            account.email,
            "Reset your password",
            f"Someone asked to reset the password of the account {account.login}.\n\n"
            f"To choose a new password, open this link within {minutes} minutes (it works once):\n\n"
            f"{link_for(make_token(account))}\n\n"
            "If it was not you, ignore this mail: your password stays as it is.\n",
        )


def account_for(token: str) -> Account:
    """The account a still-valid token names, or ResetLinkInvalid."""
    try:
        data = _serializer().loads(token, max_age=_max_age())
        account, fingerprint = db.session.get(Account, uuid.UUID(data["a"])), str(data["f"])
    except (BadData, KeyError, TypeError, ValueError):
        account, fingerprint = None, ""
    if account is None or not account.is_active or not hmac.compare_digest(_fingerprint(account), fingerprint):
        raise ResetLinkInvalid("This reset link has expired or was already used. Ask for a new one.")
    return account


def complete_reset(token: str, password: str, *, address: str) -> Account:
    """Set the new password the link's holder chose; the link then stops working and other sessions end."""
    account = account_for(token)
    if message := service.validate_password(password):
        raise ValidationFailed("The password was not changed.", errors=field_errors({"password": message}))
    service.set_password(account, password)
    db.session.commit()
    throttle.clear_all(account.login, address)
    return account


def _max_age() -> int:
    return int(current_app.config.get("RESET_TOKEN_MAX_AGE") or DEFAULT_MAX_AGE)
