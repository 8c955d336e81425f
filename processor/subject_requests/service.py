"""Intake and deadlines of data-subject requests: find the person, record the request, extend, refuse, remind.

Seed 004, "User Access and Choice": requests are answered within 30 days; GDPR Art 12(3) allows one extension
by up to two further months, with the reason given. The numbers live in `processor.terms`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from processor.audit import record_access
from processor.db_types import utcnow
from processor.errors import Conflict, NotFound, ValidationFailed
from processor.extensions import db
from processor.field_crypto import place
from processor.keys.ring import ensure_account_keys, keys_for
from processor.normalize import FieldError, email_index_form
from processor.registries.models import Registry, participants
from processor.registries.service import as_uuid, require_active_account
from processor.subject_requests.models import CHANNELS, KINDS, OPEN_STATUSES, RequestStep, SubjectRequest
from processor.terms import SUBJECT_REQUEST_DAYS, SUBJECT_REQUEST_EXTENSION_MONTHS

PURPOSE = "essential.legal_obligation"
REMINDER_DAYS = 7
MAX_REASON = 500
# Where each intake channel appears in the access log, and as what kind of actor.
LOG_CHANNEL = {"page": ("web", "account"), "api": ("api", "client"), "staff": ("cli", "staff")}


class RequestNotFound(NotFound):
    def __init__(self):
        super().__init__("No such data-subject request.")


class RequestRefused(Conflict):
    slug = "request-refused"
    title = "Not possible in the request's state"


@dataclass(frozen=True)
class Actor:
    """Who acts on a request: the organizer on its page, an API client, or staff (name and channel)."""

    name: str
    channel: str = "page"

    def __post_init__(self):
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")


@dataclass(frozen=True)
class Match:
    registry_id: uuid.UUID
    participant_id: uuid.UUID


def _index(account_id: uuid.UUID, email: str) -> bytes:
    try:
        form = email_index_form(email)
    except FieldError as exc:
        raise ValidationFailed(
            "Not a valid email address.", errors=[{"field": "email", "pointer": "#/email", "detail": exc.reason}]
        ) from None
    return keys_for(db.session.connection(), account_id).index(form)


def find_person(account_id: uuid.UUID, email: str) -> list[Match]:
    """Every row of this email in every registry of the organizer: one blind index, one indexed look-up."""
    index = _index(account_id, email)
    return _matches(account_id, index)


def _matches(account_id: uuid.UUID, index: bytes) -> list[Match]:
    registry_ids = sa.select(Registry.id).where(Registry.account_id == account_id).scalar_subquery()
    rows = db.session.execute(
        sa.select(participants.c.registry_id, participants.c.id)
        .where(participants.c.registry_id.in_(registry_ids), participants.c.email_index == index)
        .order_by(participants.c.registry_id)
    )
    return [Match(row.registry_id, row.id) for row in rows]


def matches_of(request: SubjectRequest) -> list[Match]:
    return _matches(request.account_id, request.email_index)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(received_at: dt.datetime) -> dt.date:
    return received_at.date() + dt.timedelta(days=SUBJECT_REQUEST_DAYS)


def record_step(request: SubjectRequest, action: str, detail: str, actor: Actor, now: dt.datetime, **log) -> None:
    """Add a step to the request and the matching entry to the organizer's access log; the caller commits."""
    db.session.add(
        RequestStep(
            account_id=request.account_id, request_id=request.id, at=now, actor=actor.name, action=action, detail=detail
        )
    )
    channel, actor_type = LOG_CHANNEL[actor.channel]
    record_access(
        account_id=request.account_id,
        actor_type=actor_type,
        actor=actor.name,
        purpose=PURPOSE,
        channel=channel,
        reason=f"subject request {request.id} ({request.kind}): {action}: {detail}",
        **log,
    )


