"""Record organizers' marketing consent; list the audience; honour signed unsubscribe links."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from processor.accounts.models import Account
from processor.db_types import utcnow
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.marketing.models import SOURCES, MarketingConsent

UNSUBSCRIBE_SALT = "marketing-unsubscribe"


def record_consent(account_id: uuid.UUID, *, opted_in: bool, source: str) -> MarketingConsent:
    """Append the organizer's choice with its time and source; the latest choice is in force."""
    if source not in SOURCES:
        raise ValueError(f"unknown consent source {source!r}")
    consent = MarketingConsent(account_id=account_id, opted_in=bool(opted_in), source=source, recorded_at=utcnow())
    db.session.add(consent)
    db.session.commit()
    return consent


def _latest():
    """The latest consent row per account, as a subquery."""
    ranked = sa.select(
        MarketingConsent,
        sa.func.row_number()
        .over(
            partition_by=MarketingConsent.account_id,
            order_by=(MarketingConsent.recorded_at.desc(), MarketingConsent.id.desc()),
        )
        .label("rank"),
    ).subquery()
    return sa.select(ranked).where(ranked.c.rank == 1).subquery()


def current_consent(account_id: uuid.UUID) -> MarketingConsent | None:
    return db.session.scalar(
        sa.select(MarketingConsent)
        .where(MarketingConsent.account_id == account_id)
        .order_by(MarketingConsent.recorded_at.desc(), MarketingConsent.id.desc())
        .limit(1)
    )


def audience() -> list[dict]:
    """Active organizers whose latest choice is to receive marketing; participants are never in it."""
    latest = _latest()
    rows = db.session.execute(
        sa.select(Account, latest.c.recorded_at, latest.c.source)
        .join(latest, latest.c.account_id == Account.id)
        .where(latest.c.opted_in.is_(True), Account.status == "active")
        .order_by(Account.login)
    ).all()
    return [
        {
            "account_id": account.id,
            "login": account.login,
            "email": account.email,
            "first_name": account.first_name,
            "last_name": account.last_name,
            "consented_at": recorded_at,
            "consent_source": source,
            "unsubscribe_token": unsubscribe_token(account.id),
        }
        for account, recorded_at, source in rows
    ]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(account_id: uuid.UUID) -> str:
    """A signed token naming the organizer; it does not expire, as links in old messages must keep working."""
    return _serializer().dumps(str(account_id))


def account_for_token(token: str) -> Account:
    try:
        account_id = uuid.UUID(_serializer().loads(token))
    except (BadSignature, ValueError, TypeError):
        account_id = None
    account = db.session.get(Account, account_id) if account_id else None
    if account is None:
        raise ValidationFailed("This unsubscribe link is not valid. Change your choice on your account page.")
    return account


def unsubscribe(token: str) -> Account:
    """Opt the organizer named by a signed token out of marketing, without a login."""
    account = account_for_token(token)
    record_consent(account.id, opted_in=False, source="unsubscribe-link")
    return account
