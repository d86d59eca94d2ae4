"""A debtor's file, told as a story: each test is one thing that happens to money at the fund.

Amounts: 2025 main-activity minimum quarter 871.71 + 3.05 % management fee 26.59 = 898.30 (legislation §3).
"""

from __future__ import annotations

import datetime as dt

import pytest
from ledger_helpers import call_quarter, new_party
from sqlalchemy import func, select

from caisse.errors import Conflict, InvalidInput
from caisse.ledger import (
    DebtLine,
    Entry,
    Posting,
    amount_due,
    assign,
    balances,
    charge,
    charge_posting,
    credit_available,
    grant_benefit,
    impute,
    load,
    open_items,
    payout,
    policy_named,
    post,
    receive_payment,
    refund,
    refund_unmatched,
    return_payment,
    reverse,
    unassigned,
    unpaid_principal,
    write_off,
)
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.ledger.statement import statement

CONTRIBUTION, FEE = 87171, 2659  # 871.71 + 26.59 = 898.30


def items(session, party):
    return {(b.period, b.account): b.balance_cents for b in open_items(session, party)}


def healthy(session):
    report = run_check(session)
    assert report.breaches == []
    return report


def test_a_quarter_is_called_and_paid_in_part(db):
    ana = new_party(db)
    call_quarter(db, ana, "2025Q1", CONTRIBUTION, FEE)
    assert items(db, ana) == {("2025Q1", "contribution"): CONTRIBUTION, ("2025Q1", "management_fee"): FEE}
    assert open_items(db, ana)[0].due_date == dt.date(2025, 3, 31)

    paid = receive_payment(db, "coda/abc/1/1", dt.date(2025, 3, 20), 50000, ana, reference="+++090/9337/55493+++")
    assert paid.receipt.created and paid.imputation.created
    # principal first, within it the contribution first; the management fee waits
    assert items(db, ana) == {("2025Q1", "contribution"): CONTRIBUTION - 50000, ("2025Q1", "management_fee"): FEE}
    assert amount_due(db, ana) == CONTRIBUTION + FEE - 50000
    assert credit_available(db, ana) == 0
    # every imputation entry says which rule and policy produced it
    imputation = load(db, "coda/abc/1/1/imputation")
    assert {e.rule for e in imputation.entries} == {"Civil Code arts. 1253-1256 (Book 5); RD 19-12-1967 art. 44"}
    assert {e.parameter for e in imputation.entries} == {"oldest-period-principal-first"}
    assert healthy(db).totals.line() == "transactions=3 debts=898.30 payments=500.00 open=398.30 unmatched=0.00"


def test_oldest_period_first_unless_the_debtor_designates_one(db):
    bob = new_party(db)
    for q in ("2025Q1", "2025Q2", "2025Q3"):
        call_quarter(db, bob, q, CONTRIBUTION, FEE)
    receive_payment(db, "coda/f/1/1", dt.date(2025, 7, 10), 89830, bob)  # no communication: oldest first
    assert {p for p, _ in items(db, bob)} == {"2025Q2", "2025Q3"}
    # the structured communication names 2025Q3: the debtor's designation wins (Civil Code art. 1253)
    receive_payment(db, "coda/f/1/2", dt.date(2025, 7, 11), 89830, bob, designation="2025Q3")
    assert {p for p, _ in items(db, bob)} == {"2025Q2"}
    receive_payment(db, "coda/f/1/3", dt.date(2025, 7, 12), 100000, bob, designation="2025Q3")  # already paid
    assert items(db, bob) == {}
    assert credit_available(db, bob) == 100000 - 89830
    healthy(db)


