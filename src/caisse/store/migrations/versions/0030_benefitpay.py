"""benefit payments: the ledger account ``withholding_tax`` (the withholding tax kept out of a benefit, owed to the
tax administration; applied only at a rate the fund recorded with its source) and the table
``benefit_set_off_consent`` (the person's agreement to a set-off of a benefit against contribution debts).

Written by hand, as 0025. On SQLite a CHECK constraint changes only by rebuilding the table: the views over
``ledger_entry`` and its append-only triggers are dropped first and made again after (the same SQL as 0002).

Revision ID: 0030_benefitpay
Revises: 0030_benefitfiles
Create Date: 2026-12-04 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0030_benefitpay'
down_revision = '0030_benefitfiles'
branch_labels = None
depends_on = None

OLD_ACCOUNTS = ("contribution", "management_fee", "company_contribution", "surcharge", "costs", "credit", "refund",
                "benefit", "bank", "suspense", "income", "write_off", "benefit_expense", "partner_fees",
                "partner_clearing", "benefit_undue", "buyback")
NEW_ACCOUNTS = (*OLD_ACCOUNTS, "withholding_tax")

# Frozen copies of 0002 (a migration must not change when the code does).
VIEWS = (
    """CREATE VIEW ledger_balance AS
    SELECT party_id, account, period,
           CAST(SUM(amount_cents) AS BIGINT) AS balance_cents,
           MIN(due_date) AS due_date,
           COUNT(*) AS entries
    FROM ledger_entry
    GROUP BY party_id, account, period""",
    """CREATE VIEW ledger_open_item AS
    SELECT party_id, account, period, balance_cents, due_date
    FROM ledger_balance
    WHERE account IN ('contribution', 'management_fee', 'company_contribution', 'surcharge', 'costs')
      AND balance_cents > 0""",
)
SQLITE_GUARD = tuple(
    f"""CREATE TRIGGER ledger_entry_no_{op_name} BEFORE {op_name.upper()} ON ledger_entry
    BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only: post a correcting transaction instead'); END"""
    for op_name in ("update", "delete")
)


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _ledger_accounts(accounts) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for op_name in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS ledger_entry_no_{op_name}")
        op.execute("DROP VIEW IF EXISTS ledger_open_item")
        op.execute("DROP VIEW IF EXISTS ledger_balance")
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ledger_entry_account'), type_='check')
        batch_op.create_check_constraint(op.f('ck_ledger_entry_account'), f"account in ({_in(accounts)})")
    if sqlite:
        for statement in (*VIEWS, *SQLITE_GUARD):
            op.execute(statement)


def upgrade() -> None:
    _ledger_accounts(NEW_ACCOUNTS)
    op.create_table('benefit_set_off_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('max_cents', sa.BigInteger(), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=100), nullable=True),
    sa.Column('used_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("channel in ('portal', 'desk', 'letter')", name=op.f('ck_benefit_set_off_consent_channel')),
    sa.CheckConstraint('max_cents is null or max_cents > 0', name=op.f('ck_benefit_set_off_consent_max_positive')),
    sa.ForeignKeyConstraint(['claim_id'], ['benefit_claim.id'],
                            name=op.f('fk_benefit_set_off_consent_claim_id_benefit_claim')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_benefit_set_off_consent_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_set_off_consent'))
    )
    with op.batch_alter_table('benefit_set_off_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_set_off_consent_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_benefit_set_off_consent_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM ledger_entry WHERE account = 'withholding_tax'")).scalar():
        raise RuntimeError("the ledger holds withholding_tax entries (append-only): cannot go below 0030")
    with op.batch_alter_table('benefit_set_off_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_set_off_consent_person_id'))
        batch_op.drop_index(batch_op.f('ix_benefit_set_off_consent_claim_id'))
    op.drop_table('benefit_set_off_consent')
    _ledger_accounts(OLD_ACCOUNTS)
