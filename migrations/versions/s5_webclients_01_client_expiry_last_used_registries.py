"""API clients: expiry, last use, and limits to chosen registries

Revision ID: s5_webclients_01
Revises: s4_gate_03
Create Date: 2026-11-30 20:50:00

Existing clients keep working as before: no expiry, never used (until their next call), every registry.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "s5_webclients_01"
down_revision = "s4_gate_03"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("service_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("limited_to_registries", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "service_client_registries",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("registry_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["service_clients.id"],
            name=op.f("fk_service_client_registries_client_id_service_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registry_id"],
            ["registries.id"],
            name=op.f("fk_service_client_registries_registry_id_registries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", "registry_id", name=op.f("pk_service_client_registries")),
    )


def downgrade():
    op.drop_table("service_client_registries")
    with op.batch_alter_table("service_clients", schema=None) as batch_op:
        batch_op.drop_column("limited_to_registries")
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