def test_a_payment_settles_what_is_due_before_a_supplement_that_falls_due_later(db):
    """The 2024 regularisation supplement (notice in April 2026, due 30/06/2026) is the oldest period, but on
    15/03/2026 it is not due yet while 2026Q1 falls due on 31/03: the payment without a communication goes to
    2026Q1, so no 3 % surcharge arises on 31/03 (addendum §6.2: "oldest due quarter first")."""
    ana = new_party(db)
    call_quarter(db, ana, "2024Q4", CONTRIBUTION, FEE)
    receive_payment(db, "coda/a/1/1", dt.date(2024, 12, 20), CONTRIBUTION + FEE, ana)
    charge(db, "regularisation/2024/ana/2024Q4", ana, "2024Q4", dt.date(2026, 6, 30), dt.date(2026, 1, 10),
           [DebtLine("contribution", 50000, "AR n° 38 art. 11 §5", "income 2024")], kind="regularisation")
    call_quarter(db, ana, "2026Q1", CONTRIBUTION, FEE)
    receive_payment(db, "coda/a/2/1", dt.date(2026, 3, 15), CONTRIBUTION + FEE, ana)
    assert items(db, ana) == {("2024Q4", "contribution"): 50000}
    assert "2026Q1" not in {b.period for b in unpaid_principal(db, dt.date(2026, 3, 31), ana)}
    # once it is due (and unpaid), the supplement is the oldest due debt and comes first again
    call_quarter(db, ana, "2026Q3", CONTRIBUTION, FEE)
    receive_payment(db, "coda/a/3/1", dt.date(2026, 7, 10), 50000, ana)
    assert items(db, ana) == {("2026Q3", "contribution"): CONTRIBUTION, ("2026Q3", "management_fee"): FEE}
    healthy(db)


def test_arrears_already_due_come_before_the_quarter_not_yet_due(db):
    bob = new_party(db)
    call_quarter(db, bob, "2025Q3", CONTRIBUTION, FEE)  # unpaid, due 30/09/2025
    call_quarter(db, bob, "2025Q4", CONTRIBUTION, FEE)  # called, due 31/12/2025
    receive_payment(db, "coda/b/1/1", dt.date(2025, 11, 5), CONTRIBUTION + FEE, bob)
    assert {p for p, _ in items(db, bob)} == {"2025Q4"}
    # a split item (a call partly due) is settled in one imputation line per account and period
    entries = [e for e in load(db, "coda/b/1/1/imputation").entries if e.account != "credit"]
    assert sorted((e.period, e.account) for e in entries) == [("2025Q3", "contribution"),
                                                              ("2025Q3", "management_fee")]
    healthy(db)


def test_principal_before_surcharges_within_a_period_and_the_other_policy(db):
    eve, ida = new_party(db), new_party(db)
    for who in (eve, ida):
        call_quarter(db, who, "2025Q1", CONTRIBUTION, FEE)
        charge(db, f"surcharges/2025-04-01/{who}", who, "2025Q1", dt.date(2025, 4, 1), dt.date(2025, 4, 1),
               [DebtLine("surcharge", 2695, "RD 19-12-1967 art. 44 §1", "late_payment_rate@2025-01-01",
                         {"text": "3 % of 898.30 unpaid on 31/03/2025"})])
    receive_payment(db, "pay/eve", dt.date(2025, 4, 15), 89830, eve)
    assert items(db, eve) == {("2025Q1", "surcharge"): 2695}  # no surcharge on surcharges: principal paid
    receive_payment(db, "pay/ida", dt.date(2025, 4, 15), 89830, ida,
                    policy=policy_named("oldest-period-accessories-first"))
    assert items(db, ida) == {("2025Q1", "contribution"): 36, ("2025Q1", "management_fee"): FEE}  # surcharge first
    assert unpaid_principal(db, dt.date(2025, 4, 14), eve)[0].balance_cents == CONTRIBUTION
    assert unpaid_principal(db, dt.date(2025, 4, 15), eve) == []
    healthy(db)


