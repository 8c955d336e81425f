"""The domain's exceptions and their error entries: plain classes, no web stack.

`processor.errors` turns them into problem+json or a page and re-exports them; modules that an import's worker
processes load (normalization, mapping, encryption) import them from here, so those processes never load Flask or
SQLAlchemy.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal or failure the service explains to its caller."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict] | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra or {}


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class ValidationFailed(DomainError):
    status = 400
    slug = "validation-failed"
    title = "Invalid input"


def field_errors(problems: dict[str, str]) -> list[dict]:
    """Build one error entry per field: the API returns them, `web.apply_errors` shows them beside form fields."""
    return [{"field": field, "pointer": f"#/{field}", "detail": detail} for field, detail in problems.items()]
