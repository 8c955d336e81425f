"""The organizer's own exits: the return of its participant database, and the download of its account data.

A return asked for during the hold is prepared by a job (`retention.return_package`, see tasks.py), never in the
web request or the CLI: the package waits encrypted in instance/returns/ under a key on the account's exit, and
is destroyed, file and key, once downloaded (or at reactivation or erasure). After erasure the package sealed at
erasure (by the erasure job) is handed out the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable

import sqlalchemy as sa

from processor import jobs
from processor.accounts.models import Account
from processor.audit import record_access
from processor.audit.models import AccessLogEntry
from processor.db_types import utcnow
from processor.extensions import db
from processor.jobs.models import ACTIVE, Job
from processor.retention import package
from processor.retention.models import AccountExit
from processor.retention.service import RetentionRefused, check_return_allowed, destroy_package, exit_of

PURPOSE = "essential.legal_obligation"
RETURN_JOB = "retention.return_package"


def request_return(account: Account, *, now: dt.datetime | None = None) -> Job:
    """Ask for the participant database during the hold: a job prepares the package (the one already running, if
    any); it is downloaded once, when ready, with `return_database`."""
    now = now or utcnow()
    check_return_allowed(account, now=now)
    if account.status != "removed":
        raise RetentionRefused("The return package sealed at erasure is ready: download it.")
    running = return_job(account)
    if running is not None and running.status in ACTIVE:
        return running
    exit_ = exit_of(account)
    if exit_ is not None:
        exit_.return_requested_at = now
    db.session.commit()
    return jobs.enqueue(RETURN_JOB, account.id, subject_id=account.id)


def return_job(account: Account) -> Job | None:
    """The latest job preparing the account's return package, if any."""
    job = jobs.latest_for(account.id)
    return job if job is not None and job.kind == RETURN_JOB else None


def held_package_ready(account: Account) -> bool:
    exit_ = exit_of(account)
    return account.status == "removed" and exit_ is not None and exit_.held_package_key is not None


def prepare_held_return(account: Account, progress: Callable[[int, int | None], None]) -> int:
    """Seal the held data as a return package (in a job worker); return the participant count."""
    check_return_allowed(account)
    if account.status != "removed":
        raise RetentionRefused("The account is no longer held; nothing is prepared.")
    progress(0, package.participant_count(account.id))
    key, count = package.seal_held(account.id, progress)
    # Reactivated or erased meanwhile? Then the package must not stay: lock the exit and look again.
    exit_ = db.session.scalar(
        sa.select(AccountExit)
        .where(AccountExit.account_id == account.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    db.session.refresh(account)
    if exit_ is None or account.status != "removed":
        db.session.rollback()
        package.delete_held(account.id)
        raise RetentionRefused("The account was reactivated or erased meanwhile; nothing is kept.")
    exit_.held_package_key = key
    db.session.commit()
    return count


def return_database(account: Account, *, by: str, channel: str, now: dt.datetime | None = None) -> bytes:
    """The participant database as a ZIP of CSVs, handed out once: during the hold the package a job prepared
    (`request_return`), after erasure the one sealed at erasure; either is destroyed once read. Each request and
    download is recorded with its time."""
    now = now or utcnow()
    check_return_allowed(account, now=now)
    exit_ = exit_of(account)
    actor_type = "account" if channel == "web" else "staff"
    if account.status == "removed":
        if not held_package_ready(account):
            raise RetentionRefused("The participant database is not prepared yet: ask for it, then download it.")
        data = package.read_held(account.id, exit_.held_package_key)
        package.delete_held(account.id)
        exit_.held_package_key = None
        job = return_job(account)
        count = ((job.result if job is not None else None) or {}).get("participants", 0)
        detail = "from the held data"
    else:
        data = package.read(account.id, exit_.package_key)
        exit_.return_requested_at = exit_.package_downloaded_at = now
        destroy_package(exit_, now)
        count = None
        detail = "from the return package sealed at erasure, which is now destroyed"
    record_access(
        account_id=account.id,
        actor_type=actor_type,
        actor=by,
        purpose=PURPOSE,
        records=count or 0,
        channel=channel,
        reason=f"participant database returned at the organizer's request, {detail}",
    )
    db.session.commit()
    return data


def _rows(table_name: str, where) -> list[dict]:
    """Rows of another domain's table by name (contracts may import processor, never the reverse); no blobs."""
    table = db.metadata.tables.get(table_name)
    if table is None:
        return []
    columns = [c for c in table.c if not isinstance(c.type, sa.LargeBinary) and c.name not in ("context_json",)]
    return [_plain(dict(row._mapping)) for row in db.session.execute(sa.select(*columns).where(where(table)))]


def _plain(row: dict) -> dict:
    return {
        key: value.isoformat()
        if isinstance(value, (dt.date, dt.datetime))
        else str(value)
        if isinstance(value, uuid.UUID)
        else value
        for key, value in row.items()
    }


def account_data(account: Account) -> bytes:
    """The organizer's own data as JSON: profile, consents, contracts and access log (Art 15/20 for the organizer)."""
    profile = {
        name: getattr(account, name)
        for name in (
            "id",
            "login",
            "email",
            "first_name",
            "last_name",
            "title",
            "plan",
            "country",
            "created_at",
            "status",
            "removed_at",
        )
    }
    agreements = _rows("dpa_agreements", lambda t: t.c.account_id == account.id)
    agreement_ids = [uuid.UUID(a["id"]) for a in agreements]
    log = db.session.scalars(
        sa.select(AccessLogEntry).where(AccessLogEntry.account_id == account.id).order_by(AccessLogEntry.seq)
    )
    document = {
        "profile": _plain(profile),
        "consents": _rows("marketing_consents", lambda t: t.c.account_id == account.id),
        "contracts": {
            "agreements": agreements,
            "signatures": _rows("dpa_signatures", lambda t: t.c.agreement_id.in_(agreement_ids)),
        },
        "access_log": [_plain({c.name: getattr(entry, c.name) for c in AccessLogEntry.__table__.c}) for entry in log],
    }
    record_access(
        account_id=account.id,
        actor_type="account",
        actor=account.login,
        purpose=PURPOSE,
        channel="web",
        reason="account data downloaded by the organizer",
    )
    db.session.commit()
    return json.dumps(document, ensure_ascii=False, indent=1).encode()
