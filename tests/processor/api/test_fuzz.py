"""A property: no value in any query parameter, path segment or JSON body of any API operation causes a 5xx.

Unlike schemathesis, which generates from the schema, this sends what the schema does not expect: text
with NUL and any Unicode, numbers too large for any column, instants at the ends of the calendar, repeated
parameters, JSON of any shape, and bodies that are not JSON. Operations come from the served document, so
new endpoints are covered as they appear. The budget is fixed (EXAMPLES per operation, derandomized).
"""

from __future__ import annotations

import hypothesis
import pytest
from hypothesis import strategies as st

NO_SUCH_ID = "00000000-0000-4000-8000-000000000000"  # a path parameter without a known value: a well-formed id
EXAMPLES = 25  # per input of each operation
METHODS = ("get", "post", "put", "patch", "delete")
TRICKY = [
    "",
    "\x00",
    "a\x00b",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-02-30T25:61:00Z",
    "99999999999999999999999",
    "-99999999999999999999999",
    "1e309",
    "NaN",
    "-1",
    "0",
    "email,phone",
    ",,,",
    "email,email,email",
    "marketing",
    "essential",
    "ppk_" + "A" * 38,
    "../../etc/passwd",
    "%00",
    "\ud7ff\ue000\U0010ffff",
    "x" * 5000,
]
texts = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40), st.integers().map(str))
# What a parameter of each kind is most likely to choke on.
EDGES = {
    "date-time": [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00Z",
        "2026-13-01T00:00Z",
    ],
    "date": ["0001-01-01", "9999-12-31", "2026-02-30"],
    "integer": ["99999999999999999999999", "-99999999999999999999999", "2147483648", "-1", "0", "1.5"],
    "uuid": ["00000000-0000-0000-0000-000000000000", "not-a-uuid"],
    "string": ["\x00", "a\x00b", "x" * 5000, ""],
}


def spoiled_values(schema: dict):
    """Anything at all, half the time what this kind of parameter is most likely to choke on."""
    kinds = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    kind = schema.get("format") if schema.get("format") in EDGES else next((k for k in kinds if k != "null"), None)
    return st.one_of(st.sampled_from(EDGES.get(kind, EDGES["string"])), texts)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=12,
)


def good_value(schema: dict) -> str | None:
    """The value the document suggests: its example, else its default, else the first allowed one."""
    for value in (schema.get("example"), schema.get("default"), *schema.get("enum", [])[:1]):
        if value is not None and not isinstance(value, list | dict):
            return str(value)
    return None


@st.composite
def requests(draw, target: str, path_parameters: list[str], parameters: dict, members: list[str], known: dict):
    """A valid request (real ids, the values the document suggests) with one input, `target`, given anything
    at all: a path segment, a query parameter (repeated, or left out), an unknown parameter, the body, or the
    token. Spoiling one input of an otherwise valid request reaches past the first check to the code behind it.
    """
    segments = {name: draw(texts) if name == target else known.get(name, NO_SUCH_ID) for name in path_parameters}
    query = []
    for name, schema in sorted(parameters.items()):
        if name == target:
            values = draw(st.one_of(spoiled_values(schema).map(lambda value: [value]), st.lists(texts, max_size=3)))
            query += [(name, value) for value in values]
        elif good_value(schema) is not None:
            query.append((name, good_value(schema)))
    if target == "unknown":
        query.append((draw(texts), draw(texts)))
    if target == "body":
        body = draw(st.one_of(json_values, st.binary(max_size=40)))
    else:
        body = draw(st.fixed_dictionaries({}, optional={name: json_values for name in members}))
    return segments, query, body


def operations(spec):
    for path, item in spec["paths"].items():
        path_parameters = [p["name"] for p in item.get("parameters", []) if p["in"] == "path"]
        for method in METHODS:
            if method in item:
                yield method, path, path_parameters, item[method]


def query_parameters(operation) -> dict:
    return {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p["in"] == "query"}


def body_names(spec, operation) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return []
    schema = content["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return list(schema.get("properties", {}))


@pytest.fixture
def headers(make_client, registry):
    _, organizer = make_client(
        scopes="participants:read,messages:send,audit:read,requests:write", account=registry.owner
    )
    _, platform = make_client(
        scopes="participants:read,messages:send,audit:read,requests:write,marketing:audience,contracts:read",
        purposes="essential",
    )
    return [organizer, platform, {}, {"Authorization": "Bearer \x00"}]


def send(client, method: str, path: str, request, auth):
    segments, query, body = request
    url = path
    for name, value in segments.items():
        url = url.replace("{" + name + "}", value.replace("/", "%2F").replace("?", "%3F").replace("#", "%23"))
    kwargs = {"query_string": query, "headers": auth}
    if method != "get":
        binary = isinstance(body, bytes)
        kwargs.update({"data": body, "content_type": "application/octet-stream"} if binary else {"json": body})
    response = client.open(url, method=method.upper(), **kwargs)
    assert response.status_code < 500, f"{method.upper()} {url} {query} -> {response.get_data(as_text=True)}"


def fuzz(client, method: str, path: str, strategy, auth) -> None:
    """Send EXAMPLES generated requests to one operation."""

    @hypothesis.given(request=strategy, auth=auth)
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def call(request, auth):
        send(client, method, path, request, auth)

    call()


def test_no_input_causes_a_server_error(client, registry, headers):
    spec = client.get("/api/v1/openapi.json").get_json()
    known = {"registry_id": str(registry.id), "participant_id": str(registry.people[0]["id"]), "login": "owner"}
    covered = 0
    for method, path, path_parameters, operation in operations(spec):
        parameters, members = query_parameters(operation), body_names(spec, operation)
        for target in [*path_parameters, *sorted(parameters), "unknown", "body", "token"]:
            strategy = requests(target, path_parameters, parameters, members, known)
            auth = st.sampled_from(headers if target == "token" else headers[:2])
            fuzz(client, method, path, strategy, auth)
        covered += 1
    assert covered >= 10
