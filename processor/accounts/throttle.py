"""Login throttles, kept in Flask-Limiter's storage (RATELIMIT_STORAGE_URI) beside the per-address limits.

Three layers slow a password guesser without letting a stranger lock an organizer out:

- per client address, on every sign-in form (`ADDRESS_LIMIT`, Flask-Limiter's decorator): 429 for everyone
  alike, so it says nothing about which logins exist;
- per (login, address) failures (`PAIR_LIMIT`): once spent, that address gets the ordinary "wrong login or
  password" answer for that login whatever it sends; the organizer at another address is not affected;
- per login, from any address (`ACCOUNT_LIMIT`, far higher): once spent, a password alone no longer signs in;
  a password with a TOTP code still does, and so does the emailed reset link. A botnet can force an organizer
  without two-factor to use the reset link, but cannot lock them out or keep guessing at full speed.

The keys hold a hash of the login (the storage is not a list of who has an account) and of the address.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from limits import parse

from processor.extensions import limiter

ADDRESS_LIMIT = "20 per minute;200 per hour"
PAIR_LIMIT = "5 per 15 minutes"
ACCOUNT_LIMIT = "50 per hour"
# Reset mails per account: the reset form cannot be used to flood an organizer's mailbox.
RESET_MAIL_LIMIT = "3 per hour"


def _key(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True)) and limiter.enabled


def _item(name: str):
    default = {"PAIR": PAIR_LIMIT, "ACCOUNT": ACCOUNT_LIMIT, "RESET_MAIL": RESET_MAIL_LIMIT}[name]
    return parse(current_app.config.get(f"LOGIN_{name}_LIMIT") or default)


def pair_blocked(login: str, address: str) -> bool:
    """Whether this address has used up its failures for this login."""
    return _enabled() and not limiter.limiter.test(_item("PAIR"), "login-pair", _key(login.lower(), address))


def login_strained(login: str) -> bool:
    """Whether this login has seen so many failures from anywhere that a password alone no longer signs in."""
    return _enabled() and not limiter.limiter.test(_item("ACCOUNT"), "login-any", _key(login.lower()))


def allow_reset_mail(login: str) -> bool:
    """Count one reset mail for the login; False once the hour's mails are spent."""
    return not _enabled() or limiter.limiter.hit(_item("RESET_MAIL"), "reset-mail", _key(login.lower()))


def record_failure(login: str, address: str) -> None:
    """Count one failed password or second-factor code against the pair and the login."""
    if _enabled():
        limiter.limiter.hit(_item("PAIR"), "login-pair", _key(login.lower(), address))
        limiter.limiter.hit(_item("ACCOUNT"), "login-any", _key(login.lower()))


def clear_pair(login: str, address: str) -> None:
    """Forget this address's failures for a login, after it signed in fully."""
    if _enabled():
        limiter.limiter.clear(_item("PAIR"), "login-pair", _key(login.lower(), address))


def clear_all(login: str, address: str) -> None:
    """Forget every failure of a login, after its emailed reset link was used."""
    if _enabled():
        clear_pair(login, address)
        limiter.limiter.clear(_item("ACCOUNT"), "login-any", _key(login.lower()))
