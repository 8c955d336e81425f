"""Create, list, revoke and authenticate service clients."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import uuid
from collections.abc import Iterable
from typing import ClassVar

import sqlalchemy as sa

from processor import countries, purposes
from processor.clients import tokens
from processor.clients.models import ORGANIZER_SCOPES, SCOPES, ServiceClient
from processor.db_types import utcnow
from processor.errors import DomainError, NotFound, ValidationFailed, field_errors
from processor.extensions import commit_or_conflict, db
from processor.registries.models import Registry
from processor.transfers.attestations import Attestation, dpf_from_flag
from processor.transfers.policy import Decision, TransferPolicy, today

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# An organizer's client expires: 90 days unless the organizer picks another day, at most a year ahead (a leaked
# token that nobody uses any more stops working by itself). Internal services' clients (CLI) expire only if asked.
DEFAULT_EXPIRY_DAYS = 90
MAX_EXPIRY_DAYS = 365
# `last_used_at` is kept to the minute: a call writes it only when the stored value is older than this.
TOUCH_INTERVAL = dt.timedelta(minutes=1)
# Scopes that reach the whole organizer (its access log, its subject requests across registries): a client limited
# to chosen registries cannot hold them, or it would see what happens in the others.
ORGANIZER_WIDE_SCOPES = ("audit:read", "requests:write")


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Unauthenticated"
    headers: ClassVar[dict] = {"WWW-Authenticate": 'Bearer realm="api"'}


class TokenExpired(Unauthenticated):
    """The client's token reached its expiry date: ask its organizer (or the operator) for a new client."""

    slug = "token-expired"
    title = "Token expired"
    headers: ClassVar[dict] = {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}


class ClientNotFound(NotFound):
    pass


class TransferWouldBeRefused(DomainError):
    """The API would refuse every call of this client today (its country, without the attestation it needs): the
    client was not created. Change the country or record the attestation, or confirm to create it anyway."""

    status = 409
    slug = "transfer-would-be-refused"
    title = "Every call of this client would be refused"

    def __init__(self, decision: Decision):
        super().__init__(decision.reason, extra={"rule": decision.rule, "country": decision.country})
        self.decision = decision
        self.remedy = remedy(decision)


def _split(values: Iterable[str] | str) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    return [v.strip() for v in values if v and v.strip()]


def create_client(
    *,
    name: str,
    scopes: Iterable[str] | str,
    purposes_granted: Iterable[str] | str,
    country: str,
    dpf_certified: bool = False,
    attestations: Iterable[Attestation] = (),
    account_id: uuid.UUID | None = None,
    created_by: str,
    kind: str = "service",
    expires_on: dt.date | None = None,
    registries: Iterable[uuid.UUID | str] = (),
    warn_if_refused: bool = False,
    confirmed_country: str | None = None,
) -> tuple[ServiceClient, str]:
    """Create a client and return it with its token; the token is not stored and cannot be shown again.

    `attestations` are checked ones (`transfers.attestations.new_attestation`); `dpf_certified=True` is the older
    yes/no and records a DPF attestation from today without a reference. `expires_on` is the token's last day
    (UTC); an organizer's client without one gets DEFAULT_EXPIRY_DAYS. `registries` limits the client to those
    (empty: every registry). With `warn_if_refused`, a client whose calls the transfer check would refuse today
    raises TransferWouldBeRefused unless `confirmed_country` is its country (the organizer saw the warning).
    """
    name = (name or "").strip().lower()
    scopes = sorted(set(_split(scopes)))
    allowed_scopes = ORGANIZER_SCOPES if account_id else SCOPES
    if kind == "staff":
        return _create_staff_client(name=name, country=country, created_by=created_by)
    errors = []
    if not NAME_PATTERN.match(name):
        errors.append(
            {"field": "name", "detail": "2-64 characters: lower-case letters, digits, dot, dash, underscore."}
        )
    if not scopes:
        errors.append({"field": "scopes", "detail": "Grant at least one scope."})
    errors += [
        {"field": "scopes", "detail": f"{s} is not a scope you can grant ({', '.join(allowed_scopes)})."}
        for s in scopes
        if s not in allowed_scopes
    ]
    if not countries.is_country(country):
        errors.append(
            {
                "field": "country",
                "detail": "Give the country the service runs in as an ISO 3166-1 alpha-2 code, e.g. DE.",
            }
        )
    if expires_on is None and account_id is not None:
        expires_on = today() + dt.timedelta(days=DEFAULT_EXPIRY_DAYS)
    errors += _expiry_errors(expires_on)
    chosen, registry_errors = _chosen_registries(registries, account_id, scopes)
    errors += registry_errors
    if errors:
        raise ValidationFailed("The client was not created.", errors=errors)
    granted = purposes.validate_grant(_split(purposes_granted))  # refuses marketing, analytics, sharing
    held = [*attestations, *([dpf_from_flag(utcnow().date(), created_by)] if dpf_certified else [])]
    if warn_if_refused:
        decision = transfer_decision(country, held)
        if not decision.allowed and (confirmed_country or "").upper() != country.upper():
            raise TransferWouldBeRefused(decision)
    token = tokens.generate()
    client = ServiceClient(
        name=name,
        account_id=account_id,
        token_hash=tokens.hash_token(token),
        token_hint=tokens.hint(token),
        scopes=",".join(scopes),
        purposes=",".join(granted),
        country=country.upper(),
        created_by=created_by,
        attestations=held,
        expires_at=expiry_moment(expires_on),
        limited_to_registries=bool(chosen),
        registries=chosen,
    )
    db.session.add(client)
    commit_or_conflict("The client was not created.", errors=field_errors({"name": "A client with this name exists."}))
    return client, token


