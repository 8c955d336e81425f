"""row integrity: each participant row carries an HMAC over its registry, id, revision, index and cells

Revision ID: s4_gate_02
Revises: s4_gate_01
Create Date: 2026-11-30 18:30:00

Rows written before this revision have no MAC and fail their integrity check when read until
`flask --app app keys seal-legacy-rows` seals them (once, after checking every cell; see docs/operations.md).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "s4_gate_02"
down_revision = "s4_gate_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("row_mac", sa.LargeBinary(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("row_mac")
