"""Migration s4_legal2_01 turns every `dpf_certified = true` into a dated DPF attestation, and nothing else."""

from __future__ import annotations

import datetime as dt
import uuid

import flask_migrate
import pytest
import sqlalchemy as sa

from app import create_app
from processor.config import sqlalchemy_url
from processor.extensions import db
from tests.conftest import PG_URL, _config, missing

SCHEMA = "legal2_migration_check"  # a schema of its own, so the shared test schema is left alone


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    """An empty database of each engine to run the migrations from the start."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    if not PG_URL:
        missing("TEST_DATABASE_URL is not set: no PostgreSQL to test against")
    engine = sa.create_engine(sqlalchemy_url(PG_URL))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{SCHEMA}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


def test_dpf_certified_rows_become_dpf_attestations_from_the_migration_day(fresh_url, tmp_path):
    url = fresh_url
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
                        ":flag, :created, 'test')"
                    ).bindparams(sa.bindparam("id", type_=sa.Uuid()), sa.bindparam("created", type_=sa.DateTime())),
                    {"id": client_id, "name": name, "hash": name * 4, "flag": flag, "created": dt.datetime(2024, 1, 1)},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO subprocessors (id, name, purpose, country, dpf_certified, added_at) "
                    "VALUES (:id, 'Mail Co', 'Mail', 'US', :flag, :added)"
                ).bindparams(sa.bindparam("id", type_=sa.Uuid()), sa.bindparam("added", type_=sa.DateTime())),
                {"id": sub, "flag": True, "added": dt.datetime(2024, 2, 3, 10)},
            )
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="1c50a967459f")  # the way back works and restores the flag
        with db.engine.connect() as conn:
            flags = conn.execute(sa.text("SELECT name, dpf_certified FROM service_clients ORDER BY name")).all()
        assert [(name, bool(flag)) for name, flag in flags] == [("de-mailer", False), ("us-mailer", True)]
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT client_id, subprocessor_id, kind, valid_from, reference FROM transfer_attestations")
            ).all()
            effective = conn.execute(sa.text("SELECT effective_on FROM subprocessors")).scalar_one()
        db.engine.dispose()
    today = dt.datetime.now(dt.UTC).date().isoformat()

    def as_uuid(value):
        return uuid.UUID(str(value)) if value else None

    assert sorted(
        (str(as_uuid(r.client_id)), str(as_uuid(r.subprocessor_id)), r.kind, str(r.valid_from)) for r in rows
    ) == sorted([(str(certified), "None", "dpf", today), ("None", str(sub), "dpf", today)])
    assert all("dpf_certified=true" in r.reference for r in rows)
    assert str(effective) == "2024-02-03"  # an existing sub-processor took effect when it was added
