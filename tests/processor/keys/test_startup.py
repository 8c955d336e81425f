"""Start-up: a development key is generated only over an empty database; wrong or missing keys refuse to start."""

from __future__ import annotations

import base64
import os

import pytest

from app import create_app
from processor.config import ConfigurationError
from processor.extensions import db
from processor.registries import service as registries
from tests.conftest import _config

WRONG_KEY = "1:" + base64.b64encode(b"W" * 32).decode()


@pytest.fixture
def registry(make_account):
    """Encrypted data exists: an organizer with keys and a registry."""
    return registries.create_registry(make_account("ada").id, "Existing")


def _start(database_url, tmp_path, **overrides):
    app = create_app(_config(database_url, **overrides), instance_path=str(tmp_path / "other-instance"))
    with app.app_context():
        db.engine.dispose()
    return app


def test_wrong_master_key_refuses_to_start(registry, database_url, tmp_path):
    with pytest.raises(ConfigurationError, match="not the key that wrapped"):
        _start(database_url, tmp_path, MASTER_KEY=WRONG_KEY)


def test_missing_master_key_over_existing_data_refuses_and_generates_nothing(registry, database_url, tmp_path):
    key_file = tmp_path / "other-instance" / "master.keys"
    with pytest.raises(ConfigurationError, match="no master key is configured"):
        _start(database_url, tmp_path, MASTER_KEY=None, APP_ENV="development")
    assert not key_file.exists()


def test_retired_master_version_still_in_use_refuses_to_start(registry, database_url, tmp_path):
    with pytest.raises(ConfigurationError, match="version 1 is not in"):
        _start(database_url, tmp_path, MASTER_KEY="2:" + WRONG_KEY[2:])


def test_development_generates_a_private_key_file_over_an_empty_database(app, database_url, tmp_path):
    _start(database_url, tmp_path, MASTER_KEY=None, APP_ENV="development")
    key_file = tmp_path / "other-instance" / "master.keys"
    assert key_file.exists()
    assert os.stat(key_file).st_mode & 0o777 == 0o600


def test_production_never_generates_a_key(app, database_url, tmp_path):
    _start(database_url, tmp_path, MASTER_KEY=None, APP_ENV="production")
    assert not (tmp_path / "other-instance" / "master.keys").exists()


@pytest.mark.parametrize("value", ["1:not-base64!", "1:" + base64.b64encode(b"short").decode(), "x:AAAA"])
def test_malformed_master_key_refuses_to_start(app, database_url, tmp_path, value):
    with pytest.raises(ConfigurationError, match="MASTER_KEY"):
        _start(database_url, tmp_path, MASTER_KEY=value)


def test_plaintext_benchmark_switch_is_refused_in_production(app, database_url, tmp_path):
    with pytest.raises(ConfigurationError, match="BENCH_PLAINTEXT"):
        _start(database_url, tmp_path, APP_ENV="production", BENCH_PLAINTEXT=True)
