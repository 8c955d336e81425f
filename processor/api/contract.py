"""The served OpenAPI document, completed: servers, tag names, and every error each operation can answer with.

flask-smorest generates paths and schemas from the views' own schemas; what it cannot know is added here,
by rule, so a new endpoint is documented the same way without repeating itself:
- 400 for an operation with a parameter or a body; 401 and 403 when it needs a token; 404 and 409 when its
  path or body names a resource (`{id}`, `registry_id`: another organizer's is 404, an account on hold
  409); 429 on every operation (each is rate-limited); any other 4xx a view declares
  (`@bp.doc(responses={"404": ...})`); all as `application/problem+json` with the Problem schema and an example.
- every free-text input (no pattern, enum or format of its own) is declared free of U+0000, as
  `processor.request_guard` enforces.
- `servers`: `API_PUBLIC_URL` when set, else the address the document was fetched from.
"""

from __future__ import annotations

import copy

from flask import current_app, request, url_for

from processor.errors import HTTP_SLUGS, ValidationFailed, problem_type
from processor.extensions import api_for

PROBLEM_MEDIA_TYPE = "application/problem+json"
NO_NUL = "^[^\\u0000]*$"
METHODS = ("get", "put", "post", "patch", "delete")

RATE_HEADERS = {
    "RateLimit-Limit": "Requests allowed in the current window (IETF draft RateLimit header fields).",
    "RateLimit-Remaining": "Requests left in the current window.",
    "RateLimit-Reset": "Seconds until the window resets.",
    "RateLimit-Policy": "The limit and its window, such as `600;w=60`.",
}

# status -> (component name, description, example title, example detail, example extra)
ERRORS = {
    400: (
        "InvalidInput",
        "Invalid input: each entry of `errors` points at a parameter or a body member.",
        "Invalid input",
        "One or more request parameters are invalid.",
        {
            "errors": [
                {
                    "parameter": "fields",
                    "location": "query",
                    "detail": "Unknown name shoe_size: choose from email, first_name, last_name.",
                }
            ]
        },
    ),
    401: (
        "Unauthenticated",
        "The bearer token is missing, malformed, unknown, expired or revoked.",
        "Unauthenticated",
        "Send a valid client token as `Authorization: Bearer ppk_...`.",
        {},
    ),
    403: (
        "Refused",
        "Refused: a missing scope, a purpose or a transfer not allowed (`rule` says which).",
        "Purpose not allowed",
        "Marketing is never a purpose for participant data.",
        {"rule": "no-marketing-on-participant-data"},
    ),
    404: ("NotFound", "No such resource, or another organizer's.", "Not found", "No such registry.", {}),
    409: (
        "Conflict",
        "The resource's state does not allow this (such as an account on hold).",
        "The account is removed",
        "The account is on hold until erasure: no processing is allowed.",
        {},
    ),
    429: ("RateLimited", "Too many requests: wait `Retry-After` seconds.", "Too Many Requests", "600 per 1 minute", {}),
}
SLUGS = {400: ValidationFailed.slug, 403: "purpose-refused", 409: "account-on-hold"}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details. Members beyond these may be added; clients ignore unknown ones.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "A page on this service explaining the problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What happened this time, in a sentence."},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["detail"],
                "properties": {
                    "detail": {"type": "string"},
                    "pointer": {"type": "string", "description": "JSON pointer (as a URI fragment) into the body"},
                    "parameter": {"type": "string", "description": "The query or path parameter at fault"},
                    "location": {"type": "string", "enum": ["json", "query", "path", "form"]},
                    "field": {"type": "string"},
                },
            },
        },
        "rule": {"type": "string", "description": "The rule that refused the request (403)."},
        "required_scopes": {"type": "array", "items": {"type": "string"}},
        "incident": {"type": "string", "description": "Quote it to support (500)."},
    },
}

TAGS = {
    "api_meta": "Service",
    "transfers_api": "Transfers",
    "audit_api": "Access log",
    "marketing_api": "Marketing",
    "messages_api": "Messages",
    "registries_api": "Registries",
    "contracts_api": "Agreements",
    "subject_requests_api": "Data-subject requests",
}


