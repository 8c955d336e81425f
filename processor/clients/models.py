"""A service client and what it was granted."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from processor.db_types import UTCDateTime, utcnow
from processor.extensions import db
from processor.registries.models import Registry
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


# A client limited to chosen registries: the link rows name them. `limited_to_registries` says whether the links
# apply, so a client whose last linked registry is deleted sees nothing rather than everything.
client_registries = sa.Table(
    "service_client_registries",
    db.metadata,
    sa.Column("client_id", sa.Uuid, sa.ForeignKey("service_clients.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("registry_id", sa.Uuid, sa.ForeignKey("registries.id", ondelete="CASCADE"), primary_key=True),
)

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
    # The first moment the token no longer works (None: it does not expire).
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the client last called the API, to the minute: written at most once a minute (see service.touch).
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    limited_to_registries: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # Loaded only when asked for (a client that is not limited never needs it).
    registries: Mapped[list[Registry]] = relationship(
        secondary=client_registries, lazy="select", order_by=Registry.name
    )
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

    @property
    def registry_ids(self) -> frozenset[uuid.UUID] | None:
        """The registries the client is limited to; None: every one its organizer (or the processor) has."""
        return frozenset(r.id for r in self.registries) if self.limited_to_registries else None

    @property
    def last_day(self) -> dt.date | None:
        """The token's last valid UTC day (it stops working at the midnight after it)."""
        return (self.expires_at - dt.timedelta(days=1)).date() if self.expires_at else None

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def may_see(self, account_id: uuid.UUID) -> bool:
        """Whether the client may reach data of this organizer."""
        return self.account_id is None or self.account_id == account_id

    def may_open(self, registry: Registry) -> bool:
        """Whether the client may reach this registry: its organizer's, and among the chosen ones if limited."""
        allowed = self.registry_ids
        return self.may_see(registry.account_id) and (allowed is None or registry.id in allowed)