def test_an_overpayment_stays_as_credit_then_is_refunded_and_paid_out(db):
    jan = new_party(db)
    call_quarter(db, jan, "2025Q1", CONTRIBUTION, FEE)
    receive_payment(db, "coda/x/1/1", dt.date(2025, 3, 1), 100000, jan)
    assert items(db, jan) == {}
    assert credit_available(db, jan) == 100000 - 89830
    with pytest.raises(Conflict):
        refund(db, "refund/jan/1", jan, 100000, dt.date(2025, 3, 2))
    order = refund(db, "refund/jan/1", jan, 10170, dt.date(2025, 3, 2), iban="BE68539007547034")
    assert credit_available(db, jan) == 0
    st = statement(db, jan)
    assert st.refunds_pending == 10170
    payout(db, "pain001/2025-03-25/1", "refund/jan/1", dt.date(2025, 3, 25))
    assert statement(db, jan).refunds_pending == 0
    with pytest.raises(Conflict):
        payout(db, "pain001/2025-03-26/1", "refund/jan/1", dt.date(2025, 3, 26))
    assert order.created
    healthy(db)


def test_credit_is_set_off_against_the_next_call(db):
    kim = new_party(db)
    call_quarter(db, kim, "2025Q1", CONTRIBUTION, FEE)
    receive_payment(db, "coda/y/1/1", dt.date(2025, 3, 1), 120000, kim)
    call_quarter(db, kim, "2025Q2", CONTRIBUTION, FEE)
    set_off = impute(db, kim, "set-off/2025Q2/kim", dt.date(2025, 4, 5))
    assert set_off.created
    assert items(db, kim) == {("2025Q2", "contribution"): CONTRIBUTION - (120000 - 89830),
                              ("2025Q2", "management_fee"): FEE}
    assert impute(db, kim, "set-off/2025Q2/kim", dt.date(2025, 4, 5)).created is False
    assert impute(db, kim, "set-off/2025Q2/kim/again", dt.date(2025, 4, 5)) is None  # nothing left to impute
    healthy(db)


def test_an_unmatched_payment_is_parked_then_assigned(db):
    lea = new_party(db)
    call_quarter(db, lea, "2025Q1", CONTRIBUTION, FEE)
    parked = receive_payment(db, "coda/z/1/7", dt.date(2025, 3, 20), 89830, None,
                             counterparty={"iban": "BE68539007547034", "name": "L. Dupont"})
    assert parked.imputation is None
    assert unassigned(db, "coda/z/1/7") == 89830
    assert healthy(db).totals.unmatched == 89830
    assign(db, "reconcile/coda/z/1/7", "coda/z/1/7", lea, dt.date(2025, 3, 22))
    assert unassigned(db, "coda/z/1/7") == 0
    assert items(db, lea) == {}
    with pytest.raises(Conflict):
        assign(db, "reconcile/coda/z/1/7/again", "coda/z/1/7", lea, dt.date(2025, 3, 23), amount_cents=1)
    assert healthy(db).totals.unmatched == 0


def test_a_wrong_fund_payment_is_parked_then_refunded(db):
    receive_payment(db, "coda/w/1/1", dt.date(2025, 3, 20), 5000, None, counterparty={"iban": "BE62510007547061"})
    refund_unmatched(db, "refund/coda/w/1/1", "coda/w/1/1", dt.date(2025, 3, 21), iban="BE62510007547061",
                     reason="not affiliated with this fund")
    assert unassigned(db, "coda/w/1/1") == 0
    payout(db, "pain001/2025-03-25/2", "refund/coda/w/1/1", dt.date(2025, 3, 25))
    assert healthy(db).totals.unmatched == 0