def openapi_json():
    """Serve the OpenAPI document, completed for this request's server."""
    document = complete(api_for(current_app).spec.to_dict(), server_url=_server_url())
    return current_app.response_class(current_app.json.dumps(document), mimetype="application/json")


def _server_url() -> str:
    return current_app.config.get("API_PUBLIC_URL") or request.url_root.rstrip("/")


def complete(spec: dict, *, server_url: str) -> dict:
    """Return the document with servers, readable tags and the error responses of every operation."""
    document = copy.deepcopy(spec)
    document["servers"] = [{"url": server_url, "description": "This service; every path starts /api/v1."}]
    document["info"].setdefault(
        "description",
        "Participant data for internal services and organizers' integrations, each use for a stated purpose "
        f"and logged. Errors are RFC 9457 problem details; their `type` links explain each one. "
        f"Reference: {url_for('api_docs.page', _external=True)}.",
    )
    document["tags"] = [{**tag, "name": TAGS.get(tag["name"], tag["name"])} for tag in document.get("tags", [])]
    components = document.setdefault("components", {})
    components["responses"] = _error_responses()
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, item in document["paths"].items():
        path_parameters = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                operation = item[method]
                _complete_operation(operation, path, path_parameters, _body_ids(document, operation))
                body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                for parameter in [*path_parameters, *operation.get("parameters", [])]:
                    _forbid_nul(document, parameter.get("schema", {}), set())
                _forbid_nul(document, body.get("schema", {}), set())
    return document


def _forbid_nul(document: dict, schema: dict, seen: set[str]) -> None:
    """State in the schema what processor.request_guard enforces: no text input holds U+0000."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            _forbid_nul(document, document["components"]["schemas"].get(name, {}), seen)
        return
    kinds = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    if "string" in kinds and "pattern" not in schema and "enum" not in schema and "format" not in schema:
        schema["pattern"] = NO_NUL
    for inner in (*schema.get("properties", {}).values(), *([schema["items"]] if "items" in schema else [])):
        _forbid_nul(document, inner, seen)


def _body_ids(document: dict, operation: dict) -> list[str]:
    """The body members that name a resource (`registry_id` ...): an unknown one is 404 like a path's."""
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = document["components"]["schemas"].get(schema["$ref"].rsplit("/", 1)[1], {})
    return [name for name in schema.get("properties", {}) if name.endswith("_id")]


def _complete_operation(operation: dict, path: str, path_parameters: list, body_ids: list[str]) -> None:
    operation["tags"] = [TAGS.get(tag, tag) for tag in operation.get("tags", [])]
    responses = {
        status: response
        for status, response in operation.get("responses", {}).items()
        if status != "default" and not str(status).startswith(("4", "5"))
    }
    for response in responses.values():
        response.setdefault("headers", {}).update(_rate_headers())
    declared = [int(status) for status in operation.get("responses", {}) if str(status)[:1] == "4"]
    statuses = [429, *(status for status in declared if status in ERRORS)]
    if operation.get("parameters") or operation.get("requestBody") or path_parameters:
        statuses.append(400)
    if operation.get("security"):
        statuses += [401, 403]
    if "{" in path or body_ids:
        statuses += [404, 409]
    for status in sorted(set(statuses)):
        responses[str(status)] = {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
    operation["responses"] = responses


def _rate_headers() -> dict:
    return {
        name: {"description": text, "schema": {"type": "integer" if name != "RateLimit-Policy" else "string"}}
        for name, text in RATE_HEADERS.items()
    }


def _error_responses() -> dict:
    responses = {}
    for status, (name, description, title, detail, extra) in ERRORS.items():
        slug = SLUGS.get(status) or HTTP_SLUGS[status]
        example = {"type": problem_type(slug), "title": title, "status": status, "detail": detail, **extra}
        response = {
            "description": description,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}, "example": example}},
            "headers": _rate_headers(),
        }
        if status == 401:
            response["headers"]["WWW-Authenticate"] = {
                "description": '`Bearer realm="api"`',
                "schema": {"type": "string"},
            }
        if status == 429:
            response["headers"]["Retry-After"] = {
                "description": "Seconds to wait before the next request.",
                "required": True,
                "schema": {"type": "integer"},
            }
        responses[name] = response
    return responses
