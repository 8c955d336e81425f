"""Schemathesis drives every operation of /api/v1/openapi.json with generated input: every check passes.

Every built-in check runs on every response (no server error, status codes, content types, headers and
bodies as documented, invalid input rejected, valid input accepted, 401 without a token, 405 with Allow on
unsupported methods ...). The budget is fixed (EXAMPLES per operation and mode, derandomized), so the run
is repeatable and bounded; it covers whichever operations the document lists when it runs.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks, positive_data_acceptance
from schemathesis.core.parameters import ParameterLocation

EXAMPLES = 12
# Operations whose valid-by-schema input still meets rules the schema cannot state, so a 400 for some of it
# is right: positive_data_acceptance is left out there, every other check runs. A rectification's `changes`
# are participant values (an email must be an address, a phone a number), checked as an import checks them.
DOMAIN_CHECKED = {"POST /api/v1/subject-requests/{request_id}/carry-out"}


def is_opaque(name: str) -> bool:
    """A signed token only the service issues (a page token, a change cursor): no generator can make a valid one."""
    return name.endswith("_token") or "cursor" in name


SCOPES = "participants:read,messages:send,audit:read,requests:write"


@pytest.fixture
def bearer(make_client, registry):
    _, organizer = make_client(scopes=SCOPES, account=registry.owner)
    _, platform = make_client(scopes=f"{SCOPES},marketing:audience,contracts:read", purposes="essential")
    return [organizer, platform, {}]


@pytest.fixture
def known_ids(registry):
    """Real ids to put in paths now and then, so generated requests reach past the 404."""
    return {"registry_id": str(registry.id), "participant_id": str(registry.people[0]["id"]), "login": "owner"}


def all_checks():
    load_all_checks()
    return list(CHECKS.get_all())


def prepare(case, mode, headers: dict, real_ids: bool, known_ids: dict) -> dict:
    """Adjust a generated case to what can be valid here; return the headers to send with it."""
    if mode is GenerationMode.POSITIVE:
        for name in [name for name in case.query or {} if is_opaque(name)]:
            del case.query[name]  # positive cases leave out what only the service can issue
        if real_ids:
            for name in case.path_parameters or {}:
                case.path_parameters[name] = known_ids.get(name, case.path_parameters[name])
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        return {}  # the case's own (invalid or missing) Authorization is what is under test
    return headers


def check_operation(operation, mode, bearer: list, known_ids: dict, checks: list) -> None:
    """Run EXAMPLES generated cases of one operation through every check."""
    excluded = [positive_data_acceptance] if operation.label in DOMAIN_CHECKED else []

    @hypothesis.given(case=operation.as_strategy(mode), headers=st.sampled_from(bearer), real_ids=st.booleans())
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def call(case, headers, real_ids):
        headers = prepare(case, mode, headers, real_ids, known_ids)
        case.call_and_validate(headers=headers, checks=checks, excluded_checks=excluded)

    try:
        call()
    except hypothesis.errors.Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # an operation without input has nothing to make invalid


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_passes_every_check(app, bearer, known_ids, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    checks = all_checks()
    for operation in operations:
        check_operation(operation, mode, bearer, known_ids, checks)
