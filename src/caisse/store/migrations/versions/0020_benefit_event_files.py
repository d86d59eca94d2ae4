"""benefit event files: the inbound CSV of life events (``caisse import events``, docs/formats/benefit-events.md)
and every one of its lines kept (recorded, already known, rejected with field and reason).

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-03 08:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('benefit_event_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=True),
    sa.Column('version', sa.String(length=10), nullable=False),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('recorded', sa.Integer(), nullable=False),
    sa.Column('already', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('imported_on', sa.Date(), nullable=False),
    sa.Column('imported_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_event_file')),
    sa.UniqueConstraint('sha256', name=op.f('uq_benefit_event_file_sha256'))
    )
    op.create_table('benefit_event_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status in ('recorded', 'already', 'rejected')", name=op.f('ck_benefit_event_line_status')),
    sa.ForeignKeyConstraint(['file_id'], ['benefit_event_file.id'], name=op.f('fk_benefit_event_line_file_id_benefit_event_file')),
    sa.ForeignKeyConstraint(['event_id'], ['benefit_event.id'], name=op.f('fk_benefit_event_line_event_id_benefit_event')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_benefit_event_line_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_event_line')),
    sa.UniqueConstraint('file_id', 'line', name=op.f('uq_benefit_event_line_file_id'))
    )
    op.create_index(op.f('ix_benefit_event_line_file_id'), 'benefit_event_line', ['file_id'], unique=False)
    op.create_index(op.f('ix_benefit_event_line_person_id'), 'benefit_event_line', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_benefit_event_line_person_id'), table_name='benefit_event_line')
    op.drop_index(op.f('ix_benefit_event_line_file_id'), table_name='benefit_event_line')
    op.drop_table('benefit_event_line')
    op.drop_table('benefit_event_file')
