"""Scope attestations a recipient holds: what a scope-limited adequacy decision needs, with dates and a reference.

A recipient is a service client or a sub-processor (an export destination passes its attestations to the check
directly). The transfer check (`policy.TransferPolicy.check(..., attestations=...)`) reads them on the day.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from processor.db_types import UTCDateTime, utcnow
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.transfers.policy import ATTESTATION_KINDS

REFERENCE_LIMIT = 300
_KIND_CHECK = "kind IN ({})".format(", ".join(f"'{k}'" for k in ATTESTATION_KINDS))


class Attestation(db.Model):
    __tablename__ = "transfer_attestations"
    __table_args__ = (
        sa.CheckConstraint(_KIND_CHECK, name="kind"),
        sa.CheckConstraint("(client_id IS NULL) <> (subprocessor_id IS NULL)", name="one_holder"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("service_clients.id", ondelete="CASCADE"), index=True
    )
    subprocessor_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("subprocessors.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    reference: Mapped[str] = mapped_column(sa.String(REFERENCE_LIMIT))
    valid_from: Mapped[dt.date] = mapped_column(sa.Date)
    valid_to: Mapped[dt.date | None] = mapped_column(sa.Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(sa.String(64))

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def describe(self) -> str:
        until = f" to {self.valid_to}" if self.valid_to else ""
        return f"{self.kind} ({self.reference}), valid from {self.valid_from}{until}"


def new_attestation(
    *, kind: str, reference: str, valid_from: dt.date | None, valid_to: dt.date | None = None, by: str
) -> Attestation:
    """Build a checked attestation (not yet attached to a holder); refuse a bad kind, reference or period."""
    kind = (kind or "").strip().lower()
    reference = (reference or "").strip()
    problems = []
    if kind not in ATTESTATION_KINDS:
        problems.append(("kind", f"One of {', '.join(ATTESTATION_KINDS)}."))
    if not reference:
        problems.append(("reference", "Give the reference that proves it (list entry, certificate, contract)."))
    elif len(reference) > REFERENCE_LIMIT:
        problems.append(("reference", f"At most {REFERENCE_LIMIT} characters."))
    if valid_from is None:
        problems.append(("valid_from", "Give the first day it is valid."))
    elif valid_to is not None and valid_to < valid_from:
        problems.append(("valid_to", "The last day cannot be before the first."))
    if problems:
        raise ValidationFailed(
            "The attestation was not recorded.",
            errors=[{"field": f"attestation.{f}", "pointer": f"#/attestation/{f}", "detail": d} for f, d in problems],
        )
    return Attestation(kind=kind, reference=reference, valid_from=valid_from, valid_to=valid_to, recorded_by=by)


def dpf_from_flag(on: dt.date, by: str) -> Attestation:
    """What the older `dpf_certified` yes/no stands for: a DPF attestation from the day it was stated."""
    return Attestation(
        kind="dpf",
        reference=f"stated with the dpf_certified flag on {on}; no reference given",
        valid_from=on,
        recorded_by=by,
    )
