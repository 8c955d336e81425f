"""Server-side login sessions: the cookie names a session row, and logging out ends that row for good.

Flask-Login keeps `"<account id>:<session version>:<session id>"` in the signed cookie. A request is signed in
only while the account is active, its session version is unchanged (a password change, reset or removal bumps
it: every session ends) and the session row is not ended (logout ends just this one). A cookie copied before
logout is therefore refused afterwards.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from processor.accounts.models import Account, LoginSession
from processor.db_types import utcnow
from processor.extensions import db


def start(account: Account, *, lifetime: dt.timedelta) -> None:
    """Open a session for the account (Flask-Login's `get_id` names it) and drop its ended ones; commit."""
    cutoff = utcnow() - lifetime
    db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.account_id == account.id,
            sa.or_(LoginSession.ended_at.is_not(None), LoginSession.created_at < cutoff),
        )
    )
    row = LoginSession(account_id=account.id)
    db.session.add(row)
    db.session.commit()
    account.login_session_id = row.id


def load(cookie_value: str, *, lifetime: dt.timedelta) -> Account | None:
    """Resolve the cookie's id to its account, or None when the session was ended, is stale or too old."""
    try:
        account_id, version, session_id = cookie_value.split(":")
        account_id, session_id = uuid.UUID(account_id), uuid.UUID(session_id)
    except ValueError:
        return None
    row = db.session.get(LoginSession, session_id)
    if row is None or row.ended_at is not None or row.account_id != account_id or row.created_at < utcnow() - lifetime:
        return None
    account = db.session.get(Account, account_id)
    if account is None or str(account.session_version) != version or not account.is_active:
        return None
    account.login_session_id = session_id
    return account


def end(account: Account) -> None:
    """End the account's current session on the server; commit."""
    session_id = getattr(account, "login_session_id", None)
    if session_id is not None:
        db.session.execute(
            sa.update(LoginSession)
            .where(LoginSession.id == session_id, LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        db.session.commit()
