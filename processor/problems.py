"""`/problems/<slug>`: the page each problem+json `type` URI points to, explaining the error and what to do.

Every `DomainError` subclass has a page (its slug, title and status; the explanation below, else its
docstring), and so does every HTTP error the API answers with (`HTTP_SLUGS`). A test fetches them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, abort, render_template
from werkzeug.http import HTTP_STATUS_CODES

from processor.errors import HTTP_SLUGS, DomainError

bp = Blueprint("problems", __name__, url_prefix="/problems")

# slug -> what it means and what to do; a slug missing here falls back to its class's docstring.
EXPLANATIONS = {
    "validation-failed": "Some input was not valid. Each entry of `errors` names the input at fault, with a "
    "`pointer` (a JSON pointer into the body), or a `parameter` (query or path), and says why. Correct those "
    "and send the request again.",
    "bad-request": "The request could not be read: for example a body that is not JSON, or a header the "
    "service cannot parse. Send a well-formed request.",
    "not-found": "Nothing exists at this address, or it belongs to another organizer (the service does not "
    "say which, so that existence does not leak). Check the id.",
    "conflict": "The request is valid but the resource's current state does not allow it (for example a "
    "duplicate, or a step already taken). Read the resource again, then decide.",
    "forbidden": "The caller is known but not allowed to do this. The detail says why.",
    "unauthenticated": "The bearer token is missing, malformed, unknown or revoked. Send "
    "`Authorization: Bearer ppk_...` with a token from `flask clients create` or the API clients page.",
    "insufficient-scope": "The client's token lacks a scope this operation needs; `required_scopes` lists "
    "them. Ask the organizer (or the operator) for a client with those scopes.",
    "purpose-refused": "Participant data is handed out only for an essential purpose granted to the client. "
    "Marketing, analytics and third-party sharing are refused on participant data; `rule` names the rule. "
    "The refusal is written to the organizer's access log.",
    "transfer-refused": "The client's country may not receive participant data on this day: it is neither "
    "in the EEA nor covered by an EU adequacy decision in force (with its scope attestation, such as DPF for "
    "the United States). `rule` names the rule. The refusal is logged.",
    "message-refused": "Messages reach participants only on the organizer's recorded instruction and never "
    "for marketing; `rule` names the rule that refused this one.",
    "account-on-hold": "The organizer's account is removed and its data is only held until erasure: no "
    "processing is allowed during the hold.",
    "retention-refused": "The account's retention state does not allow this step (for example erasure "
    "before the hold has run out).",
    "keys-shredded": "The organizer's encryption keys were destroyed after erasure: the data cannot be "
    "recovered by anyone.",
    "keys-unavailable": "The service could not reach its encryption keys. Nothing was changed; try again "
    "later and quote the incident id to support if it persists.",
    "queue-unavailable": "The job queue (Redis in production) could not be reached, so the long task was not "
    "started and nothing changed. Try again in a moment; the operator is alerted by the service's logs.",
    "keys-missing": "The account has no encryption keys on record. Contact support.",
    "integrity-check-failed": "A stored value failed its integrity check (tampered, moved, or not ours). The "
    "value is not shown; the incident is logged for the operator.",
    "login-failed": "The login or the password is wrong.",
    "account-locked": "Too many failed logins: wait before trying again.",
    "file-refused": "The uploaded file cannot be imported at all; the detail says why.",
    "method-not-allowed": "This address does not answer to this HTTP method. The `Allow` header lists the "
    "methods it answers to.",
    "not-acceptable": "The service cannot answer in any of the media types the `Accept` header allows.",
    "payload-too-large": "The request body is larger than the service accepts.",
    "unsupported-media-type": "The body's `Content-Type` is not one this operation reads: send `application/json`.",
    "rate-limited": "The client sent more requests than its limit allows in the current window. Wait the "
    "number of seconds in `Retry-After` (also `RateLimit-Reset`), then continue; `RateLimit-Policy` states "
    "the limit.",
    "server-error": "An unexpected error occurred on the service. Nothing about it is sent to the client "
    "except an `incident` id: quote it to support.",
}


@dataclass(frozen=True)
class Problem:
    slug: str
    title: str
    status: int
    explanation: str


def catalog() -> dict[str, Problem]:
    """Every problem the service can answer with, by slug."""
    found = {}
    for status, slug in HTTP_SLUGS.items():
        found[slug] = Problem(slug, HTTP_STATUS_CODES[status], status, EXPLANATIONS.get(slug, ""))
    for error in _subclasses(DomainError):
        doc = (error.__doc__ or "").strip().splitlines()
        explanation = EXPLANATIONS.get(error.slug) or (doc[0] if doc else "") or error.title
        if error.slug not in found or error.__module__ == DomainError.__module__:
            found[error.slug] = Problem(error.slug, error.title, error.status, explanation)
    return found


def _plain_http(slug: str) -> Problem | None:
    """`http-NNN`: an HTTP error without a slug of its own."""
    code = slug.removeprefix("http-")
    if slug.startswith("http-") and code.isdigit() and int(code) in HTTP_STATUS_CODES and int(code) >= 400:
        name = HTTP_STATUS_CODES[int(code)]
        return Problem(slug, name, int(code), f"The service answered {code} {name}; the detail says why.")
    return None


def _subclasses(cls: type) -> list[type]:
    result = [cls]
    for sub in cls.__subclasses__():
        result += _subclasses(sub)
    return result


def init_app(app: Flask) -> None:
    """Serve the problem pages."""
    app.register_blueprint(bp)


@bp.route("/")
def index():
    return render_template("problems/index.html", problems=sorted(catalog().values(), key=lambda p: p.slug))


@bp.route("/<slug>")
def page(slug: str):
    problem = catalog().get(slug) or _plain_http(slug)
    if problem is None:
        abort(404)
    return render_template("problems/page.html", problem=problem)
