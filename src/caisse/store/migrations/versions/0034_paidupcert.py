"""paid_up_certificate: the certificates of payment status issued on demand (attestation de régularité de paiement
des cotisations sociales), one row each — its reference printed on it, the day it speaks of, the outcome (in order,
or the amounts due and unpaid per period with the structured communication), the notes printed and the PDF's
SHA-256 — so the desk can confirm a copy is genuine (docs/certificates.md).

Revision ID: 0034_paidupcert
Revises: 0033_mandateamend
Create Date: 2026-12-05 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0034_paidupcert'
down_revision = '0033_mandateamend'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'paid_up_certificate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=20), nullable=False),
        sa.Column('party_id', sa.Integer(), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('outcome', sa.String(length=10), nullable=False),
        sa.Column('due_cents', sa.BigInteger(), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=False),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('communication', sa.String(length=12), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('issued_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("outcome in ('in_order', 'arrears')", name=op.f('ck_paid_up_certificate_outcome')),
        sa.CheckConstraint("(outcome = 'in_order') = (due_cents = 0) and due_cents >= 0",
                           name=op.f('ck_paid_up_certificate_due_matches_outcome')),
        sa.CheckConstraint("language in ('fr', 'nl', 'de')", name=op.f('ck_paid_up_certificate_language')),
        sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_paid_up_certificate_party_id_party')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_paid_up_certificate')),
        sa.UniqueConstraint('reference', name=op.f('uq_paid_up_certificate_reference')),
    )
    with op.batch_alter_table('paid_up_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paid_up_certificate_party_id'), ['party_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('paid_up_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paid_up_certificate_party_id'))
    op.drop_table('paid_up_certificate')
