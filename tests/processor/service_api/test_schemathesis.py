"""Schemathesis drives every operation of /api/v1/openapi.json with generated input: no server error."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode

# A small budget per operation and mode keeps CI fast; the full suite runs it on both engines.
EXAMPLES = 10
SCOPES = "participants:read,messages:send,audit:read,requests:write"


@pytest.fixture
def bearer(make_client, make_account):
    ada = make_account("ada")
    _, organizer = make_client(scopes=SCOPES, account=ada)
    _, platform = make_client(scopes=f"{SCOPES},marketing:audience", purposes="essential")
    return [organizer, platform, {}]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_never_cause_a_server_error(app, bearer, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 3
    for operation in operations:

        @hypothesis.given(case=operation.as_strategy(mode), headers=st.sampled_from(bearer))
        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        def call(case, headers):
            response = case.call(headers=headers)
            assert response.status_code < 500, f"{case.operation.label}: {response.status_code} {response.text}"

        try:
            call()
        except hypothesis.errors.Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # an operation without input has nothing to make invalid
