"""reduction_request.direction: a request to compute the provisional contributions on an estimated income either
lowers them (``reduction``, as every request so far) or raises them of the person's own accord (``increase``,
legislation.md §1.4) — the letter, the case and the pages name it so, and the regularisation charges the §4.3
surcharge of an unjustified reduction only on a reduction.

Written by hand (SQLite adds a CHECK only by rebuilding the table: batch mode).

Revision ID: 0036_increase
Revises: 0035_monthlydd
Create Date: 2026-12-05 01:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0036_increase'
down_revision = '0035_monthlydd'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reduction_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('direction', sa.String(length=10), server_default='reduction', nullable=False))
        batch_op.create_check_constraint(op.f('ck_reduction_request_direction'),
                                         "direction in ('reduction', 'increase')")


def downgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT COUNT(*) FROM reduction_request WHERE direction = 'increase'")).scalar():
        raise RuntimeError("reduction_request holds increases of provisional contributions: cannot go below 0033")
    with op.batch_alter_table('reduction_request', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reduction_request_direction'), type_='check')
        batch_op.drop_column('direction')
