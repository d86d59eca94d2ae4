"""directors called for the company contribution (issue 7, the converse joint call): ``joint_call.liable`` says
who is called — ``company`` (for its director's contributions, as before) or ``director`` (for the company's annual
contribution) — and ``joint_call.decision`` keeps what the caseworker decided where the legislation notes are
silent (e.g. a contribution year outside the mandate).

Written by hand (SQLite adds a CHECK only by rebuilding the table: batch mode).

Revision ID: 0025_jointdesk
Revises: 0024
Create Date: 2026-12-03 13:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0025_jointdesk'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('joint_call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('liable', sa.String(length=10), server_default='company', nullable=False))
        batch_op.add_column(sa.Column('decision', sa.JSON(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_joint_call_liable'), "liable in ('company', 'director')")


def downgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT COUNT(*) FROM joint_call WHERE liable = 'director'")).scalar():
        raise RuntimeError("joint_call holds directors called for the company contribution: cannot go below 0025")
    with op.batch_alter_table('joint_call', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_joint_call_liable'), type_='check')
        batch_op.drop_column('decision')
        batch_op.drop_column('liable')
