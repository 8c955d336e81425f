"""access-log checkpoints: signed (sequence, head, time) statements the organizer downloads

Revision ID: s4_gate_03
Revises: s4_gate_02
Create Date: 2026-11-30 18:45:00

The chain itself becomes keyed (HMAC under AUDIT_CHAIN_KEY) in code: entries written before this revision were
hashed without a key and verify again once `flask --app app audit rekey-legacy` has re-keyed them.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "s4_gate_03"
down_revision = "s4_gate_02"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "access_log_checkpoints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_access_log_checkpoints_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_checkpoints")),
    )
    with op.batch_alter_table("access_log_checkpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_log_checkpoints_account_id"), ["account_id"], unique=False)


def downgrade():
    with op.batch_alter_table("access_log_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_log_checkpoints_account_id"))
    op.drop_table("access_log_checkpoints")
