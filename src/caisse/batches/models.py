"""Tables of the fund's calendar: the batch runs, the notices they produce, tax incomes parked at import.

``batch_run``: one row per batch key (``quarterly-call/2026Q1``): its parameters as first started, status,
counts and summary. ``notice``: one row per document sent to a debtor (due notice, company call,
regularisation notice, periodic account statement of arrears), with the amount, due date and structured
communication; the PDF is rendered on demand from this row and the ledger entries it points to (``key`` = the
ledger transaction key, or its prefix for a regularisation; a statement is drawn from the debtor's ledger).
``tax_income_parked``: rows of a tax-income file whose NISS is not one of the fund's, kept (never dropped) until
staff resolve them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from caisse.store.models import Base, utcnow

BATCH_STATUSES = ("running", "finished", "failed")
NOTICE_KINDS = ("quarterly_call", "company_call", "regularisation", "statement")


class BatchRun(Base):
    __tablename__ = "batch_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict | None] = mapped_column(JSON)  # as given at the first start; a resumed run reuses them
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    actor: Mapped[str] = mapped_column(String(100))
    debtors: Mapped[int] = mapped_column(Integer, default=0)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    notices: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (CheckConstraint("status in ('running', 'finished', 'failed')", name="status"),)


class Notice(Base):
    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    period: Mapped[str] = mapped_column(String(6))
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # < 0: a regularisation in the debtor's favour
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(12))  # the structured communication, 12 digits
    language: Mapped[str] = mapped_column(String(2))
    batch_key: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint("kind in ('quarterly_call', 'company_call', 'regularisation', 'statement', 'summary')",
                        name="kind"),
        CheckConstraint("language in ('fr', 'nl', 'de')", name="language"),
    )


class TaxIncomeParked(Base):
    __tablename__ = "tax_income_parked"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exchange_message_id: Mapped[int] = mapped_column(ForeignKey("exchange_message.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    niss: Mapped[str] = mapped_column(String(11), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
