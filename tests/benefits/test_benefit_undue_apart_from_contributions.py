"""An undue benefit is no contribution debt: it sits on its own ledger account (``benefit_undue``), one item per
recovery decision. A contribution payment never settles it (with or without designation), a payment to its own
structured communication does; the recovery arrears (letters, contraintes, bailiff hand-overs) and the contributions'
prescription (AR 38 art. 16 §2) never see it, and no batch writes it off while its own prescription is unknown."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import contributions, d
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from test_benefit_undue_and_charter import DESK, granted_carer

from caisse import references
from caisse.batches import prescription as prescription_batch
from caisse.benefits import service, undue
from caisse.benefits.models import UndueBenefit
from caisse.collection.coda_import import import_coda
from caisse.errors import InvalidInput
from caisse.exchange.coda import make_statement, transfer_movement, write_coda
from caisse.ledger import Entry, Posting, balances, post, receive_payment
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.ledger.queries import undue_open
from caisse.recovery.arrears import arrears
from caisse.recovery.prescription import report
from caisse.store.db import session_scope

FUND_IBAN = "BE71096123456769"  # caisse.config default fund_iban
UNDUE = 81_913  # half of July's carer benefit, paid wrongly


def coda(amount: int, day: dt.date, ogm: str | None = None, text: str = "") -> bytes:
    mv = transfer_movement(0, amount, day, ogm=ogm, text=text, counterparty_iban="BE62510007547061",
                           counterparty_name="BRAM")
    mv.sequence = 1
    return write_coda([make_statement(account_iban=FUND_IBAN, old_balance_cents=1_000_000,
                                      old_balance_date=day - dt.timedelta(1), new_balance_date=day, movements=[mv],
                                      paper_sequence=int(day.strftime("%j")), holder_name="CAISSE")])


def with_undue_and_an_unpaid_quarter(db_url, fund) -> tuple[int, int]:
    """Bram owes 819.13 of carer benefit paid wrongly (decided 20-8-2024) and his 2024Q4 contribution (800.00)."""
    bram, carer = granted_carer(db_url, fund)
    contributions(db_url, bram, paid=[], unpaid=["2024Q4"])
    with session_scope(db_url) as s:
        uid = undue.claim_back(s, DESK, carer, UNDUE, "amount", "Halftijds in juli.", d("2024-08-20")).id
    return bram, uid


def owed(db_url, bram, uid) -> tuple[int, int, int]:
    """(undue still owed, 2024Q4 contribution still open, money on his credit)."""
    with session_scope(db_url) as s:
        rows = balances(s, party_id=bram, accounts=("contribution", "credit"))
        q4 = sum(b.balance_cents for b in rows if b.account == "contribution" and b.period == "2024Q4")
        credit = -sum(b.balance_cents for b in rows if b.account == "credit")
        return undue_open(s, uid), q4, credit


def test_a_contribution_payment_without_designation_never_settles_an_undue_benefit(db_url, fund):
    bram, uid = with_undue_and_an_unpaid_quarter(db_url, fund)
    # 2,000.00 paid with no communication: the quarter is paid, the rest stays on his credit — not on the undue
    with session_scope(db_url) as s:
        receive_payment(s, "test/pay/free", d("2025-01-10"), 200_000, bram)
    assert owed(db_url, bram, uid) == (UNDUE, 0, 120_000)
    # the same through the bank: a transfer with the statement's communication (any debt) and one with none
    import_coda(db_url, coda(90_000, d("2025-01-15"), ogm=references.for_statement(bram, 2025).ogm))
    assert owed(db_url, bram, uid) == (UNDUE, 0, 210_000)
    with session_scope(db_url) as s:
        assert s.get(UndueBenefit, uid).status == "open"
        assert run_check(s).ok


def test_a_payment_to_the_undue_benefits_own_communication_settles_it_and_only_the_rest_pays_contributions(
        db_url, fund):
    bram, uid = with_undue_and_an_unpaid_quarter(db_url, fund)
    with session_scope(db_url) as s:
        communication = s.get(UndueBenefit, uid).decision["communication"]
    assert references.parse(communication).designation == "undue/1"
    # 500.00 first: a part of the undue, nothing on the contribution
    import_coda(db_url, coda(50_000, d("2025-01-15"), ogm=communication))
    assert owed(db_url, bram, uid) == (UNDUE - 50_000, 80_000, 0)
    # then 400.00 to the same communication: 319.13 closes the undue, 80.87 goes to the contribution (any payment's
    # rest is imputed as usual)
    import_coda(db_url, coda(40_000, d("2025-01-16"), ogm=communication))
    assert owed(db_url, bram, uid) == (0, 80_000 - 8_087, 0)
    with session_scope(db_url) as s:
        assert service.follow_up(s, DESK, d("2025-01-20"))["undue_recovered"] == 1
        assert s.get(UndueBenefit, uid).status == "recovered"
        entries = s.scalars(select(LedgerEntry).where(LedgerEntry.account == "benefit_undue",
                                                      LedgerEntry.amount_cents < 0).order_by(LedgerEntry.id)).all()
        assert [(e.amount_cents, e.parameter, e.explanation["designated"]) for e in entries] == [
            (-50_000, f"benefit_undue:{uid}", "undue/1"), (-31_913, f"benefit_undue:{uid}", "undue/1")]
        assert run_check(s).ok


def test_a_payment_booked_by_staff_with_the_undue_designation_settles_it(db_url, fund):
    bram, uid = with_undue_and_an_unpaid_quarter(db_url, fund)
    with session_scope(db_url) as s:
        receive_payment(s, "test/pay/undue", d("2025-01-10"), UNDUE, bram, designation="undue/1")
    assert owed(db_url, bram, uid) == (0, 80_000, 0)


def test_recovery_arrears_and_the_contributions_prescription_ignore_an_undue_benefit(db_url, fund):
    bram, uid = with_undue_and_an_unpaid_quarter(db_url, fund)
    with session_scope(db_url) as s:
        # what recovery letters, contraintes and bailiff hand-overs are made of: the 2024Q4 contribution alone
        assert arrears(s.connection(), d("2025-03-01"), bram).of(bram) == (80_000, 80_000)
    # 2030: the 2024 contribution is prescribed (five years from 1-1-2025) and written off; the undue benefit, whose
    # own prescription is not in the notes, is neither reported nor written off
    rep = report(db_url, d("2029-12-01"), within_days=60)
    assert {(r["period"], r["kind"]) for r in rep["rows"]} == {("2024Q4", "contribution")}
    prescription_batch.run(db_url, d("2030-01-02"), today=d("2030-01-02"))
    with session_scope(db_url) as s:
        assert undue_open(s, uid) == UNDUE and s.get(UndueBenefit, uid).status == "open"
        written_off = s.execute(select(LedgerEntry.account, func.sum(LedgerEntry.amount_cents))
                                .join(LedgerTransaction).where(LedgerTransaction.kind == "write_off",
                                                               LedgerEntry.party_id == bram,
                                                               LedgerEntry.amount_cents < 0)
                                .group_by(LedgerEntry.account)).all()
        assert written_off == [("contribution", -80_000)]
        assert run_check(s).ok


def test_an_undue_benefit_entry_names_its_person_period_and_decision(db_url, fund):
    bram, uid = with_undue_and_an_unpaid_quarter(db_url, fund)
    with session_scope(db_url) as s, pytest.raises(InvalidInput):  # refused before the database
        post(s, Posting("test/undue/bad", "charge", d("2025-01-10"), (
            Entry("benefit_undue", 100, bram, "2025Q1"), Entry("benefit_expense", -100, bram))))
    with pytest.raises(IntegrityError), session_scope(db_url) as s:  # and by its CHECK constraint (migration 0023)
        tid = s.scalar(select(LedgerTransaction.id).where(LedgerTransaction.key == f"benefit/undue/{uid}"))
        s.execute(insert(LedgerEntry), [{"transaction_id": tid, "party_id": bram, "account": "benefit_undue",
                                         "period": "2024Q3", "amount_cents": 1}])
