"""benefit claims: when the decision was notified (``notified_on``, ``notified_by``: ``sent`` — the decision made
available / the letter posted — or ``registered`` — a registered letter, as the fund records it): the Charter
art. 23 appeal period runs from it; the reminder sent after information was asked of the person
(``reminded_on``: Charter art. 11, one month of silence after it lets the fund decide on the file's information).

Revision ID: 0028_claimdeadlines
Revises: 0028_i18nrest
Create Date: 2026-12-03 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0028_claimdeadlines'
down_revision = '0028_i18nrest'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('benefit_claim', sa.Column('notified_on', sa.Date(), nullable=True))
    op.add_column('benefit_claim', sa.Column('notified_by', sa.String(length=10), nullable=True))
    op.add_column('benefit_claim', sa.Column('reminded_on', sa.Date(), nullable=True))
    # decisions taken before: made available to the person (message in the claim's case) on their date
    op.execute("UPDATE benefit_claim SET notified_on = decided_on, notified_by = 'sent' "
               "WHERE decided_on IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('benefit_claim', schema=None) as batch_op:
        batch_op.drop_column('reminded_on')
        batch_op.drop_column('notified_by')
        batch_op.drop_column('notified_on')
