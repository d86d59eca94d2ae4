"""The company contribution's late-payment surcharge: 1 % per month of delay begun (legislation.md §7, SECONDARY),
charged by the surcharges batch as the simulator computes it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from caisse.batches import company_call, surcharges
from caisse.ledger import balances, receive_payment
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.rules.company import company_contribution
from caisse.store.db import session_scope


def surcharge_total(url, party):
    with session_scope(url) as s:
        return sum(b.balance_cents for b in balances(s, party_id=party, accounts=("surcharge",)))


def test_a_company_paying_a_fortnight_late_pays_one_percent_once(db_url, fund):
    late = fund.company(start=dt.date(2010, 1, 1), sheets={2023: "500000.00"})
    company_call.run(db_url, 2025)  # 399.73 due on 31/12/2025 [S36]
    with session_scope(db_url) as s:
        receive_payment(s, "coda/co/1/1", dt.date(2026, 1, 15), 39973, late)
    summary = surcharges.run(db_url, dt.date(2026, 1, 15))
    simulated = company_contribution(2025, "500000.00", paid_on=dt.date(2026, 1, 15))
    assert (simulated.months_late, simulated.surcharge) == (1, 400)
    assert surcharge_total(db_url, late) == 400  # 1 % of 399.73, half-up
    assert summary.details["1 % per month (company contribution)"] == 1
    with session_scope(db_url) as s:
        line = s.scalar(select(LedgerEntry).join(LedgerTransaction).where(
            LedgerTransaction.key == f"surcharges/2026-01-01/{late}/2025", LedgerEntry.account == "surcharge"))
        assert line.parameter == "company_late_rate_per_month@2023-01-01"
        assert line.rule.startswith("cotisation annuelle à charge des sociétés")
        assert "SECONDARY" in line.explanation["text"] and "month 1 begun on 2026-01-01" in line.explanation["text"]
    assert surcharges.run(db_url, dt.date(2026, 1, 15)).finished_before
    again = surcharges.run(db_url, dt.date(2026, 3, 10))  # paid: no second month, nothing posted twice
    assert again.posted == 0 and surcharge_total(db_url, late) == 400
    with session_scope(db_url) as s:
        assert run_check(s).ok


def test_unpaid_for_three_months_begun_costs_what_the_simulator_says(db_url, fund):
    """Due 31/12: months begin on 1/1, 1/2 and 1/3; the running total is rounded, so 3 × 3.9973 = 11.99 (not
    3 × 4.00), exactly the simulator's figure for a payment on 1/3."""
    slow = fund.company(start=dt.date(2010, 1, 1), sheets={2023: "500000.00"})
    company_call.run(db_url, 2025)
    surcharges.run(db_url, dt.date(2026, 2, 28))
    assert surcharge_total(db_url, slow) == 799  # two months: 7.9946
    surcharges.run(db_url, dt.date(2026, 3, 1))
    assert surcharge_total(db_url, slow) == company_contribution(2025, "500000.00",
                                                                 paid_on=dt.date(2026, 3, 1)).surcharge == 1199
    with session_scope(db_url) as s:
        days = sorted(t.key.split("/")[1] for t in s.scalars(
            select(LedgerTransaction).where(LedgerTransaction.key.like(f"surcharges/%/{slow}/2025"))))
    assert days == ["2026-01-01", "2026-02-01", "2026-03-01"]


def test_the_months_stop_at_the_quarter_before_a_contrainte_is_served(db_url, fund):
    """The cut-off of the 3 % (addendum §4.2) is applied to the company contribution too (the notes are silent;
    stopping early is in the debtor's favour and can be undone by the next run)."""
    from caisse.recovery.models import RecoveryFile, RecoveryStep

    co = fund.company(start=dt.date(2010, 1, 1), sheets={2023: "500000.00"})
    company_call.run(db_url, 2025)
    with session_scope(db_url) as s:  # the contrainte on 10/05/2026 (second quarter): last month begun 1/3
        f = RecoveryFile(party_id=co, cycle=1, stage="enforcement", stage_since=dt.date(2026, 5, 10),
                         opened_on=dt.date(2026, 1, 20))
        s.add(f)
        s.flush()
        s.add(RecoveryStep(key=f"recovery/{f.id}/1/enforcement", file_id=f.id, party_id=co, cycle=1, event="stage",
                           from_stage="personal_contact", to_stage="enforcement", on=dt.date(2026, 5, 10),
                           actor="test", reason="contrainte", amount_cents=39973, language="nl"))
    surcharges.run(db_url, dt.date(2026, 8, 1))
    assert surcharge_total(db_url, co) == 1199  # January, February, March; not April to August
