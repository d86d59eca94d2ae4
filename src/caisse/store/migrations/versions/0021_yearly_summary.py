"""the yearly personal summary: notice kind ``summary`` (one recorded per person and year by
``caisse run yearly-summaries``; key ``yearly-summary/<year>/<party>``).

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-03 09:00:00
"""
from alembic import op


revision = '0021'
down_revision = '0018'
branch_labels = None
depends_on = None

OLD = "kind in ('quarterly_call', 'company_call', 'regularisation', 'statement')"
NEW = "kind in ('quarterly_call', 'company_call', 'regularisation', 'statement', 'summary')"


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notice_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_notice_kind'), NEW)


def downgrade() -> None:
    op.execute("DELETE FROM notice WHERE kind = 'summary'")
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notice_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_notice_kind'), OLD)
