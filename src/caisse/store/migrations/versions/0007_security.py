"""security: the last TOTP time step used per account (a one-time code is refused when replayed); need-to-know
grants (a reason stated by POST for another team's file, valid a short while in one session)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.create_table(
        "need_to_know_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_need_to_know_grant_account_id_account")),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_need_to_know_grant_party_id_party")),
        sa.ForeignKeyConstraint(["session_id"], ["web_session.id"], ondelete="CASCADE",
                                name=op.f("fk_need_to_know_grant_session_id_web_session")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_to_know_grant")),
    )
    op.create_index("ix_need_to_know_grant_account_party", "need_to_know_grant",
                    ["account_id", "party_id", "expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_need_to_know_grant_account_party", table_name="need_to_know_grant")
    op.drop_table("need_to_know_grant")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("totp_last_step")
