"""DPA versions: prepare (render and store) a version, list them, and tell the organizer where it stands."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from contracts import context as ctx
from contracts.models import Agreement
from contracts.render import render_docx, template_version
from processor.accounts.models import Account
from processor.db_types import utcnow
from processor.errors import Conflict, NotFound
from processor.extensions import commit_or_conflict, db

# The inputs that make a new version necessary, named as the organizer reads them.
CHANGE_NAMES = {
    "template_version": "the agreement's wording",
    "account_title": "your account title",
    "subprocessors": "the list of sub-processors",
    "processor_name": "the processor's name",
    "processor_address": "the processor's address",
    "processor_contact": "the processor's contact person",
    "processor_dpo": "the processor's data protection officer",
    "processor_seat": "the processor's seat",
}


@dataclass(frozen=True)
class Offer:
    """What a version prepared now would be based on."""

    template_version: str
    account_title: str
    annex: list[dict]
    processor: dict
    fingerprint: str


@dataclass(frozen=True)
class DpaStatus:
    """Where an account's DPA stands: its latest version, the version in force and whether a new one is due."""

    latest: Agreement | None
    in_force: Agreement | None
    new_version_offered: bool
    changes: tuple[str, ...]
    draft_outdated: bool

    @property
    def state(self) -> str:
        return self.latest.status if self.latest else "none"


@dataclass(frozen=True)
class Summary:
    """The DPA at a glance for the dashboard: the version in force and the newest version with its status."""

    in_force: int | None
    latest: int | None
    latest_status: str | None

    @property
    def signed(self) -> bool:
        """The organizer has signed a version (a scan may still await the processor's countersignature)."""
        return self.in_force is not None or self.latest_status in ("signed", "countersigned")


def summary(account_id: uuid.UUID) -> Summary:
    """Where the account's DPA stands, read from version numbers and statuses only (no documents loaded)."""
    rows = db.session.execute(
        sa.select(Agreement.version, Agreement.status)
        .where(Agreement.account_id == account_id)
        .order_by(Agreement.version.desc())
    ).all()
    in_force = next((version for version, status in rows if status == "countersigned"), None)
    latest = rows[0] if rows else (None, None)
    return Summary(in_force=in_force, latest=latest[0], latest_status=latest[1])


def offer(account: Account) -> Offer:
    version = template_version()
    annex, processor = ctx.current_annex(), ctx.processor_identity()
    fingerprint = ctx.offer_fingerprint(
        template_version=version, account_title=account.title, annex=annex, processor=processor
    )
    return Offer(version, account.title, annex, processor, fingerprint)


def versions(account: Account) -> list[Agreement]:
    """Every version of the account's agreement, newest first."""
    return list(
        db.session.scalars(
            sa.select(Agreement).where(Agreement.account_id == account.id).order_by(Agreement.version.desc())
        )
    )


def get_version(account: Account, version: int) -> Agreement:
    agreement = db.session.scalar(
        sa.select(Agreement).where(Agreement.account_id == account.id, Agreement.version == version)
    )
    if agreement is None:
        raise NotFound(f"There is no version {version} of this agreement.")
    return agreement


def status(account: Account) -> DpaStatus:
    """Compare the stored versions with what would be offered now."""
    history = versions(account)
    latest = history[0] if history else None
    in_force = next((a for a in history if a.status == "countersigned"), None)
    agreed = next((a for a in history if a.status != "draft"), None)
    current = offer(account)
    changes = _changes(agreed, current) if agreed and agreed.fingerprint != current.fingerprint else ()
    return DpaStatus(
        latest=latest,
        in_force=in_force,
        new_version_offered=bool(changes),
        changes=changes,
        draft_outdated=bool(latest and latest.status == "draft" and latest.fingerprint != current.fingerprint),
    )


def last_details(account: Account) -> ctx.BusinessDetails | None:
    """The business details of the latest version, to pre-fill the form."""
    history = versions(account)
    if not history:
        return None
    latest = history[0]
    return ctx.BusinessDetails(
        latest.business_name, latest.street, latest.postal_code, latest.city, latest.country, latest.contact, latest.dpo
    )


def prepare(account: Account, details: ctx.BusinessDetails, *, now: dt.datetime | None = None) -> Agreement:
    """Render a version with these details: refill the unsigned draft, or start the next version."""
    now = now or utcnow()
    history = versions(account)
    latest = history[0] if history else None
    current = offer(account)
    if (
        latest is not None
        and latest.status != "draft"
        and latest.fingerprint == current.fingerprint
        and last_details(account) == details
    ):
        raise Conflict(f"Version {latest.version} already has these details and is up to date; nothing to prepare.")
    if latest is not None and latest.status == "draft":
        agreement = latest
    else:
        agreement = Agreement(account_id=account.id, version=latest.version + 1 if latest else 1)
        db.session.add(agreement)
    context = ctx.build_context(
        account=account,
        details=details,
        version=agreement.version,
        annex=current.annex,
        processor=current.processor,
        today=now.date(),
    )
    document = render_docx(context, author=current.processor["processor_name"], created=now)
    agreement.status, agreement.created_at = "draft", now
    agreement.template_version, agreement.fingerprint = current.template_version, current.fingerprint
    for name, value in details.as_dict().items():
        setattr(agreement, name, value)
    agreement.context_json = json.dumps(context, ensure_ascii=False, sort_keys=True)
    agreement.document, agreement.document_sha256 = document, hashlib.sha256(document).hexdigest()
    commit_or_conflict("Another version was prepared at the same moment; reload the page.")
    return agreement


def _changes(agreed: Agreement, current: Offer) -> tuple[str, ...]:
    before = json.loads(agreed.context_json) | {"template_version": agreed.template_version}
    now = {
        "template_version": current.template_version,
        "account_title": current.account_title,
        "subprocessors": current.annex,
        **current.processor,
    }
    # A processor field the older version did not have yet is no change to announce.
    return tuple(label for key, label in CHANGE_NAMES.items() if key in before and before[key] != now[key])
