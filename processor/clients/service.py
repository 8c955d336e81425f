"""Create, list, revoke and authenticate service clients."""

from __future__ import annotations

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
from processor.transfers.attestations import Attestation, dpf_from_flag

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Unauthenticated"
    headers: ClassVar[dict] = {"WWW-Authenticate": 'Bearer realm="api"'}


class ClientNotFound(NotFound):
    pass


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
) -> tuple[ServiceClient, str]:
    """Create a client and return it with its token; the token is not stored and cannot be shown again.

    `attestations` are checked ones (`transfers.attestations.new_attestation`); `dpf_certified=True` is the older
    yes/no and records a DPF attestation from today without a reference.
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
    if errors:
        raise ValidationFailed("The client was not created.", errors=errors)
    granted = purposes.validate_grant(_split(purposes_granted))  # refuses marketing, analytics, sharing
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
        attestations=[*attestations, *([dpf_from_flag(utcnow().date(), created_by)] if dpf_certified else [])],
    )
    db.session.add(client)
    commit_or_conflict("The client was not created.", errors=field_errors({"name": "A client with this name exists."}))
    return client, token


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
    return client
