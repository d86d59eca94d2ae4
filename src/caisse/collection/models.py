"""Tables of money in and out (migration 0004): bank files as received, their statements and lines, the
reconciliation queue, the fund's bank accounts, SEPA direct-debit mandates and collections, credit transfers.

The money itself lives in the ledger (``caisse.ledger``); these tables keep what the bank sent (never
rewritten: a bank file, its statements and its lines are inserted once), what staff still has to look at
(the queue), and what we sent to the bank (collection and transfer files, byte for byte).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from caisse.store.models import Base, utcnow

_ID = BigInteger().with_variant(Integer, "sqlite")

LINE_STATUSES = (
    "booked",  # a credit posted to a debtor's account (then imputed)
    "parked",  # a credit posted to suspense: a reconciliation item says why
    "returned",  # an R-transaction: the collection it returns was reversed in the ledger
    "confirmed",  # a debit that confirms a credit transfer we sent (already paid out in the ledger)
    "review",  # a debit (or a return) nobody sent us the reason of: a reconciliation item for staff
    "globalised",  # a total whose details were booked one by one
    "info",  # a zero amount or a detail of a total booked as a whole: information only
)
QUEUE_REASONS = (
    "no_reference",  # no structured communication
    "not_our_reference",  # a structured communication that is not one of the fund's (another fund?)
    "unknown_debtor",  # one of our references, but the file number does not exist
    "reference_in_free_text",  # one of our references typed as free text: likely, but not certain
    "unknown_account",  # the statement's account is not one of the fund's (configured) accounts
    "returned_transfer",  # a credit transfer we sent came back
    "unmatched_return",  # a direct-debit return we cannot tie to a collection
    "unexplained_debit",  # a debit (bank costs, ...) we did not order through caisse
    "globalised_mismatch",  # a total whose details do not add up to it: booked as one parked amount
    "partner_remittance",  # from a bailiff's/lawyer's IBAN, beyond what its status files reported (or two partners)
)


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class FundBankAccount(Base):
    """An account of the fund: statements of these IBANs are reconciled (besides the ``fund_iban`` setting)."""

    __tablename__ = "fund_bank_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iban: Mapped[str] = mapped_column(String(34), unique=True)
    bic: Mapped[str | None] = mapped_column(String(11))
    label: Mapped[str | None] = mapped_column(String(100))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class BankFile(Base):
    """A bank file as received: its bytes and SHA-256 (the same bytes again = the same file, not re-imported)."""

    __tablename__ = "bank_file"
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[str] = mapped_column(String(10), default="coda")
    filename: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(100))
    statements: Mapped[int] = mapped_column(Integer)
    movements: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    summary: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))


class BankStatement(Base):
    """One statement of a bank file (CODA records 1 .. 8)."""

    __tablename__ = "bank_statement"
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("bank_file.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)  # 1-based position in the file
    account: Mapped[str] = mapped_column(String(40))
    iban: Mapped[str | None] = mapped_column(String(34))
    currency: Mapped[str] = mapped_column(String(3))
    statement_number: Mapped[str] = mapped_column(String(20))
    old_balance_cents: Mapped[int] = mapped_column(BigInteger)
    old_balance_date: Mapped[dt.date] = mapped_column(Date)
    new_balance_cents: Mapped[int] = mapped_column(BigInteger)
    new_balance_date: Mapped[dt.date] = mapped_column(Date)
    holder_name: Mapped[str | None] = mapped_column(String(100))
    fund_account: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (UniqueConstraint("file_id", "ordinal", name="uq_bank_statement_file_ordinal"),)


class BankLine(Base):
    """One movement of a statement, kept as the bank sent it, with what the import did with it."""

    __tablename__ = "bank_line"
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statement.id"))
    ordinal: Mapped[int] = mapped_column(Integer)  # 1-based position in the statement (CODA sequences wrap)
    file_line: Mapped[int] = mapped_column(Integer)  # line of record 2.1 in the file
    sequence: Mapped[int] = mapped_column(Integer)
    detail: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # credit > 0, debit < 0
    value_date: Mapped[dt.date | None] = mapped_column(Date)
    entry_date: Mapped[dt.date | None] = mapped_column(Date)
    transaction_code: Mapped[str] = mapped_column(String(8))
    bank_reference: Mapped[str | None] = mapped_column(String(21))
    communication_type: Mapped[str | None] = mapped_column(String(3))
    communication: Mapped[str | None] = mapped_column(Text)
    counterparty_iban: Mapped[str | None] = mapped_column(String(34), index=True)
    counterparty_account: Mapped[str | None] = mapped_column(String(40))
    counterparty_name: Mapped[str | None] = mapped_column(String(100))
    counterparty_bic: Mapped[str | None] = mapped_column(String(11))
    customer_reference: Mapped[str | None] = mapped_column(String(35))  # SEPA end-to-end id
    is_detail: Mapped[bool] = mapped_column(Boolean)
    r_kind: Mapped[str | None] = mapped_column(String(20))
    r_reason: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(12))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    ledger_key: Mapped[str | None] = mapped_column(String(200), index=True)
    __table_args__ = (
        UniqueConstraint("statement_id", "ordinal", name="uq_bank_line_statement_ordinal"),
        CheckConstraint(f"status in ({_in(LINE_STATUSES)})", name="status"),
    )


class ReconciliationItem(Base):
    """A bank line staff must look at: why it was not booked, the debtors it may belong to, and the outcome."""

    __tablename__ = "reconciliation_item"
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    bank_line_id: Mapped[int] = mapped_column(ForeignKey("bank_line.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(30))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    payment_key: Mapped[str | None] = mapped_column(String(200))  # the suspense receipt, for a parked credit
    suggestions: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(String(20))  # assigned, refunded, acknowledged, returned
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint(f"reason in ({_in(QUEUE_REASONS)})", name="reason"),
        CheckConstraint("status in ('open', 'resolved')", name="status"),
        Index("ix_reconciliation_item_status_reason", "status", "reason"),
    )


class SepaMandate(Base):
    """A SEPA core direct-debit mandate signed by a debtor (the party) for the fund's creditor identifier."""

    __tablename__ = "sepa_mandate"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(35), unique=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    debtor_name: Mapped[str] = mapped_column(String(70))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    signed_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")
    revoked_on: Mapped[dt.date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # how often it is collected: 'quarterly' (what is due, on each run) or 'monthly' (also a share of the current
    # quarter's call each month: collection.direct_debit.monthly_instalment)
    rhythm: Mapped[str] = mapped_column(String(10), default="quarterly", server_default="quarterly")
    __table_args__ = (CheckConstraint("status in ('active', 'suspended', 'revoked')", name="status"),
                      CheckConstraint("rhythm in ('quarterly', 'monthly')", name="rhythm"))


class SepaMandateAmendment(Base):
    """A change of a mandate kept under its signature (SDD Core rulebook, amendment of the mandate): the debtor's
    new account (and bank, when known) or a new reference, with what they replace. The next collection tells the
    debtor's bank (``dd_collection.amendment_id``)."""

    __tablename__ = "sepa_mandate_amendment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("sepa_mandate.id"), index=True)
    amended_on: Mapped[dt.date] = mapped_column(Date)
    old_iban: Mapped[str] = mapped_column(String(34))
    old_bic: Mapped[str | None] = mapped_column(String(11))  # given, or known from a Belgian IBAN's bank code
    new_iban: Mapped[str] = mapped_column(String(34))
    new_bic: Mapped[str | None] = mapped_column(String(11))
    old_reference: Mapped[str] = mapped_column(String(35))
    new_reference: Mapped[str] = mapped_column(String(35))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))


