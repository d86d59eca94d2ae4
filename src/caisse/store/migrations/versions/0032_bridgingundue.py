"""benefit_maintained_quarter: an undue-benefit decision on a bridging right withdraws the quarters of rights it had
maintained (``withdrawn_on``, ``withdrawn_by_undue``) — the row stays, so a file as of an earlier date still shows
the quarter, while the career counter and the files from that day no longer do. The one-row-per-person-and-quarter
rule holds for the quarters still maintained only (a partial unique index): a withdrawn quarter may be maintained
again by a later grant.

Revision ID: 0032_bridgingundue
Revises: 0030_txpartialix
Create Date: 2026-12-06 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0032_bridgingundue'
down_revision = '0032_stepreason'
branch_labels = None
depends_on = None

WHERE = sa.text('withdrawn_on IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('benefit_maintained_quarter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_undue', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_benefit_maintained_quarter_withdrawn_by_undue_benefit_undue'),
                                    'benefit_undue', ['withdrawn_by_undue'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_benefit_maintained_quarter_withdrawn'),
                                         '(withdrawn_on is null) = (withdrawn_by_undue is null)')
        batch_op.drop_constraint(batch_op.f('uq_benefit_maintained_quarter_person_id'), type_='unique')
    op.create_index('uq_benefit_maintained_quarter_current', 'benefit_maintained_quarter', ['person_id', 'period'],
                    unique=True, sqlite_where=WHERE, postgresql_where=WHERE)


def downgrade() -> None:
    op.drop_index('uq_benefit_maintained_quarter_current', table_name='benefit_maintained_quarter')
    op.execute('DELETE FROM benefit_maintained_quarter WHERE withdrawn_on IS NOT NULL')
    with op.batch_alter_table('benefit_maintained_quarter', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_benefit_maintained_quarter_person_id'),
                                          ['person_id', 'period'])
        batch_op.drop_constraint(batch_op.f('ck_benefit_maintained_quarter_withdrawn'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_benefit_maintained_quarter_withdrawn_by_undue_benefit_undue'),
                                 type_='foreignkey')
        batch_op.drop_column('withdrawn_by_undue')
        batch_op.drop_column('withdrawn_on')
