"""partner remittances: the ledger account ``partner_clearing`` (money a bailiff or lawyer collected for the fund
and has not remitted yet; ``parameter`` = the partner's code, no party), the partner's IBAN
(``recovery_partner.iban``) and the queue reason ``partner_remittance``.

Written by hand. On SQLite a CHECK constraint changes only by rebuilding the table: the views over
``ledger_entry`` and its append-only triggers are dropped first and made again after (the same SQL as 0002).

Revision ID: 0018
Revises: 0012
Create Date: 2026-12-03 08:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0015'
branch_labels = None
depends_on = None

OLD_ACCOUNTS = ("contribution", "management_fee", "company_contribution", "surcharge", "costs", "credit", "refund",
                "benefit", "bank", "suspense", "income", "write_off", "benefit_expense")
NEW_ACCOUNTS = (*OLD_ACCOUNTS, "partner_clearing")
OLD_REASONS = ("no_reference", "not_our_reference", "unknown_debtor", "reference_in_free_text", "unknown_account",
               "returned_transfer", "unmatched_return", "unexplained_debit", "globalised_mismatch")
NEW_REASONS = (*OLD_REASONS, "partner_remittance")

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


def _ledger_accounts(accounts, with_clearing_check: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for op_name in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS ledger_entry_no_{op_name}")
        op.execute("DROP VIEW IF EXISTS ledger_open_item")
        op.execute("DROP VIEW IF EXISTS ledger_balance")
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ledger_entry_account'), type_='check')
        batch_op.create_check_constraint(op.f('ck_ledger_entry_account'), f"account in ({_in(accounts)})")
        if with_clearing_check:
            batch_op.create_check_constraint(
                op.f('ck_ledger_entry_clearing_has_partner'),
                "account <> 'partner_clearing' or (parameter is not null and party_id is null)")
        else:
            batch_op.drop_constraint(op.f('ck_ledger_entry_clearing_has_partner'), type_='check')
    if sqlite:
        for statement in (*VIEWS, *SQLITE_GUARD):
            op.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table('recovery_partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('iban', sa.String(length=34), nullable=True))
        batch_op.create_index(batch_op.f('ix_recovery_partner_iban'), ['iban'], unique=False)
    with op.batch_alter_table('reconciliation_item', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reconciliation_item_reason'), type_='check')
        batch_op.create_check_constraint(op.f('ck_reconciliation_item_reason'), f"reason in ({_in(NEW_REASONS)})")
    _ledger_accounts(NEW_ACCOUNTS, True)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM ledger_entry WHERE account = 'partner_clearing'")).scalar():
        raise RuntimeError("the ledger holds partner_clearing entries (append-only): cannot go below 0018")
    if bind.execute(sa.text("SELECT COUNT(*) FROM reconciliation_item WHERE reason = 'partner_remittance'")).scalar():
        raise RuntimeError("the queue holds partner_remittance items: cannot go below 0018")
    _ledger_accounts(OLD_ACCOUNTS, False)
    with op.batch_alter_table('reconciliation_item', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reconciliation_item_reason'), type_='check')
        batch_op.create_check_constraint(op.f('ck_reconciliation_item_reason'), f"reason in ({_in(OLD_REASONS)})")
    with op.batch_alter_table('recovery_partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_partner_iban'))
        batch_op.drop_column('iban')
