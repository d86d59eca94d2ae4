"""``recovery_step.reason_code`` and ``reason_params``: why a batch moved a file, as a code and its values, so the
pages show the reason in the reader's language (``caisse.recovery.step_reasons``). The English sentence stays in
``reason``; the steps written before keep only it (the pages read their values back from it), a handler's own
words have no code.

Revision ID: 0032_stepreason
Revises: 0030_txpartialix
Create Date: 2026-12-04 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0032_stepreason'
down_revision = '0030_txpartialix'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recovery_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('reason_params', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('recovery_step', schema=None) as batch_op:
        batch_op.drop_column('reason_params')
        batch_op.drop_column('reason_code')
