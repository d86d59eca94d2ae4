"""The affiliate's language remembered: ``account.language`` is the language the person last chose on a page,
NULL when they never chose (an affiliate's pages follow their file's language, ``party.language``; staff's their
browser's). The pages never read the column before, and ``fr`` was its default for every login: those become NULL,
so a Dutch- or German-speaking file is shown in its own language and staff keep their browser's; a language set on
purpose (``nl``, ``de``) is kept.

Revision ID: 0028_i18nrest
Revises: 0028_benefit_dispensed
Create Date: 2026-12-03 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0028_i18nrest'
down_revision = '0028_benefit_dispensed'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=2), nullable=True)
    op.execute("update account set language = null where language = 'fr'")


def downgrade() -> None:
    op.execute("update account set language = 'fr' where language is null")
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=2), nullable=False)