def expiry_moment(last_day: dt.date | None) -> dt.datetime | None:
    """The first moment a token whose last day is `last_day` no longer works: the next UTC midnight."""
    if last_day is None:
        return None
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def _expiry_errors(last_day: dt.date | None) -> list[dict]:
    if last_day is None:
        return []
    latest = today() + dt.timedelta(days=MAX_EXPIRY_DAYS)
    if not today() <= last_day <= latest:
        return [
            {
                "field": "expires_on",
                "detail": f"Choose a last day from today to {latest.isoformat()} (at most {MAX_EXPIRY_DAYS} days).",
            }
        ]
    return []


def _chosen_registries(
    wanted: Iterable[uuid.UUID | str], account_id: uuid.UUID | None, scopes: list[str]
) -> tuple[list[Registry], list[dict]]:
    """The registries a client is limited to (the organizer's own when it has one), or the errors to show."""
    ids, errors = set(), []
    for value in wanted or ():
        try:
            ids.add(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip()))
        except ValueError:
            errors.append({"field": "registries", "detail": "Give registry ids as shown by the registry page."})
    if not ids:
        return [], errors
    query = sa.select(Registry).where(Registry.id.in_(ids))
    if account_id is not None:
        query = query.where(Registry.account_id == account_id)
    found = list(db.session.scalars(query))
    if len(found) != len(ids):
        errors.append({"field": "registries", "detail": "No registry of yours has one of the ids given."})
    wide = [s for s in scopes if s in ORGANIZER_WIDE_SCOPES]
    if wide:
        errors.append(
            {
                "field": "registries",
                "detail": f"A client limited to chosen registries cannot hold {', '.join(wide)}: those scopes reach "
                "every registry of the organizer. Create a separate client for them.",
            }
        )
    return found, errors


def _create_staff_client(*, name: str, country: str, created_by: str) -> tuple[ServiceClient, str]:
    """A staff client has no API scope: its token only opens the support tools, each use logged under its name."""
    if not NAME_PATTERN.match(name) or not countries.is_country(country):
        raise ValidationFailed(
            "The client was not created.",
            errors=field_errors({"name": "Give a lower-case name and the ISO country code it works from."}),
        )
    token = tokens.generate()
    client = ServiceClient(
        name=name,
        kind="staff",
        token_hash=tokens.hash_token(token),
        token_hint=tokens.hint(token),
        scopes="",
        purposes="essential.service.operations.support",
        country=country.upper(),
        created_by=created_by,
    )
    db.session.add(client)
    commit_or_conflict("The client was not created.", errors=field_errors({"name": "A client with this name exists."}))
    return client, token


