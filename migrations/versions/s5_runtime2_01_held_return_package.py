"""held return package: the key of a return package a job prepares during the hold

Revision ID: s5_runtime2_01
Revises: s5_webclients_01
Create Date: 2026-11-30 21:00:00

A return asked for during the hold is now produced by a job (not in the web request or the CLI): the package
waits encrypted in instance/returns/ under a random key kept here until it is downloaded once.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "s5_runtime2_01"
down_revision = "s5_webclients_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("account_exits") as batch:
        batch.add_column(sa.Column("held_package_key", sa.LargeBinary(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("account_exits") as batch:
        batch.drop_column("held_package_key")
