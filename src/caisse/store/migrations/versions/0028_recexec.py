"""The contrainte enforceable once the month of opposition from its service is over without opposition (art. 47bis
§5 AR 19-12-1967): recovery step event ``enforceable`` (``caisse run recovery``); the buy-back of a dispensed quarter
lapsed once its deadline passed unpaid: ``dispensed_quarter.buyback_lapsed_on`` (``caisse run prescription``).

Revision ID: 0028_recexec
Revises: 0027_contrainte
Create Date: 2026-12-03 17:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0028_recexec'
down_revision = '0027_contrainte'
branch_labels = None
depends_on = None

EVENT_OLD = ("event in ('stage', 'contact', 'plan_granted', 'plan_missed', 'plan_broken', 'plan_completed', "
             "'fiftybis')")
EVENT_NEW = ("event in ('stage', 'contact', 'plan_granted', 'plan_missed', 'plan_broken', 'plan_completed', "
             "'fiftybis', 'enforceable')")


def _event_check(event: str) -> None:
    with op.batch_alter_table('recovery_step', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_recovery_step_event'), type_='check')
        batch_op.create_check_constraint(op.f('ck_recovery_step_event'), event)


def upgrade() -> None:
    _event_check(EVENT_NEW)
    with op.batch_alter_table('dispensed_quarter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyback_lapsed_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dispensed_quarter', schema=None) as batch_op:
        batch_op.drop_column('buyback_lapsed_on')
    op.execute("DELETE FROM recovery_step WHERE event = 'enforceable'")
    _event_check(EVENT_OLD)
