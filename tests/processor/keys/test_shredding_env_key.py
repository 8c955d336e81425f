"""With the master key in MASTER_KEY the service cannot retire it: shredding says so and fails."""

from __future__ import annotations

import pytest

from processor.keys.ring import KeysShredded
from processor.registries import service as registries


def test_shredding_with_an_environment_master_key_warns_that_copies_stay_readable(app, runner, make_account):
    registry = registries.create_registry(make_account("ada").id, "Ada's")
    registries.add_participant(registry, {"email": "gone@example.org"})
    result = runner.invoke(args=["keys", "shred", "ada", "--yes-destroy-all-participant-data"])
    assert result.exit_code == 1
    assert "copies of the database taken before stay decryptable" in result.output
    with pytest.raises(KeysShredded):
        registries.list_participants(registry)
