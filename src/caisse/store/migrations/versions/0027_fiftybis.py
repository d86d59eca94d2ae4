"""art. 50bis AR 19-12-1967: the information letter sent before a small claim on a person no longer subject is
treated as irrecoverable — recovery step event ``fiftybis``, letter ``fiftybis`` (``caisse run recovery``).

Revision ID: 0027_fiftybis
Revises: 0025_benefits_left
Create Date: 2026-12-03 15:00:00
"""
from alembic import op


revision = '0027_fiftybis'
down_revision = '0025_benefits_left'
branch_labels = None
depends_on = None

EVENT_OLD = "event in ('stage', 'contact', 'plan_granted', 'plan_missed', 'plan_broken', 'plan_completed')"
EVENT_NEW = "event in ('stage', 'contact', 'plan_granted', 'plan_missed', 'plan_broken', 'plan_completed', 'fiftybis')"
LETTER_OLD = ("letter is null or letter in ('reminder', 'statement', 'formal_notice', 'enforcement', 'bailiff', "
              "'plan_granted', 'plan_missed', 'plan_broken')")
LETTER_NEW = ("letter is null or letter in ('reminder', 'statement', 'formal_notice', 'enforcement', 'bailiff', "
              "'plan_granted', 'plan_missed', 'plan_broken', 'fiftybis')")


def _checks(event: str, letter: str) -> None:
    with op.batch_alter_table('recovery_step', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_recovery_step_event'), type_='check')
        batch_op.create_check_constraint(op.f('ck_recovery_step_event'), event)
        batch_op.drop_constraint(op.f('ck_recovery_step_letter'), type_='check')
        batch_op.create_check_constraint(op.f('ck_recovery_step_letter'), letter)


def upgrade() -> None:
    _checks(EVENT_NEW, LETTER_NEW)


def downgrade() -> None:
    op.execute("DELETE FROM recovery_step WHERE event = 'fiftybis'")
    _checks(EVENT_OLD, LETTER_OLD)
