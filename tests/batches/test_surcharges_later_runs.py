"""The surcharges batch's check of what it charged before (``_correct``): it re-reads only the debtors whose
history changed since the last full check, and leaves alone what a run for a later date charged."""

from __future__ import annotations

import datetime as dt

from caisse.batches import surcharges
from caisse.ledger import DebtLine, balances, charge, receive_payment
from caisse.store.db import session_scope


def call(url, party, period, due, cents):
    with session_scope(url) as s:
        charge(s, f"quarterly-call/{period}/{party}", party, period, due, due.replace(day=1), [
            DebtLine("contribution", cents, "AR n° 38 art. 12 §1", "main_minimum_income@2025-01-01")])


def surcharge_total(url, party):
    with session_scope(url) as s:
        return sum(b.balance_cents for b in balances(s, party_id=party, accounts=("surcharge",)))


def test_a_run_for_an_earlier_date_leaves_the_later_surcharges_standing(db_url, fund):
    ana = fund.person()
    call(db_url, ana, "2025Q4", dt.date(2025, 12, 31), 87171)
    surcharges.run(db_url, dt.date(2026, 4, 1))   # 3 % on 31/12, 7 % on 1/1, 3 % on 31/3
    charged = surcharge_total(db_url, ana)
    assert charged == 2615 + 6102 + 2615
    summary = surcharges.run(db_url, dt.date(2026, 1, 2))   # an earlier date, run afterwards
    assert "corrected" not in summary.details
    assert surcharge_total(db_url, ana) == charged


def test_a_late_payment_is_corrected_for_its_debtor_only_after_a_full_check(db_url, fund):
    ana, bob = fund.person(), fund.person()
    for p in (ana, bob):
        call(db_url, p, "2025Q4", dt.date(2025, 12, 31), 87171)
    surcharges.run(db_url, dt.date(2026, 1, 1))   # the first run: a full check
    with session_scope(db_url) as s:   # imported on 5/1/2026, credited on 30/12/2025
        receive_payment(s, "coda/late/ana", dt.date(2025, 12, 30), 87171, ana, designation="2025Q4")
    summary = surcharges.run(db_url, dt.date(2026, 1, 5))
    assert summary.details["corrected"] == "2 surcharges, -87.17 EUR"
    assert surcharge_total(db_url, ana) == 0 and surcharge_total(db_url, bob) == 2615 + 6102
    with session_scope(db_url) as s:   # bob's payment reaches the books even later, still credited in time
        receive_payment(s, "coda/late/bob", dt.date(2025, 12, 31), 87171, bob, designation="2025Q4")
    assert surcharges.run(db_url, dt.date(2026, 1, 6)).details["corrected"] == "2 surcharges, -87.17 EUR"
    assert surcharge_total(db_url, bob) == 0
