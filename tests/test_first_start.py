"""Processes starting together on a fresh instance folder (`make run`: the web server and a job worker; gunicorn's
workers) all start, and all end up with the same generated secrets: none reads a file another is still writing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from processor.keys.providers import FileKeyProvider, MasterKeyError
from processor.secret_files import create_once

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 8

CHILD = """
import hashlib, json, os, sys, time
from pathlib import Path
instance, go = Path(sys.argv[1]), Path(sys.argv[2])
from app import create_app  # imports first, then wait for the others: they all reach the files at once
while not go.exists():
    time.sleep(0.001)
app = create_app({"APP_ENV": "development"}, instance_path=str(instance))
with app.app_context():
    from processor import signing_key
    public = signing_key.private_key().public_key()
    digest = lambda b: hashlib.sha256(b).hexdigest()
    print(json.dumps({
        "secret_key": digest(app.config["SECRET_KEY"].encode()),
        "audit_key": digest(app.extensions["audit_chain_key"]),
        "master_key": digest((instance / "master.keys").read_bytes()),
        "signing_key": signing_key.key_id(public),
    }))
"""


@pytest.mark.timeout(300)
@pytest.mark.parametrize("round_", range(3))
def test_processes_starting_together_on_a_fresh_instance_share_one_set_of_secrets(tmp_path, round_):
    instance, go = tmp_path / "instance", tmp_path / "go"
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "MASTER_KEY", "DATABASE_URL", "APP_ENV")}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(instance), str(go)],
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    time.sleep(3)  # every child has imported the app and waits
    go.touch()
    outcomes = [child.communicate(timeout=240) for child in children]
    failures = [
        err.strip().splitlines()[-1] for child, (_, err) in zip(children, outcomes, strict=True) if child.returncode
    ]
    assert failures == []
    secrets_seen = {out.strip().splitlines()[-1] for out, _ in outcomes}
    assert len(secrets_seen) == 1, secrets_seen
    assert set(json.loads(secrets_seen.pop())) == {"secret_key", "audit_key", "master_key", "signing_key"}
    leftovers = [p.name for p in instance.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_master_key_file_written_by_another_process_after_this_one_looked_is_used_not_refused(tmp_path):
    path = tmp_path / "master.keys"
    late = FileKeyProvider(path)  # looked: no file yet
    first = FileKeyProvider(path)
    first.generate()  # another process, a moment later
    assert late.generate(exists_ok=True) == 1
    assert late.wrap(b"k" * 32, b"aad")[0] == 1 and first.unwrap(*late.wrap(b"k" * 32, b"aad"), b"aad") == b"k" * 32
    with pytest.raises(MasterKeyError, match="never overwritten"):
        late.generate()


def test_a_secret_file_is_linked_whole_and_never_replaced(tmp_path):
    path = tmp_path / "instance" / "secret"
    assert create_once(path, b"first") and not create_once(path, b"second")
    assert path.read_bytes() == b"first" and path.stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret"]
