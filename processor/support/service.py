"""Staff access to a registry's participants: a signed-in staff member, a ticket and a reason, logged.

The organizer sees every such access in its access log. A removed account's data is only held (DOMAIN rule 7):
staff may not read it, unless the access is required by law, which is then logged as a legal obligation.
"""

from __future__ import annotations

import re

from processor.access import Actor, gate
from processor.errors import ValidationFailed
from processor.registries.models import ENCRYPTED_FIELDS
from processor.staff import StaffActor

PURPOSE = "essential.service.operations.support"
LEGAL_PURPOSE = "essential.legal_obligation"  # the only staff read the gate allows on a held account
TICKET_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._#/-]{0,63}$")
MIN_REASON, MAX_REASON = 10, 400
DEFAULT_FIELDS = ("email", "first_name", "last_name")


def _check(ticket: str, reason: str, fields) -> list[dict]:
    errors = []
    if not TICKET_PATTERN.match(ticket or ""):
        errors.append({"field": "ticket", "detail": "Give the support ticket reference, e.g. SUP-1234."})
    if not (MIN_REASON <= len((reason or "").strip()) <= MAX_REASON):
        errors.append({"field": "reason", "detail": f"Say why, in {MIN_REASON}-{MAX_REASON} characters."})
    errors += [{"field": "fields", "detail": f"Unknown field {f!r}."} for f in fields if f not in ENCRYPTED_FIELDS]
    return errors


def view(
    registry_id: str,
    *,
    actor: StaffActor,
    ticket: str,
    reason: str,
    legal_obligation: bool = False,
    fields=DEFAULT_FIELDS,
    email: str | None = None,
    limit: int = 20,
) -> list[dict]:
    """Return participants for a support case through the gate, which refuses a held account (unless the access
    is a legal obligation) and logs the access (fields, count) where the organizer sees it."""
    fields = tuple(fields)
    errors = _check(ticket, reason, fields)
    if errors:
        raise ValidationFailed("Staff access needs a ticket reference and a reason.", errors=errors)
    staff = Actor.staff(actor.name, ticket=ticket, reason=reason.strip(), legal_obligation=legal_obligation)
    registry = gate.open_registry(staff, registry_id)
    purpose = LEGAL_PURPOSE if legal_obligation else PURPOSE
    if email:
        match = gate.find(staff, registry, email, purpose=purpose, fields=fields)
        return [match] if match else []
    rows, _ = gate.read_page(staff, registry, purpose=purpose, fields=fields, limit=limit)
    return rows
