"""Migration s4_legal2_01 turns every `dpf_certified = true` into a dated DPF attestation, and nothing else."""

from __future__ import annotations

import datetime as dt
import uuid

import flask_migrate
import sqlalchemy as sa

from app import create_app
from processor.extensions import db
from tests.conftest import _config


def test_dpf_certified_rows_become_dpf_attestations_from_the_migration_day(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    app = create_app(_config(url), instance_path=str(tmp_path))
    certified, plain, sub = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with app.app_context():
        flask_migrate.upgrade(revision="1c50a967459f")
        with db.engine.begin() as conn:
            for client_id, name, flag in ((certified, "us-mailer", True), (plain, "de-mailer", False)):
                conn.execute(
                    sa.text(
                        "INSERT INTO service_clients (id, name, token_hash, token_hint, scopes, purposes, country, "
                        "dpf_certified, created_at, created_by) VALUES (:id, :name, :hash, 'ppk_', 's', 'p', 'US', "
                        ":flag, '2024-01-01 00:00:00', 'test')"
                    ),
                    {"id": client_id.hex, "name": name, "hash": name * 4, "flag": flag},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO subprocessors (id, name, purpose, country, dpf_certified, added_at) "
                    "VALUES (:id, 'Mail Co', 'Mail', 'US', 1, '2024-02-03 10:00:00')"
                ),
                {"id": sub.hex},
            )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT client_id, subprocessor_id, kind, valid_from, reference FROM transfer_attestations")
            ).all()
            effective = conn.execute(sa.text("SELECT effective_on FROM subprocessors")).scalar_one()
        db.engine.dispose()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert sorted((r.client_id or "", r.subprocessor_id or "", r.kind, str(r.valid_from)) for r in rows) == sorted(
        [(certified.hex, "", "dpf", today), ("", sub.hex, "dpf", today)]
    )
    assert all("dpf_certified=true" in r.reference for r in rows)
    assert str(effective) == "2024-02-03"  # an existing sub-processor took effect when it was added
