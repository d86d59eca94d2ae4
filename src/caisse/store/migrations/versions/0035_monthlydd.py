"""A direct-debit mandate's collection rhythm: ``sepa_mandate.rhythm`` 'quarterly' (what is due, on each run: every
mandate before) or 'monthly' (also an instalment of the current quarter's call each month), and
``dd_collection.instalment_cents`` (the part of a debit that is such an instalment; NULL: none).

Revision ID: 0035_monthlydd
Revises: 0034_paidupcert
Create Date: 2026-12-05 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0035_monthlydd'
down_revision = '0034_paidupcert'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sepa_mandate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rhythm', sa.String(length=10), nullable=False, server_default='quarterly'))
        batch_op.create_check_constraint(op.f('ck_sepa_mandate_rhythm'), "rhythm in ('quarterly', 'monthly')")
    with op.batch_alter_table('dd_collection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instalment_cents', sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_dd_collection_instalment'),
            "instalment_cents IS NULL OR (instalment_cents > 0 AND instalment_cents <= amount_cents)")


def downgrade() -> None:
    with op.batch_alter_table('dd_collection', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_dd_collection_instalment'), type_='check')
        batch_op.drop_column('instalment_cents')
    with op.batch_alter_table('sepa_mandate', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sepa_mandate_rhythm'), type_='check')
        batch_op.drop_column('rhythm')
