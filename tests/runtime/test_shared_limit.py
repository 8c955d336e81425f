"""Two gunicorn workers count one client's requests in one bucket (Redis): limit 60/min lets at most 60 of 100 in."""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from processor.clients import service as clients

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def app_config(worker_config):
    return {k: v for k, v in worker_config.items() if k != "DATABASE_URL"}


@pytest.fixture
def worker_config(worker_config, tmp_path):
    from tests.runtime.conftest import write_instance_config

    limited = {**worker_config, "RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "60 per minute"}
    write_instance_config(tmp_path / "instance", **limited)
    return limited


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback test server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_gunicorn_workers_share_one_limit_in_redis(app_ctx, make_account, start_gunicorn):
    owner = make_account("ada")
    _, token = clients.create_client(
        name="svc",
        scopes="participants:read",
        purposes_granted="essential.service",
        country="DE",
        account_id=owner.id,
        created_by="test",
    )
    base = start_gunicorn(workers=2)
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda _: _status(f"{base}/api/v1/registries", token), range(100)))
    assert set(codes) <= {200, 429}
    assert codes.count(200) <= 60
    assert codes.count(429) >= 40
