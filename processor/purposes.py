"""The taxonomy of data uses (modelled on fideslang's data uses) and the one policy on participant data.

Participant data is used only for `essential.*` purposes granted to the client that asks. Marketing,
analytics and third-party sharing are never allowed on participant data (DOMAIN rule 4; the seed's
"Mailing Policy" and "User Data Processing"), so they cannot even be granted to a client.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from processor.errors import Forbidden, ValidationFailed
from processor.registries.fields import ENCRYPTED_FIELDS

# key -> description; a parent key covers its children (as in fideslang).
PURPOSES: dict[str, str] = {
    "essential": "Providing the service the organizer bought.",
    "essential.service": "Running webinars and their registries for the organizer.",
    "essential.service.notifications": "Messages to participants that the organizer instructed.",
    "essential.service.notifications.email": "Invitations, reminders and follow-ups the organizer instructed.",
    "essential.service.operations": "Operating the webinar room and the registries.",
    "essential.service.operations.support": "Helping the organizer on a support request.",
    "essential.service.payment_processing": "Charging for paid webinars.",
    "essential.service.security": "Detecting and preventing abuse and security incidents.",
    "essential.legal_obligation": "Meeting a legal obligation of the processor.",
    "marketing": "Marketing of any kind.",
    "marketing.advertising": "Advertising, first or third party.",
    "marketing.communications": "Promotional messages.",
    "marketing.communications.email": "Promotional email, newsletters.",
    "analytics": "Analytics beyond running the service.",
    "analytics.reporting": "Reports and statistics for the processor's own ends.",
    "third_party_sharing": "Passing data to third parties for their own ends.",
    "third_party_sharing.personalized_advertising": "Sharing data for advertising by others.",
}
# key -> what an organizer reads on a page: a short plain-language name for each purpose.
LABELS: dict[str, str] = {
    "essential": "Providing the service",
    "essential.service": "Running your webinars and registries",
    "essential.service.notifications": "Messages to participants you ask for",
    "essential.service.notifications.email": "Emails to participants you ask for",
    "essential.service.operations": "Running the webinar room",
    "essential.service.operations.support": "Support on your request",
    "essential.service.payment_processing": "Payments for paid webinars",
    "essential.service.security": "Security and abuse prevention",
    "essential.legal_obligation": "A legal obligation",
    "marketing": "Marketing",
    "marketing.advertising": "Advertising",
    "marketing.communications": "Promotional messages",
    "marketing.communications.email": "Promotional email",
    "analytics": "Analytics",
    "analytics.reporting": "Reports for the processor",
    "third_party_sharing": "Sharing with third parties",
    "third_party_sharing.personalized_advertising": "Advertising by others",
}
_NAMES = ("email", "first_name", "last_name")
_ATTENDANCE = ("registered_at", "joined_at", "left_at", "minutes_attended")
# Minimum necessary: the participant fields each purpose may read (a purpose without its own entry takes its
# nearest parent's). Documented in docs/api.md; a request for more is refused, naming the extra fields.
FIELDS_BY_PURPOSE: dict[str, tuple[str, ...]] = {
    "essential": ENCRYPTED_FIELDS,
    "essential.service": ENCRYPTED_FIELDS,  # the organizer itself, working with its own registry
    "essential.service.notifications": _NAMES,
    "essential.service.notifications.email": _NAMES,
    "essential.service.operations": (*_NAMES, "company", "job_title", "country", *_ATTENDANCE),
    "essential.service.operations.support": ENCRYPTED_FIELDS,
    "essential.service.payment_processing": (*_NAMES, "phone", "company", "country"),
    "essential.service.security": ("email", "country", *_ATTENDANCE),
    "essential.legal_obligation": ENCRYPTED_FIELDS,
}
FORBIDDEN_ROOTS = ("marketing", "analytics", "third_party_sharing")
ALLOWED_ROOT = "essential"
GRANTABLE = tuple(key for key in PURPOSES if key.split(".")[0] == ALLOWED_ROOT)


class FieldsNotAllowed(Forbidden):
    slug = "fields-not-allowed"
    title = "Fields not allowed for this purpose"

    def __init__(self, purpose: str, fields: Iterable[str]):
        fields = list(fields)
        super().__init__(
            f"{purpose} may read only {', '.join(allowed_fields(purpose)) or 'no participant fields'}; "
            f"not {', '.join(fields)}.",
            extra={"rule": "minimum-necessary", "purpose": purpose, "fields": fields},
        )
        self.rule = "minimum-necessary"


class PurposeRefused(Forbidden):
    slug = "purpose-refused"
    title = "Purpose not allowed"

    def __init__(self, detail: str, *, rule: str):
        super().__init__(detail, extra={"rule": rule})
        self.rule = rule


@dataclass(frozen=True)
class PurposeDecision:
    allowed: bool
    rule: str
    reason: str


def covers(granted: str, purpose: str) -> bool:
    """Whether a grant of `granted` includes `purpose` (itself or a descendant)."""
    return purpose == granted or purpose.startswith(granted + ".")


def is_forbidden(purpose: str) -> bool:
    return purpose.split(".")[0] in FORBIDDEN_ROOTS


def check_known(purpose: str | None, *, parameter: str = "purpose") -> str:
    """Return the purpose, or raise ValidationFailed naming the parameter when it is missing or unknown."""
    if not purpose:
        raise ValidationFailed(
            f"State the purpose of this use in `{parameter}`.",
            errors=[{"parameter": parameter, "detail": "A purpose is required."}],
        )
    if purpose not in PURPOSES:
        raise ValidationFailed(
            f"Unknown purpose in `{parameter}`.",
            errors=[
                {
                    "parameter": parameter,
                    "detail": "Not a purpose of the taxonomy (see the API description for the list).",
                }
            ],
        )
    return purpose


def allowed_fields(purpose: str) -> tuple[str, ...]:
    """The participant fields `purpose` may read: its own list, else its nearest parent's, else none."""
    key = purpose
    while key:
        if key in FIELDS_BY_PURPOSE:
            return FIELDS_BY_PURPOSE[key]
        key = key.rpartition(".")[0]
    return ()


