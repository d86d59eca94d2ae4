"""Tables of the ledger: transactions and their entries. Both are append-only (triggers in migration 0002).

Sign convention (the fund's books): ``amount_cents`` > 0 is a debit, < 0 a credit; the entries of a
transaction sum to zero. An *account* is the triple (``party_id``, ``account``, ``period``): there is no
account table to keep in step, so a batch posts entries without creating anything else first.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from caisse.store.models import Base, utcnow

# Debts of a party (receivables of the fund), per period. A positive balance is an open item.
PRINCIPAL = ("contribution", "management_fee", "company_contribution")
RECEIVABLE = (*PRINCIPAL, "surcharge", "costs")
# What the fund owes a party: unapplied money (overpayment), refunds ordered, benefits granted.
PARTY_LIABILITY = ("credit", "refund", "benefit")
# The fund's own accounts (party_id is kept when known, for the trail).
FUND = ("bank", "suspense", "income", "write_off", "benefit_expense", "partner_fees")
# ``partner_fees``: the fund's expense for the fees a bailiff or lawyer kept out of what it collected (a net
# remittance, recovery.partner_status); ``parameter`` names the partner.
# What a bailiff or lawyer collected from debtors for the fund and has not remitted yet (a receivable on the
# partner, per partner: ``parameter`` holds the partner's code, ``party_id`` is empty — a partner is not a party).
PARTNER_CLEARING = "partner_clearing"
# A benefit paid wrongly and claimed back (benefits/undue.py): a receivable on the person, but not a contribution
# debt — never in RECEIVABLE, so no imputation of an ordinary payment, no recovery arrears, contrainte, bailiff
# hand-over, joint call, contributions' prescription or tax certificate ever sees it. One item per recovery
# decision: every entry names it in ``parameter`` (``benefit_undue:<id>``); ``period`` is the decision's quarter.
BENEFIT_UNDUE = "benefit_undue"
# Dispensed contributions a person asked to pay back within the 5 years to keep the quarter's pension rights
# (recovery/buyback.py, legislation.md §5, §9): a receivable on the person, but a voluntary one — never in RECEIVABLE
# (no imputation of an ordinary payment, no arrears, surcharge, recovery or prescription). One item per request and
# quarter: ``period`` = the dispensed quarter, ``parameter`` = ``buyback:<request id>``, ``due_date`` = the quarter's
# buy-back deadline; only a payment to the request's own structured communication settles it.
BUYBACK = "buyback"
# The withholding tax (précompte professionnel) the fund kept out of a benefit it pays, owed to the tax
# administration (benefits/withholding.py: only at a rate the fund recorded with its source — none is in the notes).
# ``party_id`` the person (for the trail and the tax form), ``period`` the benefit's quarter.
WITHHOLDING_TAX = "withholding_tax"
ACCOUNTS = (*RECEIVABLE, *PARTY_LIABILITY, *FUND, PARTNER_CLEARING, BENEFIT_UNDUE, BUYBACK, WITHHOLDING_TAX)

TRANSACTION_KINDS = (
    "charge",  # a debt: quarterly/company call, surcharge, costs, regularisation supplement
    "regularisation",  # a debt lowered (definitive below provisional) or raised by a regularisation
    "payment",  # money received: on the fund's bank account (to a debtor's credit, to suspense or to a partner's
    # clearing: a remittance), or by a bailiff/lawyer for the fund (partner_clearing to the debtor's credit)
    "assignment",  # a parked (suspense) payment assigned to a debtor, or to a partner's clearing (remittance)
    "imputation",  # a debtor's credit applied to open items (and negative items released to credit)
    "refund",  # a refund ordered (credit -> refund payable)
    "payout",  # a refund or a benefit paid by credit transfer (payable -> bank)
    "benefit",  # a benefit granted (expense -> benefit payable)
    "write_off",  # a debt the fund renounces (art. 50bis RD 19-12-1967)
)


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class LedgerTransaction(Base):
    """A balanced set of entries, identified by its idempotency ``key`` (e.g. ``quarterly-call/2026Q1/42``)."""

    __tablename__ = "ledger_transaction"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    booked_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # A correction names the transaction it corrects (same kind, entries that adjust or reverse it).
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transaction.id"))
    # An assignment or refund of a parked payment names that payment; a payout names the refund/benefit it pays.
    refers_to_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transaction.id"))
    reference: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint(f"kind in ({_in(TRANSACTION_KINDS)})", name="kind"),
        # partial (migration 0030): most transactions name no other, and their NULLs need no index entry
        Index("ix_ledger_transaction_corrects_id", "corrects_id", sqlite_where=text("corrects_id IS NOT NULL"),
              postgresql_where=text("corrects_id IS NOT NULL")),
        Index("ix_ledger_transaction_refers_to_id", "refers_to_id", sqlite_where=text("refers_to_id IS NOT NULL"),
              postgresql_where=text("refers_to_id IS NOT NULL")),
    )


class LedgerEntry(Base):
    """One line of a transaction on one account, with the rule and legal parameter that produced it."""

    __tablename__ = "ledger_entry"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transaction.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    account: Mapped[str] = mapped_column(String(30))
    period: Mapped[str | None] = mapped_column(String(6))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    rule: Mapped[str | None] = mapped_column(String(100))
    parameter: Mapped[str | None] = mapped_column(String(100))
    explanation: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    __table_args__ = (
        CheckConstraint(f"account in ({_in(ACCOUNTS)})", name="account"),
        CheckConstraint("amount_cents <> 0", name="nonzero"),
        CheckConstraint(
            f"account not in ({_in(RECEIVABLE)}) or (party_id is not null and period is not null)",
            name="receivable_has_party_and_period",
        ),
        CheckConstraint("account not in ('credit', 'benefit') or party_id is not null", name="liability_has_party"),
        CheckConstraint("account <> 'partner_clearing' or (parameter is not null and party_id is null)",
                        name="clearing_has_partner"),
        CheckConstraint("account <> 'benefit_undue' or (party_id is not null and period is not null "
                        "and parameter is not null)", name="undue_has_decision"),
        CheckConstraint("account <> 'buyback' or (party_id is not null and period is not null "
                        "and parameter is not null)", name="buyback_has_request"),
        Index("ix_ledger_entry_party_account_period", "party_id", "account", "period"),
    )
