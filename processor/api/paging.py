"""Opaque page tokens: the last row's position, signed and bound to the query that produced it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from processor.errors import ValidationFailed

SALT = "participants-page-token"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def query_fingerprint(**query) -> str:
    """A short digest of everything that shapes the result, so a token cannot be replayed on another query."""
    canonical = json.dumps({k: str(v) for k, v in query.items()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def make_token(last: dict, fingerprint: str) -> str:
    return _serializer().dumps({"q": fingerprint, "u": last["updated_at"].isoformat(), "i": str(last["id"])})


def read_token(token: str, fingerprint: str) -> tuple[dt.datetime, uuid.UUID]:
    """Return the (updated_at, id) to continue after, or 400 naming `page_token`."""
    try:
        data = _serializer().loads(token)
        if data["q"] != fingerprint:
            raise ValueError("token of another query")
        return dt.datetime.fromisoformat(data["u"]), uuid.UUID(data["i"])
    except (BadSignature, ValueError, KeyError, TypeError):
        raise ValidationFailed(
            "The page token is not valid for this query.",
            errors=[
                {
                    "parameter": "page_token",
                    "detail": "Use the next_page_token of the previous page, unchanged, "
                    "with the same query parameters.",
                }
            ],
        ) from None


def make_cursor(last: tuple[int, uuid.UUID], fingerprint: str) -> str:
    """A change-feed cursor: the (change number, id) of the last change handed out, signed and bound."""
    return _serializer().dumps({"q": fingerprint, "s": int(last[0]), "i": str(last[1])})


def read_cursor(token: str, fingerprint: str) -> tuple[int, uuid.UUID]:
    """Return the (change number, id) to continue after, or 400 naming `cursor`."""
    try:
        data = _serializer().loads(token)
        if data["q"] != fingerprint:
            raise ValueError("cursor of another query")
        return int(data["s"]), uuid.UUID(data["i"])
    except (BadSignature, ValueError, KeyError, TypeError):
        raise ValidationFailed(
            "The cursor is not valid for this feed.",
            errors=[
                {
                    "parameter": "cursor",
                    "detail": "Use the cursor of the previous response, unchanged, with the same purpose and fields.",
                }
            ],
        ) from None
