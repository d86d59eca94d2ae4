"""contrainte and art. 46: on ``recovery_file`` the day the formal notice (registered letter) was posted/presented
(``notice_presented_on``) and the debtor's reaction within the month (``contested_on``, ``contest_kind``:
contest or terms); on ``recovery_handover_line`` the day an opposition to the contrainte was recorded
(``opposed_on``).

Revision ID: 0027_contrainte
Revises: 0027_fiftybis
Create Date: 2026-12-03 15:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0027_contrainte'
down_revision = '0027_fiftybis'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recovery_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_presented_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('contested_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('contest_kind', sa.String(length=10), nullable=True))
    with op.batch_alter_table('recovery_handover_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opposed_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('recovery_handover_line', schema=None) as batch_op:
        batch_op.drop_column('opposed_on')
    with op.batch_alter_table('recovery_file', schema=None) as batch_op:
        batch_op.drop_column('contest_kind')
        batch_op.drop_column('contested_on')
        batch_op.drop_column('notice_presented_on')
