"""imports: file name, workbook sheet, header row, report layout, strict mode, warnings

Revision ID: s4_import_01
Revises: s4_auth_01
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "s4_import_01"
down_revision = "s4_auth_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("file_kind", sa.String(length=8), server_default="csv", nullable=False))
        batch_op.add_column(sa.Column("sheet", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("sheets", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("header_row", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("skip_lines", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("layout", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("strict", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("warnings", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("first_warnings", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("imports", schema=None) as batch_op:
        for name in ("first_warnings", "warnings", "strict", "layout", "skip_lines", "header_row", "sheets", "sheet",
                     "file_kind", "file_name"):
            batch_op.drop_column(name)
