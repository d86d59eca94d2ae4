"""The demo fund lives: two years of calls, bank statements, direct debits, surcharges and a regularisation,
all through the fund's own entry points — and the ledger still adds up."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from caisse.batches.models import BatchRun, Notice
from caisse.collection.models import BankLine, DirectDebitCollection, ReconciliationItem, SepaMandate
from caisse.demo.calendar import run_calendar
from caisse.demo.generator import generate, load
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry
from caisse.store.db import engine_for, session_scope

TODAY = dt.date(2026, 11, 24)


def test_two_years_of_a_fund(db_url):
    with engine_for(db_url).begin() as conn:
        load(conn, generate(150, seed=4, as_of=TODAY))
    lived = run_calendar(db_url, TODAY, seed=4)
    assert lived["quarters"] == 12 and lived["statements"] >= 12
    with session_scope(db_url) as s:
        assert run_check(s).breaches == []
        keys = set(s.scalars(select(BatchRun.key)))
        assert {"quarterly-call/2024Q1", "quarterly-call/2026Q4", "surcharges/2026-10-01", "company-call/2025",
                "regularisation/2024/2026-02-16"} <= keys
        statuses = dict(s.execute(select(BankLine.status, func.count()).group_by(BankLine.status)).all())
        assert statuses.get("booked", 0) > 100  # most people pay with the right communication
        assert s.scalar(select(func.count()).select_from(ReconciliationItem)) > 0  # a few do not: parked
        assert s.scalar(select(func.count()).select_from(DirectDebitCollection)) > 0
        # some mandates are monthly: their debits carry an instalment of the quarter, a third then half the rest
        rhythms = dict(s.execute(select(SepaMandate.rhythm, func.count()).group_by(SepaMandate.rhythm)).all())
        assert rhythms.get("monthly", 0) > 0 and rhythms.get("quarterly", 0) > 0
        assert s.scalar(select(func.count()).select_from(DirectDebitCollection).where(
            DirectDebitCollection.instalment_cents.is_not(None))) > 0
        # a debtor whose debits the bank never took back pays every quarter by its due date: no surcharge
        took_back = select(DirectDebitCollection.party_id).where(DirectDebitCollection.status != "paid")
        never_back = select(SepaMandate.party_id).where(SepaMandate.party_id.not_in(took_back))
        assert s.scalar(select(func.count()).select_from(never_back.subquery())) > 0
        assert not s.scalar(select(func.sum(LedgerEntry.amount_cents)).where(
            LedgerEntry.account == "surcharge", LedgerEntry.party_id.in_(never_back)))
        surcharges = s.scalar(select(func.sum(LedgerEntry.amount_cents)).where(LedgerEntry.account == "surcharge"))
        assert surcharges > 0  # some never pay
        assert s.scalar(select(func.count()).select_from(Notice).where(Notice.kind == "regularisation")) > 0
        # 2024, regularised in February 2026, falls due on 30 June 2026: in the demo's 2026 an unpaid 2024 quarter is
        # due and surcharged, not "called, unpaid and never surcharged" as when the demo regularised on its own day
        due = set(s.scalars(select(LedgerEntry.due_date).where(
            LedgerEntry.account == "contribution", LedgerEntry.period.like("2024Q%"), LedgerEntry.amount_cents > 0,
            LedgerEntry.due_date.is_not(None))))
        assert max(due) == dt.date(2026, 6, 30)
        assert s.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.account == "surcharge", LedgerEntry.period.like("2024Q%"),
            LedgerEntry.due_date >= dt.date(2026, 6, 30))) > 0