def list_clients(account_id: uuid.UUID | None = None, *, include_organizers: bool = False) -> list[ServiceClient]:
    """An organizer's clients, or the processor's own (and, on request, every organizer's too)."""
    query = sa.select(ServiceClient).order_by(ServiceClient.name)
    if account_id is not None:
        query = query.where(ServiceClient.account_id == account_id)
    elif not include_organizers:
        query = query.where(ServiceClient.account_id.is_(None))
    return list(db.session.scalars(query))


def revoke_client(name: str, *, account_id: uuid.UUID | None = None) -> ServiceClient:
    """Revoke a client by name (an organizer only their own); its token stops working at once."""
    query = sa.select(ServiceClient).where(ServiceClient.name == (name or "").strip().lower())
    if account_id is not None:
        query = query.where(ServiceClient.account_id == account_id)
    client = db.session.scalar(query)
    if client is None:
        raise ClientNotFound(f"No client named {name!r}.")
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        db.session.commit()
    return client


def authenticate(authorization: str | None) -> ServiceClient:
    """Return the active client for an `Authorization: Bearer ...` header, or raise Unauthenticated (401)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not tokens.well_formed(token.strip()):
        raise Unauthenticated("Send a valid client token as `Authorization: Bearer ppk_...`.")
    digest = tokens.hash_token(token.strip())
    # Looked up by its SHA-256 (an attacker cannot steer a hash's prefix), then compared in constant time.
    client = db.session.scalar(sa.select(ServiceClient).where(ServiceClient.token_hash == digest))
    if client is None or not hmac.compare_digest(client.token_hash, digest) or not client.active:
        raise Unauthenticated("The token is unknown or revoked.")
    now = utcnow()
    if client.expired(now):
        raise TokenExpired("The token expired; its organizer (or the operator) can create a new client.")
    touch(client, now)
    return client


def touch(client: ServiceClient, now: dt.datetime) -> None:
    """Record that the client called the API now, at most once a minute.

    Most calls write nothing (the stored value is recent). When it is older, one conditional UPDATE sets it and
    commits at once: concurrent workers race in SQL (only the first matches the WHERE; the others update no row),
    and the row lock is held for that statement only, not for the request.
    """
    if client.last_used_at is not None and now - client.last_used_at < TOUCH_INTERVAL:
        return
    table = ServiceClient.__table__
    stale = sa.or_(table.c.last_used_at.is_(None), table.c.last_used_at < now - TOUCH_INTERVAL)
    db.session.execute(sa.update(table).where(table.c.id == client.id, stale).values(last_used_at=now))
    db.session.commit()


def transfer_decision(country: str, attestations: Iterable[Attestation] = (), on: dt.date | None = None) -> Decision:
    """The decision the API applies to this client's calls on that day (today by default), as `access.gate` does."""
    return TransferPolicy().check(country, on=on or today(), attestations=tuple(attestations) or None)


# What a recipient shows to be inside a scope-limited adequacy decision, in words an organizer knows.
ATTESTATION_NAMES = {
    "dpf": "an EU-US Data Privacy Framework certification (its entry on the DPF list)",
    "pipeda": "that it is a commercial organisation subject to PIPEDA (Canada)",
    "appi": "that it is a business operator under the APPI and its Supplementary Rules (Japan)",
    "pipa": "that it is subject to PIPA and not a body the Financial Services Commission supervises (Korea)",
    "lgpd": "that it is subject to the LGPD (Brazil)",
}


def remedy(decision: Decision) -> str:
    """What would make a refused destination lawful, in a sentence for the organizer."""
    if decision.attestation in ATTESTATION_NAMES:
        return (
            f"Calls are allowed once the client's recipient attests {ATTESTATION_NAMES[decision.attestation]}: "
            f"choose \u201c{decision.attestation}\u201d under \u201cScope attestation the recipient holds\u201d and "
            "give its reference. Without it, choose a client that runs in the EEA or in a country with an EU "
            "adequacy decision."
        )
    return (
        "No attestation makes this destination lawful today: choose a client that runs in the EEA or in a country "
        "with an EU adequacy decision in force (for example Switzerland or the United Kingdom)."
    )


def refused_today(clients: Iterable[ServiceClient]) -> dict[uuid.UUID, Decision]:
    """The active clients whose calls the transfer check refuses today, with the refusal."""
    decisions = {c.id: transfer_decision(c.country, c.attestations) for c in clients if c.active}
    return {client_id: d for client_id, d in decisions.items() if not d.allowed}
