"""Money the fund already holds settles the next debt: the fund never calls, nor surcharges, what it has."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from caisse.batches import quarterly_call, regularisation, surcharges
from caisse.batches.tax_income import import_file
from caisse.ledger import balances, credit_available, load, open_items, receive_payment
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerTransaction
from caisse.store.db import session_scope

MIN_2026 = 89042  # 2026 main-activity minimum quarter, fee-free [S3]


def _open(url, party):
    with session_scope(url) as s:
        return {(b.period, b.account): b.balance_cents for b in open_items(s, party)}


def test_a_quarter_paid_twice_pays_the_next_one_and_no_surcharge_arises(db_url, fund):
    ana = fund.person(category="main", start=dt.date(2015, 1, 1), incomes={2023: "12000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:  # she pays 2026Q1 twice by mistake before the due date
        receive_payment(s, "coda/x/1/1", dt.date(2026, 3, 2), MIN_2026, ana)
        receive_payment(s, "coda/x/1/2", dt.date(2026, 3, 10), MIN_2026, ana)
        assert credit_available(s, ana) == MIN_2026
    summary = quarterly_call.run(db_url, "2026Q2", fee_rate="0")
    assert summary.details["set off"] == "1 debtors, 890.42 EUR of their credit"
    assert _open(db_url, ana) == {}
    with session_scope(db_url) as s:
        assert credit_available(s, ana) == 0
        setoff = load(s, f"set-off/quarterly-call/2026Q2/{ana}")
        assert setoff.booked_on == dt.date(2026, 4, 1)
        assert {(e.account, e.period, e.amount_cents) for e in setoff.entries} == {
            ("contribution", "2026Q2", -MIN_2026), ("credit", None, MIN_2026)}
    surcharges.run(db_url, dt.date(2026, 7, 1))
    with session_scope(db_url) as s:
        assert balances(s, party_id=ana, accounts=("surcharge",)) == []
        assert run_check(s).ok
    # run again: nothing left to set off, nothing posted twice
    assert quarterly_call.run(db_url, "2026Q2", fee_rate="0").finished_before
    with session_scope(db_url) as s:
        assert len(s.scalars(select(LedgerTransaction.key).where(LedgerTransaction.key.like("set-off/%"))).all()) == 1


def test_a_lower_definitive_income_settles_the_open_quarter_with_what_was_overpaid(db_url, fund, tmp_path: Path):
    """2025 regularised downwards in 2026Q1 while 2026Q1 is still open: the overpaid 2025 money pays 2026Q1."""
    bo = fund.person(category="main", start=dt.date(2015, 1, 1), incomes={2022: "60000.00", 2023: "12000.00"})
    for q in range(1, 5):
        quarterly_call.run(db_url, f"2025Q{q}", fee_rate="0")
    with session_scope(db_url) as s:
        called = sum(b.balance_cents for b in balances(s, party_id=bo, accounts=("contribution",)))
        for q in range(1, 5):
            receive_payment(s, f"coda/y/{q}", dt.date(2025, 3 * q, 15), called // 4, bo, designation=f"2025Q{q}")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    path = tmp_path / "tax.csv"
    path.write_text("niss,year,net_professional_income,assessment_date\n"
                    f"{fund.niss_of(bo)},2025,17008.88,2026-01-02\n", encoding="utf-8")
    import_file(db_url, path, today=dt.date(2026, 1, 5))
    summary = regularisation.run(db_url, 2025, notice_date=dt.date(2026, 1, 12), fee_rate="0")
    refund = -summary.amount_cents  # back to the 2025 minimum (871.71 a quarter [S7])
    assert refund == called - 4 * 87171 > MIN_2026
    assert _open(db_url, bo) == {}  # 2026Q1 paid out of the overpayment
    with session_scope(db_url) as s:
        assert credit_available(s, bo) == refund - MIN_2026  # the rest waits to be refunded
        assert run_check(s).ok


def test_a_set_off_is_never_dated_before_the_money_arrived(db_url, fund):
    """The 2026Q2 call is dated 1 April but run on the 10th; money that arrived on 5 April sets Q2 off on 5 April."""
    eli = fund.person(category="main", start=dt.date(2015, 1, 1), incomes={2023: "12000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        receive_payment(s, "coda/z/1/1", dt.date(2026, 3, 20), MIN_2026, eli)  # Q1 in time
        receive_payment(s, "coda/z/2/1", dt.date(2026, 4, 5), MIN_2026, eli)  # Q2 before its call reached the books
    quarterly_call.run(db_url, "2026Q2", fee_rate="0")
    with session_scope(db_url) as s:
        assert load(s, f"set-off/quarterly-call/2026Q2/{eli}").booked_on == dt.date(2026, 4, 5)
        assert open_items(s, eli) == []
