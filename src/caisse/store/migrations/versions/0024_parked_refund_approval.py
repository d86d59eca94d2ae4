"""four eyes for refunds of parked money: ``approval.item_id`` (the reconciliation item whose money is refunded),
``approval.party_id`` nullable (parked money belongs to no file), kind ``parked_refund``, and a check that a
request names either its file or, for a parked-money refund, its item.

Written by hand (SQLite changes a CHECK or a NOT NULL only by rebuilding the table: batch mode).

Revision ID: 0024
Revises: 0018
Create Date: 2026-12-03 09:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

OLD_KINDS = "kind in ('refund', 'write_off', 'surcharge_waiver', 'payment_plan')"
NEW_KINDS = "kind in ('refund', 'write_off', 'surcharge_waiver', 'payment_plan', 'parked_refund')"
OWNER = ("(kind = 'parked_refund' and party_id is null and item_id is not null) or "
         "(kind <> 'parked_refund' and party_id is not null and item_id is null)")


def upgrade() -> None:
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                                      nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_approval_item_id_reconciliation_item'), 'reconciliation_item',
                                    ['item_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_approval_item_id'), ['item_id'], unique=False)
        batch_op.alter_column('party_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(op.f('ck_approval_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_approval_kind'), NEW_KINDS)
        batch_op.create_check_constraint(op.f('ck_approval_owner'), OWNER)


def downgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT COUNT(*) FROM approval WHERE kind = 'parked_refund'")).scalar():
        raise RuntimeError("approval holds parked-money refund requests: cannot go below 0024")
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_approval_owner'), type_='check')
        batch_op.drop_constraint(op.f('ck_approval_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_approval_kind'), OLD_KINDS)
        batch_op.alter_column('party_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_approval_item_id'))
        batch_op.drop_constraint(batch_op.f('fk_approval_item_id_reconciliation_item'), type_='foreignkey')
        batch_op.drop_column('item_id')
