"""One error shape: domain exceptions become problem+json on the API and a friendly page on the web."""

from __future__ import annotations

import logging
import traceback
import uuid

import sqlalchemy as sa
from flask import Flask, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

# The exceptions themselves live apart from the web stack (an import's worker processes raise them too).
from processor.exceptions import Conflict, DomainError, Forbidden, NotFound, ValidationFailed, field_errors

__all__ = ["Conflict", "DomainError", "Forbidden", "NotFound", "ValidationFailed", "field_errors"]

log = logging.getLogger(__name__)

# The slug (and so the /problems/<slug> page) of each HTTP error raised outside the domain errors.
HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    429: "rate-limited",
    500: "server-error",
}
# Headers of an HTTP error that describe the error (Allow on 405, WWW-Authenticate on 401 ...), kept on the
# problem response; the body's own headers are the problem's.
_BODY_HEADERS = {"content-type", "content-length"}


# Why a database refused a write, by PostgreSQL SQLSTATE and SQLite result code: said plainly, data never quoted.
_READ_ONLY = "The database is read-only (a failover or maintenance); nothing was written. Try again when it is back."
_FULL = "The database is out of space; nothing was written. Free space (or raise the quota) and try again."
_STORAGE_REFUSALS = {
    "25006": _READ_ONLY,  # read_only_sql_transaction
    "53100": _FULL,  # disk_full
    "SQLITE_READONLY": _READ_ONLY,
    "SQLITE_FULL": _FULL,
}


def _driver_code(error: BaseException) -> str:
    """The driver's error code (PostgreSQL SQLSTATE, SQLite result name), wrapped by SQLAlchemy or raised bare
    (PostgreSQL's COPY goes to psycopg directly)."""
    original = getattr(error, "orig", None) or error
    return getattr(original, "sqlstate", None) or getattr(original, "sqlite_errorname", None) or ""


def storage_refusal(error: BaseException) -> str | None:
    """A clear reason when the database refused to write because it is read-only or full; else None."""
    return _STORAGE_REFUSALS.get(_driver_code(error))


def is_transient(error: BaseException) -> bool:
    """The database connection went away (a restart, a failover): the work may simply be tried again."""
    if storage_refusal(error) is not None:
        return False
    # SQLSTATE class 08: connection exceptions; 57P01-03: the server shut down or is starting up.
    code = _driver_code(error)
    return isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError)) or code.startswith(
        ("08", "57P01", "57P02", "57P03")
    )


def one_line(error: DomainError) -> str:
    """The error as one line for the CLI: the detail, then each field's reason."""
    reasons = "; ".join(
        f"{e.get('field') or e.get('column') or e.get('parameter') or e.get('line', '')}: {e['detail']}"
        for e in error.errors
        if "detail" in e
    )
    return f"{error.detail} {reasons}".strip()


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    slug: str | None = None,
    errors: list[dict] | None = None,
    headers: dict | None = None,
    **extra,
) -> Response:
    """Build an application/problem+json response (RFC 9457)."""
    body = {"type": problem_type(slug or HTTP_SLUGS.get(status, f"http-{status}")), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def problem_type(slug: str) -> str:
    """The URI of the page explaining a problem, on this service."""
    try:
        return url_for("problems.page", slug=slug, _external=True)
    except (BuildError, RuntimeError):  # an app without the pages, or no request to take the host from
        return f"/problems/{slug}"


def webargs_errors(messages: dict) -> list[dict]:
    """Turn webargs' {location: {field: [msg]}} into RFC 9457 error entries with pointers.

    Nested messages (a list item's, a nested object's) are flattened to one sentence each, pointed at the
    item (`#/recipients/3`) rather than shown as a dict (`{3: [...]}`).
    """
    entries = []
    for location, fields in (messages or {}).items():
        if not isinstance(fields, dict):
            entries += [{"detail": reason, "location": location} for reason in _sentences(fields)]
            continue
        for field, reasons in fields.items():
            for path, reason in _flatten(reasons, [str(field)]):
                entry = {"detail": reason, "location": location}
                if location == "json":
                    entry["pointer"] = "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)
                else:
                    entry["parameter"] = path[0]
                entries.append(entry)
    return entries


def _flatten(reasons, path: list[str]):
    """Yield (path, sentence) for every message in marshmallow's nested error structure."""
    if isinstance(reasons, dict):
        for key, inner in reasons.items():
            yield from _flatten(inner, [*path, str(key)])
    else:
        for reason in _sentences(reasons):
            yield path, reason


def _sentences(reasons) -> list[str]:
    if isinstance(reasons, list | tuple):
        return [sentence for reason in reasons for sentence in _sentences(reason)]
    if isinstance(reasons, dict):
        return [f"{key}: {sentence}" for key, inner in reasons.items() for sentence in _sentences(inner)]
    return [str(reasons)]


def _handle_domain_error(error: DomainError):
    if is_api_request():
        return problem(
            error.status,
            error.title,
            error.detail,
            slug=error.slug,
            errors=error.errors,
            headers=getattr(error, "headers", None),
            **error.extra,
        )
    return render_template(
        "errors/error.html", status=error.status, title=error.title, detail=error.detail
    ), error.status


def _handle_http_exception(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = {k: v for k, v in error.get_headers() if k.lower() not in _BODY_HEADERS}
    headers.update(data.get("headers") or {})
    if is_api_request():
        errors = webargs_errors(data.get("messages", {})) if "messages" in data else data.get("errors")
        detail = data.get("message") or error.description
        slug = None
        if status == 400 and errors and not data.get("message"):
            detail, slug = "One or more request parameters are invalid.", ValidationFailed.slug
        return problem(status, error.name, detail, slug=slug, errors=errors, headers=headers)
    page = render_template("errors/error.html", status=status, title=error.name, detail=error.description)
    return page, status, headers


def _handle_unexpected(error: Exception):
    # Never hand str(error) to the client: it may carry data. The incident id joins the response to the log.
    incident = uuid.uuid4().hex[:12]
    # The exception's message is left out of the log too: it may quote a value; the frames locate the fault.
    frames = "\n".join(
        f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(error.__traceback__)
    )
    log.error("incident %s: unhandled %s\n%s", incident, type(error).__name__, frames)
    detail = "An unexpected error occurred. Quote the incident id when you contact support."
    if is_api_request():
        return problem(500, "Internal Server Error", detail, incident=incident)
    # The database or the session may be what failed: this page touches neither. It is rendered without the
    # context processors (Flask-Login's loads the current user from the database) and without the layout.
    try:
        body = current_app.jinja_env.get_template("errors/500.html").render(
            title="Something went wrong", detail=detail, incident=incident
        )
    except Exception:
        body = f"<!doctype html><title>Something went wrong</title><h1>Something went wrong</h1><p>{detail}</p>" + (
            f"<p>Incident id: <code>{incident}</code></p>"
        )
    return Response(body, status=500, mimetype="text/html", headers={"Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
