"""Outbound benefit files: ``exchange_file.format_version`` (the career and mutuality formats move to version 2 —
states ``kept_rights`` and ``assimilated`` — and a file made in version 1 is rebuilt in version 1), and
``benefit_insurance_quarter`` (the quarters granted on an assimilation or continued-insurance request, one row
each, read set-based by the career and mutuality files), filled from the decisions already recorded.

Revision ID: 0030_benefitfiles
Revises: 0030_insreqwithdraw
Create Date: 2026-12-04 10:00:00
"""
import datetime as dt
import json

from alembic import op
import sqlalchemy as sa


revision = '0030_benefitfiles'
down_revision = '0030_insreqwithdraw'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exchange_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('format_version', sa.Integer(), server_default='1', nullable=False))
    op.create_table(
        'benefit_insurance_quarter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=6), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('recorded_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind in ('illness_assimilation', 'continued_insurance')",
                           name=op.f('ck_benefit_insurance_quarter_kind')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_benefit_insurance_quarter_person_id_person')),
        sa.ForeignKeyConstraint(['request_id'], ['benefit_insurance_request.id'],
                                name=op.f('fk_benefit_insurance_quarter_request_id_benefit_insurance_request')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_insurance_quarter')),
        sa.UniqueConstraint('person_id', 'period', 'kind', name=op.f('uq_benefit_insurance_quarter_person_id')),
    )
    with op.batch_alter_table('benefit_insurance_quarter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_insurance_quarter_request_id'), ['request_id'], unique=False)
    # the decisions already recorded: their granted quarters, one row each
    conn = op.get_bind()
    req = sa.table('benefit_insurance_request', sa.column('id', sa.Integer), sa.column('person_id', sa.Integer),
                   sa.column('kind', sa.String), sa.column('status', sa.String), sa.column('decided_on', sa.Date),
                   sa.column('granted_quarters', sa.JSON), sa.column('created_at', sa.DateTime))
    quarter = sa.table('benefit_insurance_quarter', sa.column('person_id', sa.Integer),
                       sa.column('period', sa.String), sa.column('kind', sa.String),
                       sa.column('request_id', sa.Integer), sa.column('decided_on', sa.Date),
                       sa.column('recorded_on', sa.Date), sa.column('created_at', sa.DateTime))
    rows, seen = [], set()
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for rid, pid, kind, decided, granted in conn.execute(
            sa.select(req.c.id, req.c.person_id, req.c.kind, req.c.decided_on, req.c.granted_quarters)
            .where(req.c.status == 'granted').order_by(req.c.id)):
        if isinstance(granted, str):
            granted = json.loads(granted)
        for period in granted or []:
            if (pid, period, kind) not in seen:
                seen.add((pid, period, kind))
                rows.append({'person_id': pid, 'period': period, 'kind': kind, 'request_id': rid,
                             'decided_on': decided, 'recorded_on': decided, 'created_at': now})
    if rows:
        conn.execute(sa.insert(quarter), rows)


def downgrade() -> None:
    with op.batch_alter_table('benefit_insurance_quarter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_insurance_quarter_request_id'))
    op.drop_table('benefit_insurance_quarter')
    with op.batch_alter_table('exchange_file', schema=None) as batch_op:
        batch_op.drop_column('format_version')
