"""Removed accounts: held 60 days (free) or 90 days (paid), then erased for good.

Seed 004, "Erasure of Processed Data": after removal the data is stored for no less than 60 days (free test
account) or 90 days (paid account), and the only processing is holding it (for reactivation or legal duties);
then it is permanently erased. "Participant's database may be returned to the User at its request made within
7 days of erasure of the data from the Service": we read "erasure ... from the Service" as the removal of the
account (the data leaves the Service then and is only held), so a return can be asked for during the 7 days
after removal. A return after the final erasure is impossible by design: the keys are destroyed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from processor.access import Actor, gate
from processor.accounts.models import Account
from processor.db_types import utcnow
from processor.errors import Conflict
from processor.extensions import db
from processor.keys import shredding
from processor.registries import export
from processor.terms import HOLD_DAYS, RETURN_WINDOW_DAYS


class RetentionRefused(Conflict):
    slug = "retention-refused"
    title = "Not possible in the account's state"


def erase_due(account: Account) -> dt.datetime | None:
    """When a removed account's hold ends and its data may be erased."""
    if account.removed_at is None:
        return None
    return account.removed_at + dt.timedelta(days=HOLD_DAYS[account.plan])


def return_window_ends(account: Account) -> dt.datetime | None:
    if account.removed_at is None:
        return None
    return account.removed_at + dt.timedelta(days=RETURN_WINDOW_DAYS)


def remove_account(account: Account, *, now: dt.datetime | None = None) -> dt.datetime:
    """Remove an account: from now on its data is only held; return the date it will be erased."""
    if account.status != "active":
        raise RetentionRefused(f"The account is {account.status}, not active.")
    account.status = "removed"
    account.removed_at = now or utcnow()
    account.session_version += 1  # ends every session of the account
    db.session.commit()
    return erase_due(account)


def reactivate_account(account: Account, *, now: dt.datetime | None = None) -> None:
    """Bring a removed account back while its data is still held."""
    now = now or utcnow()
    if account.status != "removed":
        raise RetentionRefused(f"Only a removed account can be reactivated; this one is {account.status}.")
    if now >= erase_due(account):
        raise RetentionRefused("The hold period is over: the account's data is due for erasure.")
    account.status, account.removed_at = "active", None
    db.session.commit()


def check_return_allowed(account: Account, *, now: dt.datetime | None = None) -> None:
    """Refuse a return of the participant database outside the 7 days after removal."""
    now = now or utcnow()
    if account.status != "removed":
        raise RetentionRefused("A return is for removed accounts; an active organizer exports its registries.")
    if now > return_window_ends(account):
        raise RetentionRefused(
            f"The return had to be asked for within {RETURN_WINDOW_DAYS} days of the account's removal "
            f"(by {return_window_ends(account):%Y-%m-%d})."
        )


def due_for_erasure(*, now: dt.datetime | None = None) -> list[Account]:
    """Removed accounts whose hold period is over."""
    now = now or utcnow()
    removed = db.session.scalars(sa.select(Account).where(Account.status == "removed")).all()
    return [account for account in removed if erase_due(account) <= now]


# Kept after erasure, and why: the access log holds no participant data and proves what was done with it;
# the key tombstones make sure no key is ever created again for the erased organizer; DPA versions and their
# signatures are contract evidence the processor must be able to produce (legal duty); the accounts row is
# scrubbed below rather than deleted, because those records point at it.
KEPT_TABLES = frozenset({"accounts", "access_log", "access_log_heads", "data_keys", "dpa_agreements", "dpa_signatures"})


def erase_account(account: Account, *, now: dt.datetime | None = None) -> list[str]:
    """Erase one removed account whose hold is over, and retire the master versions that wrapped its keys.

    Returns warnings (from the master-key retirement) for the operator; raises RetentionRefused before the hold
    ends. To erase several accounts, use `erase_due_accounts`: it retires master versions once for all of them.
    """

    _erase(account, now or utcnow())
    return shredding.finish_shredding().warnings


def _erase(account: Account, now: dt.datetime) -> None:
    """Destroy the account's keys, delete its data, scrub its profile; the master-key retirement is left pending.

    The key tombstones record which master versions must go (`processor.keys.shredding`): until
    `finish_shredding` has run, a copy of the database taken before could still be decrypted.
    """

    if account.status != "removed" or now < erase_due(account):
        raise RetentionRefused("Only a removed account whose hold period is over can be erased.")
    # Keys first: from this moment nothing of the organizer can be decrypted from the database.
    shredding.tombstone_account_keys(account.id)
    registry_ids = (
        sa.select(sa.column("id")).select_from(sa.table("registries")).where(sa.column("account_id") == account.id)
    )
    for table in reversed(db.metadata.sorted_tables):
        if table.name in KEPT_TABLES:
            continue
        if "registry_id" in table.c:
            db.session.execute(table.delete().where(table.c.registry_id.in_(registry_ids)))
        if "account_id" in table.c:
            db.session.execute(table.delete().where(table.c.account_id == account.id))
    _scrub(account, now)
    db.session.commit()


def _scrub(account: Account, now: dt.datetime) -> None:
    """Replace the organizer's personal details; keep the id, plan and dates that contract records refer to."""
    tag = account.id.hex[:12]
    account.login = f"erased-{tag}"
    account.email = f"erased-{tag}@invalid"
    account.first_name = account.last_name = "erased"
    account.password_hash = "!"  # matches no password: the account can never log in again  # noqa: S105
    account.status = "erased"
    account.failed_logins, account.locked_until = 0, None
    account.session_version += 1


@dataclass
class ErasureRun:
    """One `flask retention run`: the former logins erased and the one master-key retirement that followed."""

    erased: list[str] = field(default_factory=list)
    master_version: int | None = None
    retired: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def erase_due_accounts(*, now: dt.datetime | None = None) -> ErasureRun:
    """Erase every removed account whose hold is over, then retire the master versions that wrapped their keys.

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
    return run


def return_participant_database(account: Account, out, *, now: dt.datetime | None = None) -> int:
    """Write every registry of a removed account, decrypted, as one JSON document (through the gate, logged);
    return the participant count."""
    check_return_allowed(account, now=now)
    return gate.return_database(Actor.system("retention-return"), account, export.write_json, out)
