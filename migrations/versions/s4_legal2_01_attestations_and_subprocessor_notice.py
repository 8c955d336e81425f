"""scope attestations replace dpf_certified; sub-processor changes announced before they take effect

Revision ID: s4_legal2_01
Revises: s4_runtime_01

- `transfer_attestations`: what a service client or a sub-processor attests (kind, reference, validity).
  Every row with `dpf_certified = true` becomes a `dpf` attestation valid from the day this migration runs
  (the flag carried no date and no reference; the reference says so), then the column is dropped.
- `subprocessors`: address, essential, effective_on (existing rows took effect when added).
- `subprocessor_changes`: effective_on, objection_deadline (existing: 30 days after the change, as before;
  none for removals), emergency_reason.
- `subprocessor_objections.outcome`: existing objections exclude their organizer.
- `organizer_outbox`: mail to organizers themselves (sub-processor notices).
"""

import datetime as dt
import uuid

import sqlalchemy as sa
from alembic import op

revision = "s4_legal2_01"
down_revision = "s4_runtime_01"
branch_labels = None
depends_on = None

KINDS = ("dpf", "pipeda", "appi", "pipa", "lgpd", "safe-harbor", "privacy-shield")


def upgrade():
    today = dt.datetime.now(dt.UTC).date()
    op.create_table(
        "transfer_attestations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("subprocessor_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=300), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "kind IN ({})".format(", ".join(f"'{k}'" for k in KINDS)), name=op.f("ck_transfer_attestations_kind")
        ),
        sa.CheckConstraint(
            "(client_id IS NULL) <> (subprocessor_id IS NULL)", name=op.f("ck_transfer_attestations_one_holder")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_transfer_attestations_period")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["service_clients.id"],
            name=op.f("fk_transfer_attestations_client_id_service_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subprocessor_id"],
            ["subprocessors.id"],
            name=op.f("fk_transfer_attestations_subprocessor_id_subprocessors"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_attestations")),
    )
    with op.batch_alter_table("transfer_attestations") as batch_op:
        batch_op.create_index(batch_op.f("ix_transfer_attestations_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_attestations_subprocessor_id"), ["subprocessor_id"], unique=False)

    conn = op.get_bind()
    attestations = sa.table(
        "transfer_attestations",
        sa.column("id", sa.Uuid()),
        sa.column("client_id", sa.Uuid()),
        sa.column("subprocessor_id", sa.Uuid()),
        sa.column("kind", sa.String()),
        sa.column("reference", sa.String()),
        sa.column("valid_from", sa.Date()),
        sa.column("recorded_at", sa.DateTime()),
        sa.column("recorded_by", sa.String()),
    )
    reference = f"converted from dpf_certified=true by migration s4_legal2_01 on {today}; no reference was recorded"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for table, column in (("service_clients", "client_id"), ("subprocessors", "subprocessor_id")):
        holders = sa.table(table, sa.column("id", sa.Uuid()), sa.column("dpf_certified", sa.Boolean()))
        ids = conn.execute(sa.select(holders.c.id).where(holders.c.dpf_certified.is_(True))).scalars().all()
        rows = [
            {
                "id": uuid.uuid4(),
                "client_id": None,
                "subprocessor_id": None,
                column: holder_id,
                "kind": "dpf",
                "reference": reference,
                "valid_from": today,
                "recorded_at": now,
                "recorded_by": "migration",
            }
            for holder_id in ids
        ]
        if rows:
            op.bulk_insert(attestations, rows)
    with op.batch_alter_table("service_clients") as batch_op:
        batch_op.drop_column("dpf_certified")

    with op.batch_alter_table("subprocessors") as batch_op:
        batch_op.drop_column("dpf_certified")
        batch_op.add_column(sa.Column("address", sa.String(length=300), server_default="", nullable=False))
        batch_op.add_column(sa.Column("essential", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
    subprocessors = sa.table(
        "subprocessors", sa.column("id", sa.Uuid()), sa.column("added_at", sa.DateTime()), sa.column("effective_on", sa.Date())
    )
    for sub_id, added_at in conn.execute(sa.select(subprocessors.c.id, subprocessors.c.added_at)).all():
        conn.execute(subprocessors.update().where(subprocessors.c.id == sub_id).values(effective_on=added_at.date()))
    with op.batch_alter_table("subprocessors") as batch_op:
        batch_op.alter_column("effective_on", existing_type=sa.Date(), nullable=False)

    with op.batch_alter_table("subprocessor_changes") as batch_op:
        batch_op.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("objection_deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("emergency_reason", sa.String(length=500), nullable=True))
    changes = sa.table(
        "subprocessor_changes",
        sa.column("id", sa.Integer()),
        sa.column("action", sa.String()),
        sa.column("changed_at", sa.DateTime()),
        sa.column("effective_on", sa.Date()),
        sa.column("objection_deadline", sa.Date()),
    )
    for change_id, action, changed_at in conn.execute(
        sa.select(changes.c.id, changes.c.action, changes.c.changed_at)
    ).all():
        deadline = changed_at.date() + dt.timedelta(days=30) if action == "added" else None
        conn.execute(
            changes.update()
            .where(changes.c.id == change_id)
            .values(effective_on=changed_at.date(), objection_deadline=deadline)
        )
    with op.batch_alter_table("subprocessor_changes") as batch_op:
        batch_op.alter_column("effective_on", existing_type=sa.Date(), nullable=False)

    with op.batch_alter_table("subprocessor_objections") as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=24), server_default="excluded", nullable=False))
        batch_op.create_check_constraint("outcome", "outcome IN ('excluded', 'termination-offered')")

    op.create_table(
        "organizer_outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('subprocessor-change')", name=op.f("ck_organizer_outbox_kind")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_organizer_outbox_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizer_outbox")),
    )
    with op.batch_alter_table("organizer_outbox") as batch_op:
        batch_op.create_index(batch_op.f("ix_organizer_outbox_account_id"), ["account_id"], unique=False)


def downgrade():
    with op.batch_alter_table("organizer_outbox") as batch_op:
        batch_op.drop_index(batch_op.f("ix_organizer_outbox_account_id"))
    op.drop_table("organizer_outbox")
    with op.batch_alter_table("subprocessor_objections") as batch_op:
        batch_op.drop_constraint("outcome", type_="check")
        batch_op.drop_column("outcome")
    with op.batch_alter_table("subprocessor_changes") as batch_op:
        batch_op.drop_column("emergency_reason")
        batch_op.drop_column("objection_deadline")
        batch_op.drop_column("effective_on")
    for table, column in (("service_clients", "client_id"), ("subprocessors", "subprocessor_id")):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("dpf_certified", sa.Boolean(), server_default=sa.false(), nullable=False))
        op.execute(
            f"UPDATE {table} SET dpf_certified = true WHERE id IN "
            f"(SELECT {column} FROM transfer_attestations WHERE kind = 'dpf' AND {column} IS NOT NULL)"
        )
    with op.batch_alter_table("subprocessors") as batch_op:
        batch_op.drop_column("effective_on")
        batch_op.drop_column("essential")
        batch_op.drop_column("address")
    with op.batch_alter_table("transfer_attestations") as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_attestations_subprocessor_id"))
        batch_op.drop_index(batch_op.f("ix_transfer_attestations_client_id"))
    op.drop_table("transfer_attestations")
