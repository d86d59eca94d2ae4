"""reduction of provisional contributions: the table ``reduction_request`` (the person's estimate of the year's
income with its justification, the fund's decision, the ``professional_income`` estimate it wrote and the
quarters it corrected, the four-eyes approval of a grant) and the approval kind ``reduction``.

Revision ID: 0028_reduction
Revises: 0028_claimdeadlines
Create Date: 2026-12-03 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0028_reduction'
down_revision = '0028_claimdeadlines'
branch_labels = None
depends_on = None

OLD_KINDS = "kind in ('refund', 'write_off', 'surcharge_waiver', 'payment_plan', 'parked_refund')"
NEW_KINDS = "kind in ('refund', 'write_off', 'surcharge_waiver', 'payment_plan', 'parked_refund', 'reduction')"


def upgrade() -> None:
    op.create_table('reduction_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('estimate_cents', sa.BigInteger(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('motivation', sa.Text(), nullable=True),
    sa.Column('income_id', sa.Integer(), nullable=True),
    sa.Column('quarterly_cents', sa.BigInteger(), nullable=True),
    sa.Column('quarterly_total_cents', sa.BigInteger(), nullable=True),
    sa.Column('corrections', sa.JSON(), nullable=True),
    sa.Column('approval_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status in ('requested', 'awaiting_approval', 'granted', 'refused')",
                       name=op.f('ck_reduction_request_status')),
    sa.CheckConstraint('estimate_cents >= 0', name=op.f('ck_reduction_request_estimate_not_negative')),
    sa.ForeignKeyConstraint(['approval_id'], ['approval.id'], name=op.f('fk_reduction_request_approval_id_approval')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_reduction_request_case_id_case')),
    sa.ForeignKeyConstraint(['income_id'], ['professional_income.id'],
                            name=op.f('fk_reduction_request_income_id_professional_income')),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_reduction_request_party_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reduction_request'))
    )
    with op.batch_alter_table('reduction_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reduction_request_party_id'), ['party_id'], unique=False)
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_approval_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_approval_kind'), NEW_KINDS)


def downgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT COUNT(*) FROM approval WHERE kind = 'reduction'")).scalar():
        raise RuntimeError("approval holds reduction requests: cannot go below 0028")
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_approval_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_approval_kind'), OLD_KINDS)
    with op.batch_alter_table('reduction_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reduction_request_party_id'))
    op.drop_table('reduction_request')
