"""DPA: Annex I contact and DPO, the signed copy of each version, and the processor's signing keys by period

Revision ID: s4_legal_01
Revises: s4_import_01
Create Date: 2026-11-30 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 's4_legal_01'
down_revision = 's4_import_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dpa_agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('dpo', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signed_document', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('signed_document_sha256', sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_dpa_agreements_signed_document_sha256'), ['signed_document_sha256'], unique=False
        )
    with op.batch_alter_table('dpa_agreements', schema=None) as batch_op:
        batch_op.alter_column('contact', server_default=None)
        batch_op.alter_column('dpo', server_default=None)

    op.create_table('dpa_signing_keys',
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('algorithm', sa.String(length=16), nullable=False),
    sa.Column('public_key_pem', sa.Text(), nullable=False),
    sa.Column('certificate_pem', sa.Text(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('valid_from', sa.DateTime(), nullable=False),
    sa.Column('valid_until', sa.DateTime(), nullable=True),
    sa.CheckConstraint("algorithm IN ('ecdsa-p256', 'ed25519')", name=op.f('ck_dpa_signing_keys_algorithm')),
    sa.PrimaryKeyConstraint('key_id', name=op.f('pk_dpa_signing_keys')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_dpa_signing_keys_fingerprint'))
    )


def downgrade():
    op.drop_table('dpa_signing_keys')
    with op.batch_alter_table('dpa_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dpa_agreements_signed_document_sha256'))
        batch_op.drop_column('signed_document_sha256')
        batch_op.drop_column('signed_document')
        batch_op.drop_column('dpo')
        batch_op.drop_column('contact')
