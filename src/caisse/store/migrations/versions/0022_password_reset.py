"""forgotten password: the requests (for the throttles) and the e-mailed links (only the SHA-256 of the token).

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-03 08:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('password_reset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=100), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("outcome in ('sent', 'refused', 'throttled', 'superseded')",
                       name=op.f('ck_password_reset_outcome')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_password_reset_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_token_hash'))
    )
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_password_reset_login_at', ['login', 'requested_at'], unique=False)
        batch_op.create_index('ix_password_reset_origin_at', ['origin', 'requested_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.drop_index('ix_password_reset_origin_at')
        batch_op.drop_index('ix_password_reset_login_at')
        batch_op.drop_index(batch_op.f('ix_password_reset_account_id'))
    op.drop_table('password_reset')
