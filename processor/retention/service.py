"""Removed accounts: held 60 days (free) or 90 days (paid), then erased for good; the return as the seed says.

Seed 004, "Erasure of Processed Data": after removal the data is stored for no less than 60 days (free test
account) or 90 days (paid account), and the only processing is holding it (for reactivation or legal duties);
then it is permanently erased. "Participant's database may be returned to the User at its request made within
7 days of erasure of the data from the Service": a return asked for during the hold is honoured from the held
data; one asked for within 7 days after erasure from the return package sealed at erasure (`package.py`). After
those 7 days nothing of the organizer's participant data exists any more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from processor import jobs
from processor.accounts.models import Account
from processor.audit import record_access
from processor.csv_import import files as import_files
from processor.csv_import.models import Import
from processor.db_types import utcnow
from processor.errors import Conflict
from processor.extensions import db
from processor.jobs.models import Job
from processor.keys import shredding
from processor.retention import package
from processor.retention.models import AccountExit
from processor.retention.reasons import reduce_reasons
from processor.subject_requests import downloads as request_downloads
from processor.subject_requests.models import SubjectRequest
from processor.terms import HOLD_DAYS, RETURN_WINDOW_DAYS

EARLY_ERASURE_JOB = "retention.erase_early"


class RetentionRefused(Conflict):
    slug = "retention-refused"
    title = "Not possible in the account's state"


@dataclass(frozen=True)
class Removal:
    """What the organizer is told at removal: the erasure date and, once, the return code."""

    erase_on: dt.datetime
    return_code: str


def erase_due(account: Account) -> dt.datetime | None:
    """When a removed account's hold ends and its data may be erased."""
    if account.removed_at is None:
        return None
    return account.removed_at + dt.timedelta(days=HOLD_DAYS[account.plan])


def exit_of(account: Account) -> AccountExit | None:
    return db.session.get(AccountExit, account.id)


def return_window_ends(account: Account) -> dt.datetime | None:
    """The last moment a return may be asked for: 7 days after erasure (the scheduled one while held)."""
    exit_ = exit_of(account)
    if exit_ is not None and exit_.erased_at is not None:
        return exit_.erased_at + dt.timedelta(days=RETURN_WINDOW_DAYS)
    due = erase_due(account)
    return None if due is None else due + dt.timedelta(days=RETURN_WINDOW_DAYS)


def login_digest(login: str) -> str:
    """A keyed digest of the login, to find an exit after the profile is scrubbed (the login is not kept)."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"account-exit|" + login.strip().lower().encode(), hashlib.sha256).hexdigest()


def new_return_code() -> str:
    """A code of 20 letters and digits in groups of four, easy to copy from the confirmation."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


def _log_exit(account: Account, what: str, operator: str | None) -> None:
    """Record an exit step in the organizer's access log: by the organizer on its pages, or by an operator."""
    record_access(
        account_id=account.id,
        actor_type="staff" if operator else "account",
        actor=operator or account.login,
        purpose="essential.legal_obligation",
        channel="cli" if operator else "web",
        reason=what,
    )


def remove_account(account: Account, *, now: dt.datetime | None = None, operator: str | None = None) -> Removal:
    """Remove an account: from now on its data is only held; return its erasure date and its return code."""
    now = now or utcnow()
    if account.status != "active":
        raise RetentionRefused(f"The account is {account.status}, not active.")
    account.status = "removed"
    account.removed_at = now
    account.session_version += 1  # ends every session of the account
    code = new_return_code()
    exit_ = exit_of(account) or AccountExit(account_id=account.id)
    exit_.login_digest = login_digest(account.login)
    exit_.return_code_hash = generate_password_hash(code, method="scrypt")
    exit_.removed_at, exit_.return_requested_at, exit_.early_erasure_requested_at = now, None, None
    db.session.add(exit_)
    _log_exit(account, "account removed: its data is only held until erasure", operator)
    db.session.commit()
    return Removal(erase_due(account), code)


def reactivate_account(account: Account, *, now: dt.datetime | None = None, operator: str | None = None) -> None:
    """Bring a removed account back while its data is still held; the return code stops working."""
    now = now or utcnow()
    if account.status != "removed":
        raise RetentionRefused(f"Only a removed account can be reactivated; this one is {account.status}.")
    if now >= erase_due(account):
        raise RetentionRefused("The hold period is over: the account's data is due for erasure.")
    account.status, account.removed_at = "active", None
    exit_ = exit_of(account)
    if exit_ is not None:
        db.session.delete(exit_)
    package.delete_held(account.id)  # a return package prepared during the hold
    _log_exit(account, "account reactivated during the hold", operator)
    db.session.commit()


