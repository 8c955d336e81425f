"""Processor staff: the organizer accounts named in the STAFF_LOGINS setting, and a guard for their pages."""

from __future__ import annotations

import functools

from flask import current_app
from flask_login import current_user, login_required

from processor.errors import Forbidden


def staff_logins() -> frozenset[str]:
    """The configured staff logins; STAFF_LOGINS is a list or a comma-separated string (from the environment)."""
    configured = current_app.config.get("STAFF_LOGINS") or ()
    if isinstance(configured, str):
        configured = configured.split(",")
    return frozenset(login.strip().lower() for login in configured if login.strip())


def is_staff(account) -> bool:
    return bool(getattr(account, "is_authenticated", False)) and account.login in staff_logins()


def staff_required(view):
    """Let only logged-in staff through; anyone else logged in gets 403."""

    @functools.wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not is_staff(current_user):
            raise Forbidden("This page is for the processor's staff only.")
        return view(*args, **kwargs)

    return guarded
