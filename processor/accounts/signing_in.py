"""The web sign-in's state: the pending second factor (in the signed session cookie) and the session start."""

from __future__ import annotations

import time
import uuid

from flask import current_app, session
from flask_limiter.util import get_remote_address
from flask_login import login_user

from processor.accounts import sessions, throttle
from processor.accounts.models import Account
from processor.extensions import db, limiter

PENDING = "pending_sign_in"
PENDING_SECONDS = 300
PENDING_TRIES = 5


def _address_limit() -> str:
    return current_app.config.get("LOGIN_ADDRESS_LIMIT") or throttle.ADDRESS_LIMIT


# Per client address on every form that checks a secret: the same 429 for every login, known or not.
per_address = limiter.limit(_address_limit, methods=["POST"], key_func=get_remote_address)


def sign_in(account: Account) -> None:
    """Start a server-side session for the account and put it in the cookie."""
    forget_pending()
    sessions.start(account, lifetime=current_app.permanent_session_lifetime)
    login_user(account)


def begin_second_factor(account: Account, *, next_path: str | None) -> None:
    """Remember, for a few minutes, whose password was verified; the code page finishes the sign-in."""
    session[PENDING] = {
        "account": str(account.id),
        "version": account.session_version,
        "since": int(time.time()),
        "tries": 0,
        "next": next_path,
    }


def pending_account() -> Account | None:
    """The account whose password was verified in this browser, if that was recent and nothing changed since."""
    pending = session.get(PENDING) or {}
    if int(time.time()) - int(pending.get("since", 0)) > PENDING_SECONDS:
        return None
    try:
        account = db.session.get(Account, uuid.UUID(pending["account"]))
    except (KeyError, TypeError, ValueError):
        return None
    if account is None or account.session_version != pending.get("version"):
        return None
    return account


def pending_next() -> str | None:
    return (session.get(PENDING) or {}).get("next")


def count_wrong_code() -> bool:
    """Count a wrong code; False (and the pending sign-in forgotten) once the tries are spent."""
    pending = session.get(PENDING) or {}
    pending["tries"] = pending.get("tries", 0) + 1
    if pending["tries"] >= PENDING_TRIES:
        forget_pending()
        return False
    session[PENDING] = pending
    return True


def forget_pending() -> None:
    session.pop(PENDING, None)