class DirectDebitRun(Base):
    """A pain.008 collection file we produced, byte for byte."""

    __tablename__ = "dd_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(35), unique=True)
    collection_date: Mapped[dt.date] = mapped_column(Date, index=True)
    due_by: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    creditor_id: Mapped[str | None] = mapped_column(String(35))  # the fund's creditor id in it (NULL: before 0033)


class DirectDebitCollection(Base):
    """One debit of a collection run: sent, then paid (booked from the bank statement), returned or rejected."""

    __tablename__ = "dd_collection"
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("dd_run.id"), index=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("sepa_mandate.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    end_to_end_id: Mapped[str] = mapped_column(String(35), unique=True)
    sequence_type: Mapped[str] = mapped_column(String(4))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    ogm: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10))
    payment_key: Mapped[str | None] = mapped_column(String(200))
    return_key: Mapped[str | None] = mapped_column(String(200))
    r_reason: Mapped[str | None] = mapped_column(String(4))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # the mandate as the debtor's bank knows it after this collection: its latest amendment then (NULL: as signed)
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("sepa_mandate_amendment.id"))
    # a monthly mandate: the part of the amount that is the instalment of the current quarter's call not yet due
    # (the rest is what was due); NULL: no instalment in it
    instalment_cents: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (
        CheckConstraint("status in ('sent', 'paid', 'returned', 'rejected')", name="status"),
        CheckConstraint("amount_cents > 0", name="positive"),
        CheckConstraint("instalment_cents IS NULL OR (instalment_cents > 0 AND instalment_cents <= amount_cents)",
                        name="instalment"),
    )


class CreditTransferRun(Base):
    """A pain.001 credit-transfer file we produced, byte for byte."""

    __tablename__ = "ct_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(35), unique=True)
    execution_date: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class CreditTransfer(Base):
    """One refund or benefit paid by credit transfer; an order is paid at most once (``order_key`` unique)."""

    __tablename__ = "credit_transfer"
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ct_run.id"), index=True)
    order_key: Mapped[str] = mapped_column(String(200), unique=True)
    payout_key: Mapped[str] = mapped_column(String(200), unique=True)
    end_to_end_id: Mapped[str] = mapped_column(String(35), unique=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    creditor_name: Mapped[str] = mapped_column(String(70))
    creditor_iban: Mapped[str] = mapped_column(String(34))
    creditor_bic: Mapped[str | None] = mapped_column(String(11))
    status: Mapped[str] = mapped_column(String(10), default="sent")
    bank_line_id: Mapped[int | None] = mapped_column(ForeignKey("bank_line.id"))
    __table_args__ = (
        CheckConstraint("status in ('sent', 'confirmed', 'returned')", name="status"),
        CheckConstraint("amount_cents > 0", name="positive"),
    )
