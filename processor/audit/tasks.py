"""`audit rekey-legacy` as a job: once per log after upgrading past s4_gate_03, over every organizer's log."""

from __future__ import annotations

import sqlalchemy as sa

from processor import jobs
from processor.accounts.models import Account
from processor.audit import legacy
from processor.extensions import db


@jobs.task("audit.rekey_legacy")
def rekey_legacy_task(ctx: jobs.JobContext) -> dict:
    """Re-chain each log (of one organizer, or all) hashed before the chain was keyed; report the ones that do not
    check out (left as they are). Running it again changes nothing, so a retry is safe."""
    query = sa.select(Account.id, Account.login).order_by(Account.login)
    if ctx.account_id is not None:
        query = query.where(Account.id == ctx.account_id)
    accounts = db.session.execute(query).all()
    ctx.progress(0, len(accounts))
    rekeyed, broken = [], []
    for account in accounts:
        result = legacy.rekey_account(account.id)
        if isinstance(result, legacy.Rekeyed):
            rekeyed.append(
                f"{account.login}: {result.legacy} legacy entries re-keyed (legacy head {result.legacy_head})"
            )
        elif result is not None:
            broken.append(result.describe(account.login))
        ctx.advance(1)
    return {"rekeyed": rekeyed, "broken": broken, "checked": len(accounts)}
