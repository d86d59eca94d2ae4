"""benefit claims: withdrawal (``withdrawn_on``, ``withdrawal_reason``), a document asked of the person (``waiting_for``, ``waiting_since``:
the Charter art. 10 decision deadline suspended meanwhile) and the documents added to a claim
(``benefit_claim_attachment``: PDF or JPEG recognised from its bytes, its SHA-256 kept).

Revision ID: 0025_benefits_left
Revises: 0026_buyback_partner
Create Date: 2026-12-03 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0025_benefits_left'
down_revision = '0026_buyback_partner'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('benefit_claim', sa.Column('withdrawn_on', sa.Date(), nullable=True))
    op.add_column('benefit_claim', sa.Column('withdrawal_reason', sa.Text(), nullable=True))
    op.add_column('benefit_claim', sa.Column('waiting_for', sa.Text(), nullable=True))
    op.add_column('benefit_claim', sa.Column('waiting_since', sa.Date(), nullable=True))
    op.create_table('benefit_claim_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=True),
    sa.Column('added_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("content_type in ('application/pdf', 'image/jpeg')",
                       name=op.f('ck_benefit_claim_attachment_content_type')),
    sa.CheckConstraint('size > 0', name=op.f('ck_benefit_claim_attachment_size')),
    sa.ForeignKeyConstraint(['claim_id'], ['benefit_claim.id'],
                            name=op.f('fk_benefit_claim_attachment_claim_id_benefit_claim')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_benefit_claim_attachment_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_claim_attachment')),
    sa.UniqueConstraint('claim_id', 'sha256', name=op.f('uq_benefit_claim_attachment_claim_id'))
    )
    op.create_index(op.f('ix_benefit_claim_attachment_claim_id'), 'benefit_claim_attachment', ['claim_id'],
                    unique=False)
    op.create_index(op.f('ix_benefit_claim_attachment_person_id'), 'benefit_claim_attachment', ['person_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_benefit_claim_attachment_person_id'), table_name='benefit_claim_attachment')
    op.drop_index(op.f('ix_benefit_claim_attachment_claim_id'), table_name='benefit_claim_attachment')
    op.drop_table('benefit_claim_attachment')
    with op.batch_alter_table('benefit_claim', schema=None) as batch_op:
        batch_op.drop_column('waiting_since')
        batch_op.drop_column('waiting_for')
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_on')
