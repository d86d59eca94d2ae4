"""documents added to a case (``case_attachment``): PDF or JPEG recognised from its bytes, size-limited, its SHA-256
kept, the same bytes twice on a case refused; the content emptied by the retention rule ``case_attachments``.

Revision ID: 0029_caseattach
Revises: 0029_illnessreq
Create Date: 2026-12-03 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0029_caseattach'
down_revision = '0029_illnessreq'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('added_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("content_type in ('application/pdf', 'image/jpeg')",
                       name=op.f('ck_case_attachment_content_type')),
    sa.CheckConstraint('size > 0', name=op.f('ck_case_attachment_size')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_attachment_case_id_case')),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_case_attachment_party_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_attachment')),
    sa.UniqueConstraint('case_id', 'sha256', name=op.f('uq_case_attachment_case_id'))
    )
    op.create_index(op.f('ix_case_attachment_case_id'), 'case_attachment', ['case_id'], unique=False)
    op.create_index(op.f('ix_case_attachment_party_id'), 'case_attachment', ['party_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_case_attachment_party_id'), table_name='case_attachment')
    op.drop_index(op.f('ix_case_attachment_case_id'), table_name='case_attachment')
    op.drop_table('case_attachment')
