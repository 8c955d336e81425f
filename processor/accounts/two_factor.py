"""TOTP two-factor sign-in (RFC 6238, pyotp) and one-time recovery codes, stored hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import sqlalchemy as sa

from processor.accounts.models import Account, RecoveryCode
from processor.db_types import utcnow
from processor.errors import Conflict, ValidationFailed
from processor.extensions import db

ISSUER = "Participant registries"
RECOVERY_CODES = 10
STEP = 30


def new_secret(account: Account) -> str:
    """Give the account a fresh (not yet enabled) secret for enrolment and return it."""
    if account.two_factor:
        raise Conflict("Two-factor sign-in is already on; turn it off first to enrol a new device.")
    account.totp_secret = pyotp.random_base32()
    db.session.commit()
    return account.totp_secret


def provisioning_uri(account: Account) -> str:
    """The otpauth:// URI an authenticator app reads (as a QR code or typed in)."""
    return pyotp.TOTP(account.totp_secret).provisioning_uri(name=account.login, issuer_name=ISSUER)


def _accept_code(account: Account, code: str, *, at: float | None = None) -> bool:
    """Check a 6-digit code (one step of clock drift either way); a code is never accepted twice."""
    code = "".join((code or "").split())
    if not account.totp_secret or not (code.isdigit() and len(code) == 6):
        return False
    now = time.time() if at is None else at
    totp = pyotp.TOTP(account.totp_secret)
    for drift in (-1, 0, 1):
        step = int(now // STEP) + drift
        if hmac.compare_digest(totp.at(step * STEP), code):
            return _claim_step(account, step)
    return False


def _claim_step(account: Account, step: int) -> bool:
    """Record the step as used unless it (or a later one) already was: two requests racing with one code get one."""
    claimed = db.session.execute(
        sa.update(Account)
        .where(
            Account.id == account.id,
            sa.or_(Account.totp_last_step.is_(None), Account.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    account.totp_last_step = step
    return True


def enable(account: Account, code: str) -> list[str]:
    """Turn two-factor sign-in on after a first correct code; return the recovery codes (shown once)."""
    if account.two_factor:
        raise Conflict("Two-factor sign-in is already on.")
    if not _accept_code(account, code):
        db.session.rollback()
        raise ValidationFailed(
            "Two-factor sign-in is not on yet.",
            errors=[{"field": "code", "detail": "That code is not right: enter the 6 digits your app shows now."}],
        )
    account.totp_enabled_at = utcnow()
    codes = _replace_recovery_codes(account)
    db.session.commit()
    return codes


def disable(account: Account) -> None:
    """Turn two-factor sign-in off (the caller checked the password); staff cannot."""
    if account.is_staff:
        raise Conflict("Staff accounts always sign in with two factors.")
    account.totp_secret = account.totp_enabled_at = account.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    db.session.commit()


def verify(account: Account, code: str) -> bool:
    """Accept a current TOTP code or an unused recovery code (which is then spent); commit the use."""
    code = (code or "").strip()
    ok = _accept_code(account, code) if account.two_factor else False
    if not ok and account.two_factor:
        ok = _spend_recovery_code(account, code)
    db.session.commit()
    return ok


def remaining_recovery_codes(account: Account) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))
    )


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").lower().encode()).hexdigest()


def _replace_recovery_codes(account: Account) -> list[str]:
    # 80 random bits each: a hash without salt is enough when the input cannot be guessed.
    codes = [f"{secrets.token_hex(5)}-{secrets.token_hex(5)}" for _ in range(RECOVERY_CODES)]
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    db.session.add_all(RecoveryCode(account_id=account.id, code_hash=_hash_code(code)) for code in codes)
    return codes


def _spend_recovery_code(account: Account, code: str) -> bool:
    if len(code.replace("-", "")) != 20:
        return False
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.account_id == account.id,
            RecoveryCode.code_hash == _hash_code(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return spent.rowcount == 1