def create_request(
    account_id: uuid.UUID,
    *,
    kind: str,
    email: str,
    actor: Actor,
    registry_id: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> SubjectRequest:
    """Record a request received for the organizer; its due date is 30 days after receipt."""
    now = now or utcnow()
    if kind not in KINDS:
        raise ValidationFailed(
            "The request was not recorded.",
            errors=[{"field": "kind", "pointer": "#/kind", "detail": f"One of {', '.join(KINDS)}."}],
        )
    require_active_account(account_id)
    ensure_account_keys(db.session.connection(), account_id)
    keys = keys_for(db.session.connection(), account_id)
    index = _index(account_id, email)
    request = SubjectRequest(
        id=uuid.uuid4(),
        account_id=account_id,
        registry_id=registry_id,
        kind=kind,
        channel=actor.channel,
        received_by=actor.name[:200],
        email_index=index,
        received_at=now,
        due_on=due_date(now),
        status="open",
        recipients=[],
    )
    request.email = keys.encrypt(email_index_form(email), place("subject_requests", "email"), request.id)
    db.session.add(request)
    found = _matches(account_id, index)
    registries = len({m.registry_id for m in found})
    record_step(
        request,
        "received",
        f"via {actor.channel}; the person is in {registries} registr{'y' if registries == 1 else 'ies'}; "
        f"due {request.due_on:%Y-%m-%d}",
        actor,
        now,
        records=len(found),
        registry_id=registry_id,
    )
    db.session.commit()
    return request


def person_email(request: SubjectRequest, *, viewer: Actor | None = None) -> str:
    """Decrypt the person's email; shown to a `viewer` (the organizer's page), it is logged like a registry view."""
    keys = keys_for(db.session.connection(), request.account_id)
    email = keys.decrypt(request.email, "subject_requests", "email", request.id)
    if viewer is not None:
        channel, actor_type = LOG_CHANNEL[viewer.channel]
        record_access(
            account_id=request.account_id,
            actor_type=actor_type,
            actor=viewer.name,
            purpose=PURPOSE,
            fields=("email",),
            records=1,
            channel=channel,
            reason=f"viewed subject request {request.id} ({request.kind})",
        )
        db.session.commit()
    return email


def get_request(request_id, *, account_id: uuid.UUID | None = None) -> SubjectRequest:
    """The request; with `account_id`, only that organizer's (another's id reads as missing)."""
    request_id = as_uuid(request_id)
    request = db.session.get(SubjectRequest, request_id) if request_id else None
    if request is None or (account_id is not None and request.account_id != account_id):
        raise RequestNotFound()
    return request


def list_requests(
    account_id: uuid.UUID | None = None, *, overdue: bool = False, today: dt.date | None = None
) -> list[SubjectRequest]:
    """Requests, open ones first by due date; `overdue` keeps the open ones past their due date."""
    today = today or utcnow().date()
    query = sa.select(SubjectRequest)
    if account_id is not None:
        query = query.where(SubjectRequest.account_id == account_id)
    if overdue:
        query = query.where(SubjectRequest.status.in_(OPEN_STATUSES), SubjectRequest.due_on < today)
    is_open = sa.case((SubjectRequest.status.in_(OPEN_STATUSES), 0), else_=1)
    return list(db.session.scalars(query.order_by(is_open, SubjectRequest.due_on, SubjectRequest.received_at)))


def steps_of(request: SubjectRequest) -> list[RequestStep]:
    return list(
        db.session.scalars(sa.select(RequestStep).where(RequestStep.request_id == request.id).order_by(RequestStep.at))
    )


def _reason(reason: str | None, what: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed(
            f"The request was not {what}.",
            errors=[{"field": "reason", "pointer": "#/reason", "detail": f"State the reason (1-{MAX_REASON} chars)."}],
        )
    return reason


def require_open(request: SubjectRequest) -> None:
    if not request.is_open:
        raise RequestRefused(f"The request is {request.status}.")


def extend_request(
    request: SubjectRequest,
    *,
    reason: str,
    actor: Actor,
    months: int = SUBJECT_REQUEST_EXTENSION_MONTHS,
    now: dt.datetime | None = None,
) -> SubjectRequest:
    """Extend the due date once, by up to two months, with the reason stated (GDPR Art 12(3))."""
    now = now or utcnow()
    reason = _reason(reason, "extended")
    require_open(request)
    if request.status == "extended":
        raise RequestRefused("The request was extended already; it can be extended only once.")
    if not 1 <= months <= SUBJECT_REQUEST_EXTENSION_MONTHS:
        raise ValidationFailed(
            "The request was not extended.",
            errors=[{"field": "months", "detail": f"From 1 to {SUBJECT_REQUEST_EXTENSION_MONTHS} months."}],
        )
    if now.date() > request.due_on:
        raise RequestRefused("The request is overdue: an extension must be decided before the due date.")
    request.due_on = add_months(request.due_on, months)
    request.status, request.extension_reason = "extended", reason
    request.reminded_at = None  # a new due date earns a new reminder
    record_step(request, "extended", f"by {months} month(s) to {request.due_on:%Y-%m-%d}: {reason}", actor, now)
    db.session.commit()
    return request


def refuse_request(request: SubjectRequest, *, reason: str, actor: Actor, now: dt.datetime | None = None) -> None:
    """Close the request as refused, with the reason the person will be told."""
    now = now or utcnow()
    reason = _reason(reason, "refused")
    require_open(request)
    request.status, request.refusal_reason, request.closed_at = "refused", reason, now
    record_step(request, "refused", reason, actor, now)
    db.session.commit()


SCHEDULER = Actor("deadline-check", "staff")


def flag_overdue(now: dt.datetime | None = None) -> dict:
    """Record a reminder 7 days before an open request's due date and flag the ones past it; run daily."""
    now = now or utcnow()
    today = now.date()
    counts = {"reminded": 0, "overdue": 0}
    open_requests = db.session.scalars(sa.select(SubjectRequest).where(SubjectRequest.status.in_(OPEN_STATUSES)))
    for request in open_requests:
        if request.reminded_at is None and request.due_on - dt.timedelta(days=REMINDER_DAYS) <= today <= request.due_on:
            request.reminded_at = now
            record_step(request, "reminder", f"due in {request.days_left(today)} day(s)", SCHEDULER, now)
            counts["reminded"] += 1
        if request.overdue_at is None and today > request.due_on:
            request.overdue_at = now
            record_step(request, "overdue", f"was due {request.due_on:%Y-%m-%d}", SCHEDULER, now)
            counts["overdue"] += 1
    db.session.commit()
    return counts
