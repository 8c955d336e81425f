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
import json

import sqlalchemy as sa

from processor.accounts.models import Account
from processor.db_types import utcnow
from processor.errors import Conflict
from processor.extensions import db

HOLD_DAYS = {"free": 60, "paid": 90}
RETURN_WINDOW_DAYS = 7


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
KEPT_TABLES = frozenset({"accounts", "access_log", "access_log_heads", "data_keys", "dpa_agreements",
                         "dpa_signatures"})


def erase_account(account: Account, *, now: dt.datetime | None = None) -> list[str]:
    """Erase a removed account whose hold is over: destroy its keys, delete its data, scrub its profile.

    Returns warnings (from key shredding) for the operator; raises RetentionRefused before the hold ends.
    """
    from processor.keys.shredding import shred_account_keys

    now = now or utcnow()
    if account.status != "removed" or now < erase_due(account):
        raise RetentionRefused("Only a removed account whose hold period is over can be erased.")
    # Keys first: from this moment nothing of the organizer can be decrypted, even from a backup (the master
    # versions that wrapped the keys are retired by the shredding).
    warnings = shred_account_keys(account.id).warnings
    registry_ids = sa.select(sa.column("id")).select_from(sa.table("registries")).where(
        sa.column("account_id") == account.id)
    for table in reversed(db.metadata.sorted_tables):
        if table.name in KEPT_TABLES:
            continue
        if "registry_id" in table.c:
            db.session.execute(table.delete().where(table.c.registry_id.in_(registry_ids)))
        if "account_id" in table.c:
            db.session.execute(table.delete().where(table.c.account_id == account.id))
    _scrub(account, now)
    db.session.commit()
    return warnings


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


def erase_due_accounts(*, now: dt.datetime | None = None) -> list[tuple[str, list[str]]]:
    """Erase every removed account whose hold is over; return (former login, warnings) for each."""
    now = now or utcnow()
    erased = []
    for account in due_for_erasure(now=now):
        login = account.login
        erased.append((login, erase_account(account, now=now)))
    return erased


def return_participant_database(account: Account, out, *, now: dt.datetime | None = None) -> int:
    """Write every registry of a removed account, decrypted, as one JSON document; return the participant count."""
    from processor.registries import export
    from processor.registries.models import Registry

    check_return_allowed(account, now=now)
    registries = db.session.scalars(sa.select(Registry).where(Registry.account_id == account.id)
                                    .order_by(Registry.created_at)).all()
    out.write('{"account": ' + json.dumps(account.login) + ', "registries": [\n')
    count = 0
    for position, registry in enumerate(registries):
        out.write(",\n" if position else "")
        count += export.write_json(registry, out)
    out.write("]}\n")
    return count
