"""Staff access to a registry's participants: a signed-in staff member, a ticket and a reason, logged.

The organizer sees every such access in its access log. A removed account's data is only held (DOMAIN rule 7):
staff may not read it, unless the access is required by law, which is then logged as a legal obligation.
"""

from __future__ import annotations

import re
import uuid

from processor.accounts.models import Account
from processor.audit import record_access
from processor.errors import Forbidden, ValidationFailed
from processor.extensions import db
from processor.registries import service as registries
from processor.registries.models import ENCRYPTED_FIELDS, Registry
from processor.registries.service import RegistryNotFound
from processor.staff import StaffActor

PURPOSE = "essential.service.operations.support"
TICKET_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._#/-]{0,63}$")
MIN_REASON, MAX_REASON = 10, 400
DEFAULT_FIELDS = ("email", "first_name", "last_name")


class AccountHeld(Forbidden):
    slug = "account-held"
    title = "Account held"


def _check(ticket: str, reason: str, fields) -> list[dict]:
    errors = []
    if not TICKET_PATTERN.match(ticket or ""):
        errors.append({"field": "ticket", "detail": "Give the support ticket reference, e.g. SUP-1234."})
    if not (MIN_REASON <= len((reason or "").strip()) <= MAX_REASON):
        errors.append({"field": "reason", "detail": f"Say why, in {MIN_REASON}-{MAX_REASON} characters."})
    errors += [{"field": "fields", "detail": f"Unknown field {f!r}."} for f in fields if f not in ENCRYPTED_FIELDS]
    return errors


def _registry(registry_id: str) -> Registry:
    try:
        registry = db.session.get(Registry, uuid.UUID(str(registry_id)))
    except ValueError:
        registry = None
    if registry is None:
        raise RegistryNotFound()
    return registry


def read_participants(registry: Registry, *, fields: tuple[str, ...], email: str | None, limit: int) -> list[dict]:
    """Decrypt the participants a support case needs: the one read this service does (the gate's seam)."""
    if email:
        match = registries.find_by_email(registry, email, fields=fields)
        return [match] if match else []
    return registries.list_participants(registry, fields=fields, limit=limit)


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
    """Return participants for a support case and log the access (fields, count) where the organizer sees it."""
    fields = tuple(fields)
    errors = _check(ticket, reason, fields)
    if errors:
        raise ValidationFailed("Staff access needs a ticket reference and a reason.", errors=errors)
    registry = _registry(registry_id)
    owner = db.session.get(Account, registry.account_id)
    why = f"ticket {ticket}: {reason.strip()}"
    entry = {
        "account_id": registry.account_id,
        "actor_type": "staff",
        "actor": actor.name,
        "purpose": PURPOSE,
        "registry_id": registry.id,
        "fields": fields,
        "channel": "support",
    }
    if owner.status != "active" and not legal_obligation:
        record_access(**entry, records=0, allowed=False, reason=f"refused, the account is held; {why}")
        db.session.commit()
        raise AccountHeld(
            "The account is removed and its data only held: staff may not read it. "
            "Only an access the law requires may go ahead, marked --legal-obligation."
        )
    if legal_obligation:
        why = f"legal obligation; {why}"
    rows = read_participants(registry, fields=fields, email=email, limit=limit)
    record_access(**entry, records=len(rows), allowed=True, reason=why)
    db.session.commit()
    return rows
