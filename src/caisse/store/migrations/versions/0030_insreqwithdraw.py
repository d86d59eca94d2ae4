"""assimilation / continued-insurance requests withdrawn before a decision: status ``withdrawn`` on
``benefit_insurance_request``, with ``withdrawn_on``, ``withdrawn_by`` and ``withdrawal_reason`` (a free text the
retention blanks).

Revision ID: 0030_insreqwithdraw
Revises: 0029_caseattach
Create Date: 2026-12-04 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0030_insreqwithdraw'
down_revision = '0029_caseattach'
branch_labels = None
depends_on = None

OLD_STATUSES = "status in ('proposed', 'requested', 'forwarded', 'granted', 'refused')"
NEW_STATUSES = "status in ('proposed', 'requested', 'forwarded', 'granted', 'refused', 'withdrawn')"


def upgrade() -> None:
    with op.batch_alter_table('benefit_insurance_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint(op.f('ck_benefit_insurance_request_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_benefit_insurance_request_status'), NEW_STATUSES)
        batch_op.create_check_constraint(op.f('ck_benefit_insurance_request_withdrawn'),
                                         "(status = 'withdrawn') = (withdrawn_on is not null)")


def downgrade() -> None:
    if op.get_bind().execute(sa.text(
            "SELECT COUNT(*) FROM benefit_insurance_request WHERE status = 'withdrawn'")).scalar():
        raise RuntimeError("benefit_insurance_request holds withdrawn requests: cannot go below 0030")
    with op.batch_alter_table('benefit_insurance_request', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_benefit_insurance_request_withdrawn'), type_='check')
        batch_op.drop_constraint(op.f('ck_benefit_insurance_request_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_benefit_insurance_request_status'), OLD_STATUSES)
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_on')