def check_return_allowed(account: Account, *, now: dt.datetime | None = None) -> None:
    """Refuse a return unless asked for during the hold or within 7 days after erasure, with the package there."""
    now = now or utcnow()
    if account.status == "active":
        raise RetentionRefused("A return is for removed accounts; an active organizer exports its registries.")
    if account.status == "removed":
        return
    exit_ = exit_of(account)
    if exit_ is None or exit_.erased_at is None or now > return_window_ends(account):
        ends = return_window_ends(account)
        by = f" (by {ends:%Y-%m-%d})" if ends else ""
        raise RetentionRefused(
            f"The return had to be asked for within {RETURN_WINDOW_DAYS} days of erasure{by}; nothing is left."
        )
    if exit_.package_key is None:
        raise RetentionRefused("The return package was downloaded already and destroyed; nothing is left.")


def find_erased_for_return(login: str, code: str | None = None) -> Account | None:
    """The erased account whose login (and, when given, return code) match; None otherwise."""
    exit_ = db.session.scalar(sa.select(AccountExit).where(AccountExit.login_digest == login_digest(login or "")))
    if exit_ is None or exit_.erased_at is None:
        return None
    if code is not None and not check_password_hash(exit_.return_code_hash or "!", code.strip().upper()):
        return None
    return db.session.get(Account, exit_.account_id)


def due_for_erasure(*, now: dt.datetime | None = None) -> list[Account]:
    """Removed accounts whose hold period is over."""
    now = now or utcnow()
    removed = db.session.scalars(sa.select(Account).where(Account.status == "removed")).all()
    return [account for account in removed if erase_due(account) <= now]


# Kept after erasure, and why: the access log holds no participant data and proves what was done with it (its
# free-text reasons are reduced to their category); the key tombstones make sure no key is ever created again for
# the erased organizer; DPA versions and their signatures are contract evidence the processor must be able to
# produce (legal duty); the account's exit holds the return package's key for 7 days; the accounts row is
# scrubbed below rather than deleted, because those records point at it.
KEPT_TABLES = frozenset(
    {"accounts", "access_log", "access_log_heads", "data_keys", "dpa_agreements", "dpa_signatures", "account_exits"}
)


def erase_account(account: Account, *, now: dt.datetime | None = None, early: bool = False) -> list[str]:
    """Erase one removed account (whose hold is over, or `early` at the organizer's request) and retire the
    master versions that wrapped its keys.

    Returns warnings (from the master-key retirement) for the operator. To erase several accounts, use
    `erase_due_accounts`: it retires master versions once for all of them.
    """
    _erase(account, now or utcnow(), early=early)
    return shredding.finish_shredding().warnings


def request_early_erasure(account: Account, *, now: dt.datetime | None = None) -> Job:
    """Ask for a held account's erasure now, at the organizer's choice (Art 28(3)(g)): a job erases it (the return
    package is sealed as usual), never the web request."""
    now = now or utcnow()
    if account.status != "removed":
        raise RetentionRefused("Only a removed account can be erased early.")
    exit_ = exit_of(account)
    if exit_ is not None:
        exit_.early_erasure_requested_at = now
    _log_exit(account, "earlier erasure asked for by the organizer", None)
    db.session.commit()
    return jobs.enqueue(EARLY_ERASURE_JOB, account.id, subject_id=account.id, now=now.isoformat())


def erase_early(account: Account, *, now: dt.datetime | None = None) -> list[str]:
    """Erase a held account now (the early-erasure job); an account the job's earlier attempt erased is done."""
    if account.status == "erased":
        return []
    return erase_account(account, now=now or utcnow(), early=True)