def require_fields(purpose: str, fields: Iterable[str]) -> None:
    """Refuse (403) any field beyond the purpose's allow-list, naming the fields and the purpose."""
    allowed = set(allowed_fields(purpose))
    extra = [f for f in fields if f not in allowed]
    if extra:
        raise FieldsNotAllowed(purpose, extra)


def decide_participant_use(purpose: str, granted: Iterable[str]) -> PurposeDecision:
    """Decide whether participant data may be used for `purpose` by a client granted `granted`."""
    if is_forbidden(purpose):
        return PurposeDecision(
            False,
            "no-marketing-on-participant-data",
            f"{purpose} is never allowed on participant data (no marketing, analytics or third-party sharing).",
        )
    if not covers(ALLOWED_ROOT, purpose):
        return PurposeDecision(
            False, "essential-purposes-only", f"{purpose} is not an essential purpose of the service."
        )
    if not any(covers(grant, purpose) for grant in granted):
        return PurposeDecision(False, "purpose-not-granted", f"{purpose} is not granted to this client.")
    return PurposeDecision(True, "purpose-granted", f"{purpose} is granted to this client.")


def require_participant_use(purpose: str, granted: Iterable[str]) -> PurposeDecision:
    """Return the allowing decision, or raise PurposeRefused (403) naming the rule."""
    decision = decide_participant_use(purpose, granted)
    if not decision.allowed:
        raise PurposeRefused(decision.reason, rule=decision.rule)
    return decision


def validate_grant(purposes: Iterable[str]) -> list[str]:
    """Return the purposes to grant a client; refuse unknown ones and any use that is never allowed."""
    purposes = sorted({p.strip() for p in purposes if p and p.strip()})
    if not purposes:
        raise ValidationFailed(
            "Grant at least one purpose.", errors=[{"field": "purposes", "detail": "At least one purpose is required."}]
        )
    unknown = [p for p in purposes if p not in PURPOSES]
    if unknown:
        raise ValidationFailed(
            "Unknown purpose.",
            errors=[{"field": "purposes", "detail": f"{p} is not a purpose of the taxonomy."} for p in unknown],
        )
    for purpose in purposes:
        if is_forbidden(purpose) or not covers(ALLOWED_ROOT, purpose):
            raise PurposeRefused(
                f"{purpose} cannot be granted: participant data is used only for essential "
                "purposes, never for marketing, analytics or third-party sharing.",
                rule="no-marketing-on-participant-data" if is_forbidden(purpose) else "essential-purposes-only",
            )
    return purposes


def label(purpose: str | None) -> str:
    """Name a purpose in plain language for a page (an unknown key is shown as it is)."""
    return LABELS.get(purpose or "", purpose or "")
