"""undue benefits: the ledger account ``benefit_undue`` (a benefit paid wrongly and claimed back: a receivable on
the person that is no contribution debt; ``parameter`` = ``benefit_undue:<id>``, its recovery decision) and its
CHECK constraint ``undue_has_decision``.

Written by hand, as 0018. On SQLite a CHECK constraint changes only by rebuilding the table: the views over
``ledger_entry`` and its append-only triggers are dropped first and made again after (the same SQL as 0002).

Revision ID: 0023
Revises: 0018
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0020'
branch_labels = None
depends_on = None

OLD_ACCOUNTS = ("contribution", "management_fee", "company_contribution", "surcharge", "costs", "credit", "refund",
                "benefit", "bank", "suspense", "income", "write_off", "benefit_expense", "partner_clearing")
NEW_ACCOUNTS = (*OLD_ACCOUNTS, "benefit_undue")
UNDUE_CHECK = "account <> 'benefit_undue' or (party_id is not null and period is not null and parameter is not null)"

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


def _ledger_accounts(accounts, with_undue_check: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for op_name in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS ledger_entry_no_{op_name}")
        op.execute("DROP VIEW IF EXISTS ledger_open_item")
        op.execute("DROP VIEW IF EXISTS ledger_balance")
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ledger_entry_account'), type_='check')
        batch_op.create_check_constraint(op.f('ck_ledger_entry_account'), f"account in ({_in(accounts)})")
        if with_undue_check:
            batch_op.create_check_constraint(op.f('ck_ledger_entry_undue_has_decision'), UNDUE_CHECK)
        else:
            batch_op.drop_constraint(op.f('ck_ledger_entry_undue_has_decision'), type_='check')
    if sqlite:
        for statement in (*VIEWS, *SQLITE_GUARD):
            op.execute(statement)


def upgrade() -> None:
    _ledger_accounts(NEW_ACCOUNTS, True)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM ledger_entry WHERE account = 'benefit_undue'")).scalar():
        raise RuntimeError("the ledger holds benefit_undue entries (append-only): cannot go below 0023")
    _ledger_accounts(OLD_ACCOUNTS, False)
