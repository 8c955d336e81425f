"""A service client and what it was granted."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from processor.db_types import UTCDateTime, utcnow
from processor.extensions import db
from processor.transfers.attestations import Attestation

SCOPES = (
    "participants:read",
    "participants:write",
    "messages:send",
    "audit:read",
    "marketing:audience",
    "contracts:read",
    "requests:write",
)
# An organizer's own client reaches only that organizer's registries and log, never the marketing audience.
ORGANIZER_SCOPES = ("participants:read", "messages:send", "audit:read", "requests:write")


# `service`: an internal service or an organizer's integration; `staff`: a support desk's credential for the
# support tools (no API scopes; its accesses are logged as staff accesses under its name).
CLIENT_KINDS = ("service", "staff")


class ServiceClient(db.Model):
    __tablename__ = "service_clients"
    __table_args__ = (sa.CheckConstraint("kind IN ('service', 'staff')", name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # None: an internal service of the processor; else limited to this organizer's registries.
    account_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12), default="service", server_default="service")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(sa.String(16))
    scopes: Mapped[str] = mapped_column(sa.String(200))
    purposes: Mapped[str] = mapped_column(sa.String(1000))
    country: Mapped[str] = mapped_column(sa.String(2))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The scope attestations the client holds as a recipient (kind, reference, validity), for the transfer check.
    attestations: Mapped[list[Attestation]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=Attestation.valid_from
    )

    @property
    def dpf_certified(self) -> bool:
        """Whether a DPF attestation is valid today (the older yes/no, read-only)."""
        today = utcnow().date()
        return any(a.kind == "dpf" and a.valid_on(today) for a in self.attestations)

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.scopes.split(",") if s]

    @property
    def purpose_list(self) -> list[str]:
        return [p for p in self.purposes.split(",") if p]

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def may_see(self, account_id: uuid.UUID) -> bool:
        """Whether the client may reach data of this organizer."""
        return self.account_id is None or self.account_id == account_id
