"""benefit_dispensed_quarter: the quarters whose contributions are dispensed with a benefit, rights kept (maternity:
the quarter after the birth; carer: the quarter of the third month of a full interruption) — the quarterly call
skips them, a quarter already called is cancelled, the regularisation leaves them at nothing.

Revision ID: 0028_benefit_dispensed
Revises: 0028_recexec
Create Date: 2026-12-03 17:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0028_benefit_dispensed'
down_revision = '0028_recexec'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'benefit_dispensed_quarter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=6), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('law', sa.String(length=200), nullable=False),
        sa.Column('granted_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("reason in ('maternity', 'carer')",
                           name=op.f('ck_benefit_dispensed_quarter_reason')),
        sa.ForeignKeyConstraint(['claim_id'], ['benefit_claim.id'],
                                name=op.f('fk_benefit_dispensed_quarter_claim_id_benefit_claim')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_benefit_dispensed_quarter_person_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_dispensed_quarter')),
        sa.UniqueConstraint('person_id', 'period', name=op.f('uq_benefit_dispensed_quarter_person_id')),
    )
    with op.batch_alter_table('benefit_dispensed_quarter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_dispensed_quarter_claim_id'), ['claim_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('benefit_dispensed_quarter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_dispensed_quarter_claim_id'))
    op.drop_table('benefit_dispensed_quarter')