def _erase(account: Account, now: dt.datetime, *, early: bool = False) -> None:
    """Seal the return package, destroy the account's keys, delete its data and files, scrub its profile; the
    master-key retirement is left pending.

    The key tombstones record which master versions must go (`processor.keys.shredding`): until
    `finish_shredding` has run, a copy of the database taken before could still be decrypted.
    """
    if account.status != "removed" or (not early and now < erase_due(account)):
        raise RetentionRefused("Only a removed account whose hold period is over can be erased.")
    exit_ = exit_of(account) or AccountExit(account_id=account.id, removed_at=account.removed_at)
    exit_.login_digest = exit_.login_digest or login_digest(account.login)
    db.session.add(exit_)
    # The package first, while the keys still decrypt; then the keys: from that moment nothing else of the
    # organizer can be decrypted from the database.
    exit_.package_key, _ = package.seal(account.id)
    exit_.held_package_key = None  # the package sealed now supersedes one prepared during the hold
    package.delete_held(account.id)
    exit_.package_expires_at = now + dt.timedelta(days=RETURN_WINDOW_DAYS)
    exit_.erased_at = now
    try:
        _delete_files(account)
        shredding.tombstone_account_keys(account.id)
        registry_ids = (
            sa.select(sa.column("id")).select_from(sa.table("registries")).where(sa.column("account_id") == account.id)
        )
        for table in reversed(db.metadata.sorted_tables):
            if table.name in KEPT_TABLES:
                continue
            if "registry_id" in table.c:
                db.session.execute(table.delete().where(table.c.registry_id.in_(registry_ids)))
            if table.name == "jobs":  # the early-erasure job records this very erasure: it stays
                db.session.execute(
                    table.delete().where(table.c.account_id == account.id, table.c.kind != EARLY_ERASURE_JOB)
                )
            elif "account_id" in table.c:
                db.session.execute(table.delete().where(table.c.account_id == account.id))
        reduce_reasons(account.id, now)
        _scrub(account, now)
        db.session.commit()
    except BaseException:
        # The erasure did not happen: a package whose key is rolled back with it must not stay on disk.
        package.delete_file(account.id)
        raise


def _delete_files(account: Account) -> None:
    """Every upload, error report and progress file of the account's imports, and its requests' downloads."""
    for imp in db.session.scalars(sa.select(Import).where(Import.account_id == account.id)):
        import_files.delete_all(imp)  # the rows, with their keys, go with the account's other rows
    for request in db.session.scalars(sa.select(SubjectRequest).where(SubjectRequest.account_id == account.id)):
        request_downloads.path_of(request).unlink(missing_ok=True)


def _scrub(account: Account, now: dt.datetime) -> None:
    """Replace the organizer's personal details; keep the id, plan and dates that contract records refer to."""
    tag = account.id.hex[:12]
    account.login = f"erased-{tag}"
    account.email = f"erased-{tag}@invalid"
    account.first_name = account.last_name = "erased"
    account.title = "erased"
    account.password_hash = "!"  # matches no password: the account can never log in again  # noqa: S105
    account.status = "erased"
    account.totp_secret = account.totp_enabled_at = None
    account.session_version += 1


def destroy_package(exit_: AccountExit, now: dt.datetime) -> None:
    """Destroy the return package, file and key, and forget what found and proved the organizer."""
    package.delete_file(exit_.account_id)
    exit_.package_key = None
    exit_.login_digest = exit_.return_code_hash = None
    exit_.package_destroyed_at = now


def destroy_expired_packages(now: dt.datetime) -> int:
    """Destroy every return package past its 7 days (day 8 after erasure)."""
    expired = db.session.scalars(
        sa.select(AccountExit).where(
            AccountExit.package_destroyed_at.is_(None),
            AccountExit.erased_at.is_not(None),
            AccountExit.package_expires_at < now,
        )
    ).all()
    for exit_ in expired:
        destroy_package(exit_, now)
    db.session.commit()
    return len(expired)


@dataclass
class ErasureRun:
    """One `flask retention run`: the former logins erased, the one master-key retirement that followed, and the
    return packages destroyed."""

    erased: list[str] = field(default_factory=list)
    master_version: int | None = None
    retired: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    packages_destroyed: int = 0


def erase_due_accounts(*, now: dt.datetime | None = None) -> ErasureRun:
    """Erase every removed account whose hold is over, then retire the master versions that wrapped their keys,
    and destroy the return packages past their 7 days.

    The retirement is one master rotation for the whole run, however many accounts were erased. It runs even
    when none was due, to finish one that an earlier run (or `flask keys shred`) left pending by dying or
    failing; with nothing pending it does nothing.
    """
    now = now or utcnow()
    run = ErasureRun()
    try:
        for account in due_for_erasure(now=now):
            login = account.login
            _erase(account, now)
            run.erased.append(login)
    except Exception:
        # Keys destroyed before the failure get their master versions retired now, not only at the next run.
        db.session.rollback()
        shredding.finish_shredding()
        raise
    retirement = shredding.finish_shredding()
    run.master_version, run.retired, run.warnings = (retirement.master_version, retirement.retired, retirement.warnings)
    run.packages_destroyed = destroy_expired_packages(now)
    return run