def test_a_correction_references_the_debt_it_corrects(db):
    max_ = new_party(db)
    call_quarter(db, max_, "2025Q1", 99999, FEE)  # wrong amount
    receive_payment(db, "pay/max", dt.date(2025, 3, 1), 99999 + FEE, max_)
    reversal = reverse(db, f"quarterly-call/2025Q1/{max_}", f"correction/2025Q1/{max_}", dt.date(2025, 3, 5),
                       "income category corrected")
    original_id = db.scalar(select(LedgerTransaction.id).where(
        LedgerTransaction.key == f"quarterly-call/2025Q1/{max_}"))
    assert db.get(LedgerTransaction, reversal.transaction_id).corrects_id == original_id
    with pytest.raises(Conflict):
        reverse(db, f"quarterly-call/2025Q1/{max_}", "correction/again", dt.date(2025, 3, 5), "twice")
    call_quarter(db, max_, "2025Q1", CONTRIBUTION, FEE, key=f"quarterly-call/2025Q1/{max_}/corrected")
    impute(db, max_, f"set-off/2025Q1/{max_}", dt.date(2025, 3, 6))  # overpaid items released, then re-imputed
    assert items(db, max_) == {}
    assert credit_available(db, max_) == 99999 - CONTRIBUTION
    assert {b.balance_cents for b in balances(db, party_id=max_, accounts=("contribution",))} == {0}
    assert healthy(db).totals.debts == CONTRIBUTION + FEE


def test_a_regularisation_lowers_a_quarter_and_a_bounced_payment_reopens_it(db):
    ned = new_party(db)
    call_quarter(db, ned, "2024Q1", CONTRIBUTION, FEE)
    post(db, charge_posting(f"regularisation/2024/{ned}/2024Q1", ned, "2024Q1", dt.date(2026, 9, 30),
                            dt.date(2026, 6, 1), [DebtLine("contribution", -10000, "RD38 art.13"),
                                                  DebtLine("management_fee", -305, "RD38 art.20 §2")],
                            kind="regularisation"))
    assert items(db, ned) == {("2024Q1", "contribution"): CONTRIBUTION - 10000, ("2024Q1", "management_fee"): FEE - 305}
    receive_payment(db, "coda/b/1/1", dt.date(2026, 6, 2), 79525, ned)
    assert items(db, ned) == {}
    return_payment(db, "coda/b/1/1", "coda/b/2/1", dt.date(2026, 6, 10), "R-transaction MD07")
    assert amount_due(db, ned) == 79525
    assert credit_available(db, ned) == 0
    report = healthy(db)
    assert report.warnings == []
    assert report.totals.payments == 0


def test_write_off_and_benefit(db):
    ola = new_party(db)
    call_quarter(db, ola, "2025Q1", CONTRIBUTION, FEE)
    write_off(db, f"write-off/{ola}/2025Q1", ola, "management_fee", "2025Q1", FEE, dt.date(2025, 12, 1),
              rule="RD 19-12-1967 art. 50bis §1", reason="no longer subject, under 500 EUR")
    assert items(db, ola) == {("2025Q1", "contribution"): CONTRIBUTION}
    grant_benefit(db, f"bridging/{ola}/2025-06", ola, "2025Q2", 180000, dt.date(2025, 6, 1),
                  rule="Law 22-12-2016 art. 6", parameter="bridging_monthly@2025-03-01")
    assert statement(db, ola).benefits_pending == 180000
    payout(db, f"pain001/bridging/{ola}/2025-06", f"bridging/{ola}/2025-06", dt.date(2025, 6, 5))
    assert statement(db, ola).benefits_pending == 0
    healthy(db)


def test_the_statement_tells_the_file(db):
    pia = new_party(db)
    call_quarter(db, pia, "2025Q1", CONTRIBUTION, FEE)
    call_quarter(db, pia, "2025Q2", CONTRIBUTION, FEE)
    receive_payment(db, "coda/s/1/1", dt.date(2025, 3, 28), 100000, pia)
    st = statement(db, pia)
    q1, q2 = st.periods
    assert (q1.called, q1.paid, q1.balance) == (89830, 89830, 0)
    assert (q2.called, q2.paid, q2.balance) == (89830, 10170, 79660)
    text = st.render_text()
    assert "2025Q2" in text and "796.60" in text and "20.50 % of the reference income" in text
    assert "RD38 art.12 §1 (first_threshold@2025-01-01)" in text


