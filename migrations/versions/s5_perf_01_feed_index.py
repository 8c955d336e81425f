"""participants: the change feed pages through one change by (change_txn, id); the lone key_version index goes

Revision ID: s5_perf_01
Revises: s5_runtime2_01
Create Date: 2026-11-30 21:20:00

A feed page inside one large change (a 100,000-row import) is a range of the (change_txn, id) index; on the
change_txn index alone every page read and sorted the whole change. ix_participants_key_version duplicated the
(registry_id, key_version, id) index that key rotation uses (every query on key_version names the registries):
one B-tree fewer for each imported row to enter.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "s5_perf_01"
down_revision = "s5_runtime2_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index("ix_participants_change_txn")
        batch_op.drop_index("ix_participants_key_version")
        batch_op.create_index("ix_participants_change_txn_id", ["change_txn", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index("ix_participants_change_txn_id")
        batch_op.create_index("ix_participants_key_version", ["key_version"], unique=False)
        batch_op.create_index("ix_participants_change_txn", ["change_txn"], unique=False)
