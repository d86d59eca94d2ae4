"""Surcharges from the payment history, and the company call."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from caisse.batches import company_call, surcharges
from caisse.batches.models import Notice
from caisse.errors import InvalidInput
from caisse.ledger import DebtLine, balances, charge, load, receive_payment
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerTransaction
from caisse.rules.company import company_contribution
from caisse.rules.surcharges import late_payment_surcharges
from caisse.store.db import session_scope


def call(url, party, period, due, cents):
    with session_scope(url) as s:
        charge(s, f"quarterly-call/{period}/{party}", party, period, due, due.replace(day=1), [
            DebtLine("contribution", cents, "AR n° 38 art. 12 §1", "main_minimum_income@2025-01-01"),
            DebtLine("management_fee", 2659, "fee", "rate")])


def surcharge_total(url, party):
    with session_scope(url) as s:
        return sum(b.balance_cents for b in balances(s, party_id=party, accounts=("surcharge",)))


def test_a_q4_contribution_unpaid_on_31_12_costs_3_and_7_percent(db_url, fund):
    ana = fund.person()
    call(db_url, ana, "2025Q4", dt.date(2025, 12, 31), 87171)  # 2025 main minimum [S7]
    summary = surcharges.run(db_url, dt.date(2026, 1, 1))
    # 3 % of 871.71 = 26.15 on 31/12, 7 % once on 1/1 = 61.02: 10 % at once [S108]; never on the fee
    assert surcharge_total(db_url, ana) == 2615 + 6102
    assert summary.details["3 % surcharges"] == 1 and summary.details["7 % surcharges"] == 1
    expected = late_payment_surcharges("871.71", dt.date(2025, 12, 31), as_of=dt.date(2026, 1, 1))
    assert [s.amount for s in expected.surcharges] == [2615, 6102]
    assert surcharges.run(db_url, dt.date(2026, 1, 1)).finished_before
    later = surcharges.run(db_url, dt.date(2026, 4, 1))  # still unpaid on 31/3: another 3 %, the rest not again
    assert later.posted == 1 and surcharge_total(db_url, ana) == 2615 * 2 + 6102
    with session_scope(db_url) as s:
        assert run_check(s).ok


def test_paid_in_time_costs_nothing_and_a_partial_payment_lowers_the_base(db_url, fund):
    ontime, partial = fund.person(), fund.person()
    for p in (ontime, partial):
        call(db_url, p, "2026Q1", dt.date(2026, 3, 31), 89042)
    with session_scope(db_url) as s:
        receive_payment(s, "coda/t/1", dt.date(2026, 3, 31), 89042 + 2659, ontime)  # on the due date: in time
        receive_payment(s, "coda/t/2", dt.date(2026, 3, 20), 50000, partial)
    surcharges.run(db_url, dt.date(2026, 4, 1))
    assert surcharge_total(db_url, ontime) == 0
    # 500.00 imputed on the contribution first: 390.42 unpaid → 3 % = 11.71
    assert surcharge_total(db_url, partial) == 1171


def test_company_call_2025_brackets_and_2026_unpublished(db_url, fund):
    small = fund.company(start=dt.date(2010, 1, 1), sheets={2023: "500000.00"})
    large = fund.company(start=dt.date(2010, 1, 1), sheets={2023: "900000.00", 2024: "900000.00"})
    starting = fund.company(start=dt.date(2025, 3, 1))
    nosheet = fund.company(start=dt.date(2012, 1, 1))
    s25 = company_call.run(db_url, 2025)
    with session_scope(db_url) as s:
        amounts = dict(s.execute(select(Notice.party_id, Notice.amount_cents)).all())
        due = set(s.scalars(select(Notice.due_date)))
    assert amounts == {small: 39973, large: 99847, starting: 39973}  # E14 [S36]
    assert due == {dt.date(2025, 12, 31)}
    assert s25.examples == {"no balance sheet for financial year 2023 on file (penultimate year)": [nosheet]}
    # 2026 (addendum §7): the small amount 409.30 is SECONDARY with low confidence — used, and the batch says so;
    # the boundary and the large amount are computed ESTIMATES: not called unless estimates are explicitly allowed
    s26 = company_call.run(db_url, 2026)
    with session_scope(db_url) as s:
        called_2026 = dict(s.execute(select(Notice.party_id, Notice.amount_cents)
                                     .where(Notice.due_date == dt.date(2026, 12, 31))).all())
    assert called_2026 == {starting: 40930}  # second year of subjection: the small amount
    assert "409.30" in s26.details["CAUTION"] and "low-confidence" in s26.details["CAUTION"]
    assert any("ESTIMATE" in reason for reason in s26.skipped)
    s26e = company_call.run(db_url, 2026, allow_estimates=True)
    assert s26e.posted == 1 and "WARNING" in s26e.details  # now the large one too, and it says so
    assert company_contribution(2026, subjection_year=2).amount == 40930


def test_bad_dates_and_years(db_url):
    with pytest.raises(InvalidInput, match="year"):
        company_call.run(db_url, 26)
    with pytest.raises(InvalidInput, match="as_of"):
        surcharges.run(db_url, "2026-04-01")


def test_a_payment_in_time_that_reaches_the_books_late_takes_the_surcharge_back(db_url, fund):
    """The bank credited 2025Q4 on 30/12/2025, but its statement was imported after the surcharges run of 1/1/2026:
    the booking date counts (legislation §4.1), so the next run corrects the 3 % and 7 % charged meanwhile."""
    bea = fund.person()
    call(db_url, bea, "2025Q4", dt.date(2025, 12, 31), 87171)
    surcharges.run(db_url, dt.date(2026, 1, 1))
    assert surcharge_total(db_url, bea) == 2615 + 6102
    with session_scope(db_url) as s:  # imported on 5/1/2026, credited on 30/12/2025
        receive_payment(s, "coda/late/1/1", dt.date(2025, 12, 30), 87171 + 2659, bea, designation="2025Q4")
    summary = surcharges.run(db_url, dt.date(2026, 1, 5))
    assert summary.details["corrected"] == "2 surcharges, -87.17 EUR"
    assert surcharge_total(db_url, bea) == 0
    with session_scope(db_url) as s:
        fix = load(s, f"surcharges/2025-12-31/{bea}/2025Q4/correction/2026-01-05")
        assert fix.corrects == f"surcharges/2025-12-31/{bea}/2025Q4"
        assert run_check(s).ok
    assert "corrected" not in surcharges.run(db_url, dt.date(2026, 1, 6)).details  # nothing more to correct


def test_surcharges_stop_at_the_quarter_before_the_contrainte_is_served(db_url, fund):
    """Addendum §4.2: the last 3 % is charged at the end of the quarter preceding the quarter of service."""
    from caisse.recovery.models import RecoveryFile, RecoveryStep

    cas = fund.person()
    call(db_url, cas, "2025Q1", dt.date(2025, 3, 31), 87171)
    with session_scope(db_url) as s:  # the contrainte goes to the bailiff on 10/08/2025 (third quarter)
        f = RecoveryFile(party_id=cas, cycle=1, stage="enforcement", stage_since=dt.date(2025, 8, 10),
                         opened_on=dt.date(2025, 4, 15))
        s.add(f)
        s.flush()
        s.add(RecoveryStep(key=f"recovery/{f.id}/1/enforcement", file_id=f.id, party_id=cas, cycle=1, event="stage",
                           from_stage="personal_contact", to_stage="enforcement", on=dt.date(2025, 8, 10),
                           actor="test", reason="contrainte", amount_cents=87171 + 2659, language="fr"))
    surcharges.run(db_url, dt.date(2026, 1, 1))
    with session_scope(db_url) as s:
        arising = sorted(t.key.split("/")[1] for t in s.scalars(
            select(LedgerTransaction).where(LedgerTransaction.key.like(f"surcharges/%/{cas}/%"))))
    assert arising == ["2025-03-31", "2025-06-30"]  # not 30/09, 31/12 nor the 7 % of 1/1/2026
    assert surcharge_total(db_url, cas) == 2 * 2615
