"""Who touches participant data: every call to the gate names one of these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

KINDS = ("organizer", "organizer_client", "service_client", "staff", "system")
# The access log's actor types (its CHECK constraint): a system job is logged as the processor's own staff.
AUDIT_TYPES = {
    "organizer": "account",
    "organizer_client": "client",
    "service_client": "client",
    "staff": "staff",
    "system": "staff",
}


@dataclass(frozen=True)
class Actor:
    """An organizer's session, an organizer's own API client, an internal service's client, a staff member or a
    job of the system itself; with where the data goes and what the actor was granted."""

    kind: str
    name: str
    channel: str
    account_id: uuid.UUID | None = None  # the only organizer whose data it may touch; None: any (checked by kind)
    granted: tuple[str, ...] | None = None  # purposes granted to a client; None for the others
    country: str | None = None  # the destination of what is handed out
    attestations: tuple = ()  # a recipient's scope attestations (DPF, APPI ...) for the transfer check
    ticket: str | None = None
    reason: str | None = None
    legal_obligation: bool = False  # staff only: reading a held account's data under a legal duty
    registries: frozenset[uuid.UUID] | None = None  # a client limited to chosen registries; None: no such limit

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown actor kind {self.kind!r}")

    @classmethod
    def organizer(cls, account, *, channel: str = "web") -> Actor:
        return cls("organizer", account.login, channel, account_id=account.id)

    @classmethod
    def client(cls, client) -> Actor:
        kind = "organizer_client" if client.account_id is not None else "service_client"
        return cls(
            kind,
            client.name,
            "api",
            account_id=client.account_id,
            granted=tuple(client.purpose_list),
            country=client.country,
            attestations=tuple(client.attestations),
            registries=client.registry_ids,
        )

    @classmethod
    def staff(
        cls, name: str, *, ticket: str, reason: str, legal_obligation: bool = False, channel: str = "support"
    ) -> Actor:
        return cls("staff", name, channel, ticket=ticket, reason=reason, legal_obligation=legal_obligation)

    @classmethod
    def system(cls, job: str, *, channel: str = "cli") -> Actor:
        return cls("system", f"system:{job}", channel)

    @property
    def audit_type(self) -> str:
        return AUDIT_TYPES[self.kind]

    def may_see(self, account_id: uuid.UUID) -> bool:
        """Organizers and their clients see only their own; internal services, staff and jobs are checked by
        purpose, state and transfer instead."""
        return self.account_id is None or self.account_id == account_id

    def may_open(self, registry) -> bool:
        """Whether the actor may reach this registry: its organizer's, and one of its chosen ones if limited."""
        return self.may_see(registry.account_id) and (self.registries is None or registry.id in self.registries)
