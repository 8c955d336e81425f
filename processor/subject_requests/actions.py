"""Carrying out a request, on the organizer's decision, across every registry the person is in.

access/portability: one encrypted download of every record; rectification: the corrected fields on every row;
erasure: every row deleted, a deletion marker each in the change feed, and the recipients that received the data
named on the request (Art 19); restriction/objection: the rows flagged, so API reads, messages and exports leave
them out (`restrictions.without_restricted`) until lifted.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from processor.audit.models import AccessLogEntry
from processor.db_types import utcnow
from processor.extensions import db
from processor.registries import service as registries
from processor.registries.models import Registry, deletions, participants
from processor.subject_requests import downloads
from processor.subject_requests.models import ParticipantRestriction, SubjectRequest, restrictions
from processor.subject_requests.service import Actor, RequestRefused, matches_of, record_step, require_open
from processor.transfers.subprocessors import list_subprocessors


def carry_out(
    request: SubjectRequest, *, actor: Actor, changes: dict | None = None, now: dt.datetime | None = None
) -> SubjectRequest:
    """Do what the request asks in every registry of the organizer, record it, and close the request."""
    now = now or utcnow()
    require_open(request)
    registries.require_active_account(request.account_id)
    matches = matches_of(request)
    try:
        detail = _ACTIONS[request.kind](request, matches, changes, now)
        request.status, request.closed_at = "done", now
        record_step(request, "carried out", detail, actor, now, records=len(matches))
        db.session.commit()
    except Exception:
        db.session.rollback()
        if request.kind in ("access", "portability"):
            downloads.path_of(request).unlink(missing_ok=True)
        raise
    return request


def _registries(matches) -> dict:
    ids = {m.registry_id for m in matches}
    return {r.id: r for r in db.session.scalars(sa.select(Registry).where(Registry.id.in_(ids)))} if ids else {}


def _export(request, matches, changes, now) -> str:
    by_id = _registries(matches)
    records = []
    for match in matches:
        registry = by_id[match.registry_id]
        row = registries.get_participant(registry, match.participant_id, include_restricted=True)
        records.append({"registry_id": registry.id, "registry": registry.name, **row})
    downloads.write_download(request, records, now)
    return (
        f"download of {len(records)} record(s) from {len(by_id)} registr{'y' if len(by_id) == 1 else 'ies'} "
        f"ready until {request.download_expires_at:%Y-%m-%d}"
    )


def _rectify(request, matches, changes, now) -> str:
    if not changes:
        raise RequestRefused("Give the corrected fields to carry out a rectification.")
    by_id = _registries(matches)
    for match in matches:
        registries.update_participant(by_id[match.registry_id], match.participant_id, dict(changes))
    # Field names only: the corrected values are personal data and stay in the rows themselves.
    return f"corrected {', '.join(sorted(changes))} in {len(matches)} record(s)"


def _erase(request, matches, changes, now) -> str:
    request.recipients = _recipients({m.registry_id for m in matches})
    for match in matches:
        db.session.execute(sa.delete(participants).where(participants.c.id == match.participant_id))
        db.session.execute(sa.delete(restrictions).where(restrictions.c.participant_id == match.participant_id))
        db.session.execute(
            sa.insert(deletions).values(id=match.participant_id, registry_id=match.registry_id, deleted_at=now)
        )
    return (
        f"deleted {len(matches)} record(s) from {len({m.registry_id for m in matches})} registries; "
        f"recipients to tell (Art 19): {', '.join(request.recipients) or 'none'}"
    )


def _recipients(registry_ids: set) -> list[str]:
    """Who received the person's data: API clients that read these registries, and every sub-processor."""
    clients = set()
    if registry_ids:
        clients = set(
            db.session.scalars(
                sa.select(AccessLogEntry.actor)
                .where(
                    AccessLogEntry.registry_id.in_(registry_ids),
                    AccessLogEntry.actor_type == "client",
                    AccessLogEntry.allowed.is_(True),
                    AccessLogEntry.records > 0,
                )
                .distinct()
            )
        )
    processors = {f"{s.name} (sub-processor)" for s in list_subprocessors()}
    return sorted(clients) + sorted(processors)


def _restrict(request, matches, changes, now) -> str:
    for match in matches:
        if db.session.get(ParticipantRestriction, match.participant_id) is None:
            db.session.execute(
                sa.insert(restrictions).values(
                    participant_id=match.participant_id,
                    registry_id=match.registry_id,
                    request_id=request.id,
                    created_at=now,
                )
            )
    return f"{len(matches)} record(s) restricted: left out of API reads, messages and exports until lifted"


_ACTIONS = {
    "access": _export,
    "portability": _export,
    "rectification": _rectify,
    "erasure": _erase,
    "restriction": _restrict,
    "objection": _restrict,
}


def lift_restriction(request: SubjectRequest, *, actor: Actor, now: dt.datetime | None = None) -> int:
    """End a restriction or objection: the rows are processed normally again."""
    now = now or utcnow()
    if request.kind not in ("restriction", "objection") or request.status != "done":
        raise RequestRefused("Only a carried-out restriction or objection can be lifted.")
    lifted = db.session.execute(sa.delete(restrictions).where(restrictions.c.request_id == request.id)).rowcount
    record_step(request, "lifted", f"{lifted} record(s) processed normally again", actor, now)
    db.session.commit()
    return lifted


def fetch_download(request: SubjectRequest, *, actor: Actor, now: dt.datetime | None = None) -> bytes:
    """Hand out the download once, then destroy it; refused (and destroyed) after its 7 days."""
    now = now or utcnow()
    if request.download_key is None:
        raise RequestRefused("There is no download for this request (fetched already, expired, or not made).")
    if now >= request.download_expires_at:
        downloads.destroy_download(request)
        record_step(request, "download expired", "destroyed unfetched", actor, now)
        db.session.commit()
        raise RequestRefused("The download expired and was destroyed.")
    data = downloads.read_download(request)
    downloads.destroy_download(request)
    record_step(request, "download fetched", "file and key destroyed", actor, now, records=1)
    db.session.commit()
    return data


def purge_expired_downloads(now: dt.datetime | None = None) -> int:
    """Destroy every download past its 7 days (file and key)."""
    now = now or utcnow()
    expired = db.session.scalars(
        sa.select(SubjectRequest).where(
            SubjectRequest.download_key.is_not(None), SubjectRequest.download_expires_at <= now
        )
    ).all()
    for request in expired:
        downloads.destroy_download(request)
        record_step(request, "download expired", "destroyed unfetched", Actor("deadline-check", "staff"), now)
    db.session.commit()
    return len(expired)
