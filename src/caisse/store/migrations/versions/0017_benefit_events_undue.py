"""benefit events and undue benefits: the life events the fund learns (birth, bankruptcy, incapacity, cessation,
pension age) with the claim or information task each opened; benefits paid wrongly and claimed back (issue 8).

Revision ID: 0017
Revises: 0010
Create Date: 2026-12-03 08:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('benefit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('known_on', sa.Date(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind in ('birth', 'bankruptcy', 'incapacity', 'cessation', 'pension_age')", name=op.f('ck_benefit_event_kind')),
    sa.CheckConstraint("outcome in ('granted', 'claim', 'informed')", name=op.f('ck_benefit_event_outcome')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_benefit_event_case_id_case')),
    sa.ForeignKeyConstraint(['claim_id'], ['benefit_claim.id'], name=op.f('fk_benefit_event_claim_id_benefit_claim')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_benefit_event_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_event')),
    sa.UniqueConstraint('key', name=op.f('uq_benefit_event_key'))
    )
    with op.batch_alter_table('benefit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_event_person_id'), ['person_id'], unique=False)

    op.create_table('benefit_undue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('decision', sa.JSON(), nullable=False),
    sa.Column('ledger_key', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('recovered_on', sa.Date(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_benefit_undue_amount')),
    sa.CheckConstraint("status in ('open', 'recovered')", name=op.f('ck_benefit_undue_status')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_benefit_undue_case_id_case')),
    sa.ForeignKeyConstraint(['claim_id'], ['benefit_claim.id'], name=op.f('fk_benefit_undue_claim_id_benefit_claim')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_benefit_undue_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_undue')),
    sa.UniqueConstraint('ledger_key', name=op.f('uq_benefit_undue_ledger_key'))
    )
    with op.batch_alter_table('benefit_undue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_undue_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_benefit_undue_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('benefit_undue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_undue_person_id'))
        batch_op.drop_index(batch_op.f('ix_benefit_undue_claim_id'))
    op.drop_table('benefit_undue')
    with op.batch_alter_table('benefit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_event_person_id'))
    op.drop_table('benefit_event')
