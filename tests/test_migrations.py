"""The migrations build exactly the schema the models describe, on every engine."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from processor.extensions import db


def test_migrations_match_the_models(app_ctx, engine_name):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ on {engine_name}: run `flask db migrate`"


def test_schema_is_at_the_latest_revision(app_ctx, app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert len(heads) == 1, "migrations have more than one head: give the new one the right down_revision"
    assert set(current) == set(heads)
    assert Migrate  # the extension is what `make run` uses to upgrade
