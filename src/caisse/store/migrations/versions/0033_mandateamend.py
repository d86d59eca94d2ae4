"""sepa_mandate_amendment: a direct-debit mandate kept under its signature when the debtor's account (or its
reference) changes (SDD Core rulebook, amendment of the mandate), with what the change replaces;
``dd_collection.amendment_id`` (the mandate as the debtor's bank knows it after that collection: the amendment is
written on the first collection after it, once) and ``dd_run.creditor_id`` (the creditor identifier a file was made
with: a later change of it is reported on each mandate's next collection). Files made before stay NULL.

Revision ID: 0033_mandateamend
Revises: 0032_bridgingundue
Create Date: 2026-12-05 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0033_mandateamend'
down_revision = '0032_bridgingundue'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sepa_mandate_amendment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mandate_id', sa.Integer(), nullable=False),
        sa.Column('amended_on', sa.Date(), nullable=False),
        sa.Column('old_iban', sa.String(length=34), nullable=False),
        sa.Column('old_bic', sa.String(length=11), nullable=True),
        sa.Column('new_iban', sa.String(length=34), nullable=False),
        sa.Column('new_bic', sa.String(length=11), nullable=True),
        sa.Column('old_reference', sa.String(length=35), nullable=False),
        sa.Column('new_reference', sa.String(length=35), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['mandate_id'], ['sepa_mandate.id'],
                                name=op.f('fk_sepa_mandate_amendment_mandate_id_sepa_mandate')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sepa_mandate_amendment')),
    )
    with op.batch_alter_table('sepa_mandate_amendment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sepa_mandate_amendment_mandate_id'), ['mandate_id'], unique=False)
    with op.batch_alter_table('dd_collection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amendment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_dd_collection_amendment_id_sepa_mandate_amendment'),
                                    'sepa_mandate_amendment', ['amendment_id'], ['id'])
    with op.batch_alter_table('dd_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('creditor_id', sa.String(length=35), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dd_run', schema=None) as batch_op:
        batch_op.drop_column('creditor_id')
    with op.batch_alter_table('dd_collection', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dd_collection_amendment_id_sepa_mandate_amendment'),
                                 type_='foreignkey')
        batch_op.drop_column('amendment_id')
    with op.batch_alter_table('sepa_mandate_amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sepa_mandate_amendment_mandate_id'))
    op.drop_table('sepa_mandate_amendment')
