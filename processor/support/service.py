"""Staff access to a registry's participants: a ticket and a reason, logged in the organizer's access log."""

from __future__ import annotations

import re
import uuid

from processor.audit import record_access
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.registries import service as registries
from processor.registries.models import ENCRYPTED_FIELDS, Registry
from processor.registries.service import RegistryNotFound

PURPOSE = "essential.service.operations.support"
TICKET_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._#/-]{0,63}$")
MIN_REASON, MAX_REASON = 10, 400
DEFAULT_FIELDS = ("email", "first_name", "last_name")


def _check(ticket: str, reason: str, staff: str, fields) -> list[dict]:
    errors = []
    if not TICKET_PATTERN.match(ticket or ""):
        errors.append({"field": "ticket", "detail": "Give the support ticket reference, e.g. SUP-1234."})
    if not (MIN_REASON <= len((reason or "").strip()) <= MAX_REASON):
        errors.append({"field": "reason", "detail": f"Say why, in {MIN_REASON}-{MAX_REASON} characters."})
    if not (staff or "").strip():
        errors.append({"field": "staff", "detail": "Name the staff member."})
    errors += [{"field": "fields", "detail": f"Unknown field {f!r}."} for f in fields if f not in ENCRYPTED_FIELDS]
    return errors


def view(
    registry_id: str,
    *,
    ticket: str,
    reason: str,
    staff: str,
    fields=DEFAULT_FIELDS,
    email: str | None = None,
    limit: int = 20,
) -> list[dict]:
    """Return participants for a support case and log the access (fields, count) where the organizer sees it."""
    fields = tuple(fields)
    errors = _check(ticket, reason, staff, fields)
    if errors:
        raise ValidationFailed("Staff access needs a ticket reference and a reason.", errors=errors)
    try:
        registry = db.session.get(Registry, uuid.UUID(str(registry_id)))
    except ValueError:
        registry = None
    if registry is None:
        raise RegistryNotFound()
    if email:
        match = registries.find_by_email(registry, email, fields=fields)
        rows = [match] if match else []
    else:
        rows = registries.list_participants(registry, fields=fields, limit=limit)
    record_access(
        account_id=registry.account_id,
        actor_type="staff",
        actor=staff.strip(),
        purpose=PURPOSE,
        registry_id=registry.id,
        fields=fields,
        records=len(rows),
        allowed=True,
        reason=f"ticket {ticket}: {reason.strip()}",
        channel="support",
    )
    db.session.commit()
    return rows
