"""benefit_insurance_request: the assimilation of a period of incapacity for illness and the continued insurance
after a cessation, requested through the fund, forwarded (dated, in a file for INASTI where one exists) and decided
by the competent institution.

Revision ID: 0029_illnessreq
Revises: 0028_reduction
Create Date: 2026-12-03 17:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0029_illnessreq'
down_revision = '0028_reduction'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'benefit_insurance_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.Column('first_quarter', sa.String(length=6), nullable=False),
        sa.Column('last_quarter', sa.String(length=6), nullable=True),
        sa.Column('proposed_on', sa.Date(), nullable=True),
        sa.Column('requested_on', sa.Date(), nullable=True),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('institution', sa.String(length=60), nullable=True),
        sa.Column('forwarded_on', sa.Date(), nullable=True),
        sa.Column('export_id', sa.Integer(), nullable=True),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('decision_ref', sa.String(length=60), nullable=True),
        sa.Column('granted_quarters', sa.JSON(none_as_null=True), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.Column('recorded_by', sa.String(length=100), nullable=True),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind in ('illness_assimilation', 'continued_insurance')",
                           name=op.f('ck_benefit_insurance_request_kind')),
        sa.CheckConstraint("status in ('proposed', 'requested', 'forwarded', 'granted', 'refused')",
                           name=op.f('ck_benefit_insurance_request_status')),
        sa.CheckConstraint("(status in ('granted', 'refused')) = (decided_on is not null)",
                           name=op.f('ck_benefit_insurance_request_decided')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_benefit_insurance_request_case_id_case')),
        sa.ForeignKeyConstraint(['event_id'], ['benefit_event.id'],
                                name=op.f('fk_benefit_insurance_request_event_id_benefit_event')),
        sa.ForeignKeyConstraint(['export_id'], ['exchange_message.id'],
                                name=op.f('fk_benefit_insurance_request_export_id_exchange_message')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_benefit_insurance_request_person_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_insurance_request')),
    )
    with op.batch_alter_table('benefit_insurance_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_insurance_request_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('benefit_insurance_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_insurance_request_person_id'))
    op.drop_table('benefit_insurance_request')
