"""benefit_maintained_quarter: the quarters whose health-care and incapacity/maternity rights a granted bridging
right maintains without contributions, pension not included (legislation §8.1 [S41][S39]: at most 4 quarters over
the career, 8 after 60 pension-creating quarters). Not a dispensation: the quarterly call does not read it; the
mutuality and insurability files do (state ``kept_rights``, reason ``bridging``).

Revision ID: 0031_bridgingrights
Revises: 0030_benefitpay
Create Date: 2026-12-05 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0031_bridgingrights'
down_revision = '0030_benefitpay'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'benefit_maintained_quarter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=6), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('law', sa.String(length=200), nullable=False),
        sa.Column('granted_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['claim_id'], ['benefit_claim.id'],
                                name=op.f('fk_benefit_maintained_quarter_claim_id_benefit_claim')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_benefit_maintained_quarter_person_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_maintained_quarter')),
        sa.UniqueConstraint('person_id', 'period', name=op.f('uq_benefit_maintained_quarter_person_id')),
    )
    with op.batch_alter_table('benefit_maintained_quarter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_maintained_quarter_claim_id'), ['claim_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('benefit_maintained_quarter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_maintained_quarter_claim_id'))
    op.drop_table('benefit_maintained_quarter')
