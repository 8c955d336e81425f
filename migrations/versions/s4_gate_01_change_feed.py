"""change feed: participants and deletion markers carry their writing transaction; numbers given at commit

Revision ID: s4_gate_01
Revises: s4_legal_01
Create Date: 2026-11-30 18:10:00

"""

import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "s4_gate_01"
down_revision = "s4_legal_01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "change_counters",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_change_counters_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_change_counters")),
    )
    op.create_table(
        "participant_changes",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("txn", sa.Uuid(), nullable=False),
        sa.Column("committed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_participant_changes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "seq", name=op.f("pk_participant_changes")),
        sa.UniqueConstraint("txn", name=op.f("uq_participant_changes_txn")),
    )
    for table in ("participants", "participant_deletions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("change_txn", sa.Uuid(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_change_txn"), ["change_txn"], unique=False)
    _backfill()


def _backfill():
    """Rows written before the feed existed: one change per organizer, number 1, so a new client gets them all."""
    bind = op.get_bind()
    registries = sa.table("registries", sa.column("id", sa.Uuid()), sa.column("account_id", sa.Uuid()))
    accounts = bind.execute(sa.select(registries.c.account_id).distinct()).scalars().all()
    counters = sa.table("change_counters", sa.column("account_id", sa.Uuid()), sa.column("seq", sa.BigInteger()))
    changes = sa.table(
        "participant_changes",
        sa.column("account_id", sa.Uuid()),
        sa.column("seq", sa.BigInteger()),
        sa.column("txn", sa.Uuid()),
        sa.column("committed_at", sa.DateTime()),
    )
    for account_id in accounts:
        txn = uuid.uuid4()
        for name in ("participants", "participant_deletions"):
            table = sa.table(name, sa.column("registry_id", sa.Uuid()), sa.column("change_txn", sa.Uuid()))
            bind.execute(
                sa.update(table)
                .where(table.c.registry_id.in_(sa.select(registries.c.id).where(registries.c.account_id == account_id)))
                .values(change_txn=txn)
            )
        bind.execute(sa.insert(counters).values(account_id=account_id, seq=1))
        bind.execute(sa.insert(changes).values(account_id=account_id, seq=1, txn=txn, committed_at=sa.func.now()))


def downgrade():
    for table in ("participant_deletions", "participants"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_change_txn"))
            batch_op.drop_column("change_txn")
    op.drop_table("participant_changes")
    op.drop_table("change_counters")
