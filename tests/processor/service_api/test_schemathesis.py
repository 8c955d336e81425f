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
from schemathesis.checks import CHECKS, load_all_checks

EXAMPLES = 12
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


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_passes_every_check(app, bearer, known_ids, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    checks = all_checks()
    for operation in operations:

        @hypothesis.given(case=operation.as_strategy(mode), headers=st.sampled_from(bearer), real_ids=st.booleans())
        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        def call(case, headers, real_ids):
            if real_ids and mode is GenerationMode.POSITIVE and case.path_parameters:
                for name in case.path_parameters:
                    case.path_parameters[name] = known_ids.get(name, case.path_parameters[name])
            case.call_and_validate(headers=headers, checks=checks)

        try:
            call()
        except hypothesis.errors.Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # an operation without input has nothing to make invalid
