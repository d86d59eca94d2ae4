"""partners' fees netted and payment plans agreed by a bailiff: ``fees_cents`` on ``recovery_handover_line`` and
``recovery_status_line`` (the fees a partner kept out of what it collected), and ``partner_plan_instalment`` (the
schedule of a plan a partner reports, monitored against the payments it reports).

Revision ID: 0026_buyback_partner
Revises: 0025_buyback
Create Date: 2026-12-03 13:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0026_buyback_partner'
down_revision = '0025_buyback'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('recovery_handover_line', 'recovery_status_line'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('fees_cents', sa.BigInteger(), server_default='0', nullable=False))
    op.create_table('partner_plan_instalment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_line_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status in ('due', 'paid', 'missed')", name=op.f('ck_partner_plan_instalment_status')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_partner_plan_instalment_amount_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_partner_plan_instalment_case_id_case')),
    sa.ForeignKeyConstraint(['handover_line_id'], ['recovery_handover_line.id'],
                            name=op.f('fk_partner_plan_instalment_handover_line_id_recovery_handover_line')),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_partner_plan_instalment_party_id_party')),
    sa.ForeignKeyConstraint(['partner_id'], ['recovery_partner.id'],
                            name=op.f('fk_partner_plan_instalment_partner_id_recovery_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_plan_instalment')),
    sa.UniqueConstraint('handover_line_id', 'seq', name=op.f('uq_partner_plan_instalment_handover_line_id'))
    )
    with op.batch_alter_table('partner_plan_instalment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_plan_instalment_handover_line_id'), ['handover_line_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_partner_plan_instalment_party_id'), ['party_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('partner_plan_instalment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_plan_instalment_party_id'))
        batch_op.drop_index(batch_op.f('ix_partner_plan_instalment_handover_line_id'))
    op.drop_table('partner_plan_instalment')
    for table in ('recovery_status_line', 'recovery_handover_line'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('fees_cents')
