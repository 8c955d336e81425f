"""Who is calling the API: bearer-token clients, their scopes, and the per-client rate limit."""

from __future__ import annotations

import functools

from flask import Flask, current_app, g, request
from flask_limiter.util import get_remote_address

from processor.api.access import log_refusal
from processor.clients import service as clients
from processor.clients.models import ServiceClient
from processor.errors import DomainError, Forbidden
from processor.extensions import api_for, db, limiter
from processor.registries.models import Registry

SECURITY = [{"bearerAuth": []}]
DEFAULT_RATE_LIMIT = "600 per minute"


class InsufficientScope(Forbidden):
    slug = "insufficient-scope"
    title = "Insufficient scope"


def current_client() -> ServiceClient:
    return g.api_client


def client_required(*scopes: str):
    """Authenticate the bearer token (401 otherwise) and require every scope named (403 otherwise)."""

    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            client = clients.authenticate(request.headers.get("Authorization"))
            missing = [scope for scope in scopes if scope not in client.scope_list]
            if missing:
                _log_scope_refusal(client, kwargs.get("registry_id"), missing)
                raise InsufficientScope(
                    f"This client lacks the scope {', '.join(missing)}.", extra={"required_scopes": list(scopes)}
                )
            g.api_client = client
            return view(*args, **kwargs)

        return guarded

    return decorate


def _log_scope_refusal(client: ServiceClient, registry_id, missing: list[str]) -> None:
    """A refused attempt on an organizer's registry is a decision that organizer sees in its access log."""

    registry = db.session.get(Registry, registry_id) if registry_id else None
    if registry is not None and client.may_open(registry):
        log_refusal(
            client,
            registry,
            purpose=request.args.get("purpose") or "-",
            fields=(),
            reason=f"insufficient-scope: the client lacks {', '.join(missing)}",
        )


def rate_limit_key() -> str:
    """One bucket per authenticated client; every other caller (no token, an unknown or revoked one) shares the
    bucket of its address, so inventing tokens buys no extra requests."""
    try:
        client = clients.authenticate(request.headers.get("Authorization"))
    except DomainError:
        return "addr:" + get_remote_address()
    return f"client:{client.id}"


def rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def limit_per_client(blueprint):
    """Apply the per-client rate limit to every route of an API blueprint."""
    return limiter.limit(rate_limit, key_func=rate_limit_key)(blueprint)


def document_security(app: Flask) -> None:
    """Declare the bearer scheme in the OpenAPI document."""
    api_for(app).spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A client token `ppk_...` from `flask clients create` or the API clients page.",
        },
    )