def test_idempotency_same_key_same_content_posts_nothing_different_content_conflicts(db):
    ria = new_party(db)
    first = call_quarter(db, ria, "2025Q1", CONTRIBUTION, FEE)
    again = call_quarter(db, ria, "2025Q1", CONTRIBUTION, FEE)
    assert first.created and not again.created and first.transaction_id == again.transaction_id
    with pytest.raises(Conflict):
        call_quarter(db, ria, "2025Q1", CONTRIBUTION + 1, FEE)
    receive_payment(db, "coda/i/1/1", dt.date(2025, 3, 1), 1000, ria)
    repeat = receive_payment(db, "coda/i/1/1", dt.date(2025, 3, 1), 1000, ria)
    assert not repeat.receipt.created and repeat.imputation is None
    assert db.scalar(select(func.count()).select_from(LedgerTransaction)) == 3


def test_invalid_postings_are_refused(db):
    sam = new_party(db)
    day = dt.date(2025, 1, 1)
    with pytest.raises(InvalidInput, match="unbalanced"):
        post(db, Posting("x/1", "charge", day, (Entry("contribution", 100, sam, "2025Q1"), Entry("income", -99))))
    with pytest.raises(InvalidInput, match="integer cents"):
        post(db, Posting("x/2", "charge", day, (Entry("contribution", 1.5, sam, "2025Q1"), Entry("income", -1.5))))
    with pytest.raises(InvalidInput, match="debtor and a period"):
        post(db, Posting("x/3", "charge", day, (Entry("contribution", 100, sam), Entry("income", -100))))
    with pytest.raises(InvalidInput, match="period"):
        post(db, Posting("x/4", "charge", day, (Entry("contribution", 100, sam, "2025-1"), Entry("income", -100))))
    assert db.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_a_payment_taken_back_after_its_overpayment_was_refunded_leaves_a_visible_debt(db):
    jan = new_party(db)
    call_quarter(db, jan, "2025Q1", CONTRIBUTION, FEE)
    receive_payment(db, "coda/x/9/1", dt.date(2025, 3, 1), 100000, jan)
    refund(db, "refund/jan/9", jan, 10170, dt.date(2025, 3, 2), iban="BE68539007547034")
    assert credit_available(db, jan) == 0
    return_payment(db, "coda/x/9/1", "coda/x/9/1/return", dt.date(2025, 3, 10), "AM04 insufficient funds")
    # the quarter is open again (898.30), and the 101.70 already refunded is owed too — never a hidden negative
    assert credit_available(db, jan) == 0
    assert items(db, jan) == {("2025Q1", "contribution"): CONTRIBUTION, ("2025Q1", "management_fee"): FEE,
                              ("2025Q1", "costs"): 10170}
    assert amount_due(db, jan) == 100000
    healthy(db)


def test_the_statement_words_each_line_once_for_every_language_and_keeps_what_it_cannot_word(db):
    """A line's words come from its kind, account and period (translated on the pages); the stored English stays
    for a kind not worded, and for staff the rule, its parameter and the stored calculation follow."""
    from caisse.ledger import receive_via_partner
    from caisse.web.i18n import current, say

    pia = new_party(db)
    call_quarter(db, pia, "2025Q1", CONTRIBUTION, FEE)
    receive_via_partner(db, "partner/s/1", dt.date(2025, 3, 28), 1000, pia, "BAILIFF-1")
    st = statement(db, pia)
    fee = next(line for line in st.periods[0].lines if line.account == "management_fee")
    collected = next(line for line in st.money_lines if line.kind == "payment")
    token = current.set("nl")
    try:
        assert say(fee.explanation) == "Beheerskosten van het fonds voor 2025Q1"
        assert say(collected.explanation) == "Collected by partner BAILIFF-1 for the fund"  # not worded: as stored
    finally:
        current.reset(token)
    assert str(fee.explanation) == "Management fee of the fund for 2025Q1"
    assert fee.source and f"Management fee of the fund for 2025Q1 {fee.source}" in st.render_text()
