"""The organizer's own exits: the return of its participant database, and the download of its account data."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import sqlalchemy as sa

from processor.accounts.models import Account
from processor.audit import record_access
from processor.audit.models import AccessLogEntry
from processor.db_types import utcnow
from processor.extensions import db
from processor.retention import package
from processor.retention.service import check_return_allowed, destroy_package, exit_of

PURPOSE = "essential.legal_obligation"


def return_database(account: Account, *, by: str, channel: str, now: dt.datetime | None = None) -> bytes:
    """The participant database as a ZIP of CSVs: from the held data, or after erasure from the sealed package,
    which is then destroyed (it is handed out once). Each request and download is recorded with its time."""
    now = now or utcnow()
    check_return_allowed(account, now=now)
    exit_ = exit_of(account)
    actor_type = "account" if channel == "web" else "staff"
    if account.status == "removed":
        out = io.BytesIO()
        count = package.write_zip(account.id, out)
        data = out.getvalue()
        if exit_ is not None:
            exit_.return_requested_at = now
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
