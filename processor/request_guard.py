"""Refuse input no view can store or parse, before any view sees it: NUL characters and JSON nested too deep.

PostgreSQL's text cannot hold U+0000 (SQLite's can, so the two engines would disagree), and Python's JSON
parser recurses once per nesting level. Both are refused here for every route, web and API alike, with a
pointer to the offending input, instead of failing deep inside a service as a 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from processor.errors import ValidationFailed

NUL = "\x00"
NUL_REASON = "Text must not contain the NUL character (U+0000)."
INT_MAX = 2**31 - 1  # every integer in a path is a version or a position: a 32-bit column on both engines


class BoundedInt(IntegerConverter):
    """`<int:...>` that matches only what the database can hold: a larger number is a 404, like a missing row."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Bound integer path segments and check every request's text before its view runs."""
    app.url_map.converters["int"] = BoundedInt
    app.before_request(check_request)


def check_request() -> None:
    """Raise ValidationFailed naming each path segment, query parameter, form field or JSON member at fault."""
    errors = [
        {"parameter": name, "location": location, "detail": NUL_REASON}
        for location, name, value in _plain_inputs()
        if NUL in value
    ]
    if request.is_json and request.content_length:
        errors += _json_errors(request.get_data(cache=True))
    if errors:
        reasons = "; ".join(f"{e.get('parameter') or e.get('pointer') or 'the body'}: {e['detail']}" for e in errors)
        raise ValidationFailed(f"The request cannot be accepted. {reasons}", errors=errors)


def _plain_inputs() -> Iterator[tuple[str, str, str]]:
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield "path", name, value
    for name, value in request.args.items(multi=True):
        yield "query", name, (name + value)
    # Multipart bodies are uploads: their views refuse an oversized one by its length before reading it, so
    # the guard must not read it first; their few text fields are choices the forms check against a list.
    if request.mimetype == "application/x-www-form-urlencoded":
        for name, value in request.form.items(multi=True):
            yield "form", name, (name + value)


def _json_errors(data: bytes) -> list[dict]:
    try:
        body = json.loads(data)
        return [{"pointer": p, "location": "json", "detail": NUL_REASON} for p in _nul_pointers(body, "#")]
    except RecursionError:
        return [{"pointer": "#", "location": "json", "detail": "The JSON body is nested too deeply."}]
    except ValueError:
        return []  # not JSON at all: the view's parser says so, with its own message


def _nul_pointers(value, pointer: str) -> Iterator[str]:
    """JSON pointers (RFC 6901, as URI fragments) to every string, or object key, holding a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield pointer
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_pointers(item, f"{pointer}/{index}")
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
            if NUL in key:
                yield child
            yield from _nul_pointers(item, child)
