"""buy-back of dispensed quarters and partners' fees netted: the ledger accounts ``buyback`` (the dispensed
contributions a person asked to pay back within the 5 years: a receivable on the person that is no contribution
debt, one item per request and quarter, ``parameter`` = ``buyback:<request id>``) and ``partner_fees`` (the fund's
expense for the fees a bailiff or lawyer kept out of what it collected), the CHECK ``buyback_has_request``, the
table ``buyback_request`` and ``dispensed_quarter.buyback_request_id``.

Written by hand, as 0023. On SQLite a CHECK constraint changes only by rebuilding the table: the views over
``ledger_entry`` and its append-only triggers are dropped first and made again after (the same SQL as 0002).

Revision ID: 0025_buyback
Revises: 0025_jointdesk
Create Date: 2026-12-03 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0025_buyback'
down_revision = '0025_jointdesk'
branch_labels = None
depends_on = None

OLD_ACCOUNTS = ("contribution", "management_fee", "company_contribution", "surcharge", "costs", "credit", "refund",
                "benefit", "bank", "suspense", "income", "write_off", "benefit_expense", "partner_clearing",
                "benefit_undue")
NEW_ACCOUNTS = ("contribution", "management_fee", "company_contribution", "surcharge", "costs", "credit", "refund",
                "benefit", "bank", "suspense", "income", "write_off", "benefit_expense", "partner_fees",
                "partner_clearing", "benefit_undue", "buyback")
BUYBACK_CHECK = "account <> 'buyback' or (party_id is not null and period is not null and parameter is not null)"

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


def _ledger_accounts(accounts, with_check: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for op_name in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS ledger_entry_no_{op_name}")
        op.execute("DROP VIEW IF EXISTS ledger_open_item")
        op.execute("DROP VIEW IF EXISTS ledger_balance")
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ledger_entry_account'), type_='check')
        batch_op.create_check_constraint(op.f('ck_ledger_entry_account'), f"account in ({_in(accounts)})")
        if with_check:
            batch_op.create_check_constraint(op.f('ck_ledger_entry_buyback_has_request'), BUYBACK_CHECK)
        else:
            batch_op.drop_constraint(op.f('ck_ledger_entry_buyback_has_request'), type_='check')
    if sqlite:
        for statement in (*VIEWS, *SQLITE_GUARD):
            op.execute(statement)


def upgrade() -> None:
    _ledger_accounts(NEW_ACCOUNTS, True)
    op.create_table('buyback_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('asked_on', sa.Date(), nullable=False),
    sa.Column('periods', sa.JSON(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('communication', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('ledger_key', sa.String(length=200), nullable=False),
    sa.Column('unknown', sa.JSON(), nullable=False),
    sa.Column('asked_by', sa.String(length=100), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status in ('open', 'paid', 'lapsed')", name=op.f('ck_buyback_request_status')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_buyback_request_amount_positive')),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_buyback_request_party_id_party')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_buyback_request')),
    sa.UniqueConstraint('party_id', 'number', name=op.f('uq_buyback_request_party_id')),
    sa.UniqueConstraint('ledger_key', name=op.f('uq_buyback_request_ledger_key'))
    )
    with op.batch_alter_table('buyback_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_buyback_request_party_id'), ['party_id'], unique=False)
    with op.batch_alter_table('dispensed_quarter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyback_request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_dispensed_quarter_buyback_request_id_buyback_request'),
                                    'buyback_request', ['buyback_request_id'], ['id'])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM ledger_entry WHERE account IN ('buyback', 'partner_fees')")).scalar():
        raise RuntimeError("the ledger holds buyback or partner_fees entries (append-only): cannot go below 0025")
    with op.batch_alter_table('dispensed_quarter', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dispensed_quarter_buyback_request_id_buyback_request'),
                                 type_='foreignkey')
        batch_op.drop_column('buyback_request_id')
    with op.batch_alter_table('buyback_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_buyback_request_party_id'))
    op.drop_table('buyback_request')
    _ledger_accounts(OLD_ACCOUNTS, False)
