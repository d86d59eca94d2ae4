"""Staff reconcile what the import parked: assign, refund, acknowledge, tie a return — and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from money_helpers import OTHER_IBAN, call_quarter, coda, new_debtor, pay
from sqlalchemy import select

from caisse.collection.coda_import import import_coda
from caisse.collection.models import ReconciliationItem
from caisse.collection.reconciliation import (
    acknowledge_item,
    add_fund_account,
    assign_item,
    list_items,
    match_return,
    refund_item,
    show_item,
)
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.exchange.coda import direct_debit_return_movement
from caisse.exchange.sepa import belgian_creditor_id
from caisse.ledger import load, open_items, unassigned

PAID_ON = dt.date(2026, 3, 28)  # before the end of the quarter: on time


def parked(db, db_url, *movements) -> list[ReconciliationItem]:
    import_coda(db_url, coda(*movements))
    db.expire_all()
    return list(db.scalars(select(ReconciliationItem).order_by(ReconciliationItem.id)))


def test_a_parked_payment_assigned_weeks_later_counts_on_the_banks_value_date(db, db_url):
    jean = new_debtor(db, iban=OTHER_IBAN)
    call_quarter(db, jean, "2026Q1")
    call_quarter(db, jean, "2026Q2")
    db.commit()
    [item] = parked(db, db_url, pay(83_240, PAID_ON, text="cotisation", iban=OTHER_IBAN))
    result = assign_item(db, item.id, jean, "staff", designation="2026Q2")
    db.commit()
    assert load(db, result.receipt.key).booked_on == PAID_ON  # not the day staff did it: no surcharge
    assert {i.period for i in open_items(db, jean)} == {"2026Q1"}  # the designated quarter is paid
    assert item.status == "resolved" and item.resolution == "assigned"
    assert unassigned(db, item.payment_key) == 0
    again = assign_item(db, item.id, jean, "staff", designation="2026Q2")  # a retry: nothing new
    assert not again.receipt.created
    assert list_items(db) == [] and len(list_items(db, status=None)) == 1


def test_a_payment_can_be_split_between_two_debtors(db, db_url):
    jean, marie = new_debtor(db), new_debtor(db, "Marie", "Peeters")
    call_quarter(db, jean, "2026Q1")
    call_quarter(db, marie, "2026Q1")
    db.commit()
    [item] = parked(db, db_url, pay(166_480, PAID_ON, text="jean et marie"))
    assign_item(db, item.id, jean, "staff", amount_cents=83_240, request_id="r1")
    assert item.status == "open" and unassigned(db, item.payment_key) == 83_240
    assign_item(db, item.id, marie, "staff", request_id="r2")
    assert item.status == "resolved" and open_items(db, jean) == open_items(db, marie) == []
    with pytest.raises(Conflict):
        assign_item(db, item.id, marie, "staff", request_id="r3")


def test_bad_staff_input_is_refused_and_changes_nothing(db, db_url):
    jean = new_debtor(db)
    db.commit()
    credit, debit = parked(db, db_url, pay(5_000, PAID_ON, text="?"), pay(-300, PAID_ON, text="frais"))
    with pytest.raises(NotFound):
        assign_item(db, 9_999, jean, "staff")
    with pytest.raises(InvalidInput):
        assign_item(db, 0, jean, "staff")
    with pytest.raises(NotFound):
        assign_item(db, credit.id, 424_242, "staff")
    with pytest.raises(InvalidInput) as err:
        assign_item(db, credit.id, jean, "staff", designation="Q1-2026")
    assert err.value.field == "period"
    with pytest.raises(Conflict):
        assign_item(db, credit.id, jean, "staff", amount_cents=6_000, request_id="too-much")
    with pytest.raises(Conflict):
        assign_item(db, debit.id, jean, "staff")  # a debit holds no money to assign
    with pytest.raises(Conflict):
        acknowledge_item(db, credit.id, "staff", note="whatever")  # parked money is never waved away
    with pytest.raises(InvalidInput):
        acknowledge_item(db, debit.id, "staff", note="  ")
    with pytest.raises(InvalidInput) as err:
        refund_item(db, credit.id, "staff", reason="wrong fund")  # the bank gave no IBAN
    assert err.value.field == "iban"
    with pytest.raises(InvalidInput):
        refund_item(db, credit.id, "staff", reason="wrong fund", iban="BE00")
    with pytest.raises(InvalidInput):
        refund_item(db, credit.id, "staff", reason="", iban=OTHER_IBAN)
    with pytest.raises(InvalidInput):
        add_fund_account(db, "not an iban", "staff")
    assert unassigned(db, credit.payment_key) == 5_000 and credit.status == "open"
    acknowledge_item(db, debit.id, "staff", note="bank costs March")
    with pytest.raises(Conflict):
        acknowledge_item(db, debit.id, "staff", note="again")
    # the bank gave no account: nobody can tell the payer's, so the refund waits for a manager's second pair of eyes
    order = refund_item(db, credit.id, "staff", reason="wrong fund", iban=OTHER_IBAN)
    assert order.awaiting_approval and order.key is None and credit.status == "open"
    assert unassigned(db, credit.payment_key) == 5_000
    assert show_item(db, credit.id)["awaiting_approval"] == order.approval.id
    with pytest.raises(Conflict):
        assign_item(db, credit.id, jean, "staff")  # the money is spoken for while the refund waits
    from caisse.security.authz import Principal
    from caisse.services.accounts import create_account
    from caisse.services.approvals import decide

    boss, _ = create_account(db, Principal.system("setup"), "boss", "Correct horse battery staple 42", "manager")
    decide(db, Principal(login="boss", role="manager", account_id=boss.id), order.approval.id, True, "ok",
           PAID_ON)
    assert unassigned(db, credit.payment_key) == 0 and credit.resolution == "refunded"
    with pytest.raises(Conflict):
        assign_item(db, credit.id, jean, "staff")
    assert show_item(db, credit.id)["left_in_suspense_cents"] == 0


def test_a_return_nobody_recognised_is_tied_to_its_payment_by_staff(db, db_url):
    jean = new_debtor(db)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    from money_helpers import ogm

    summary = import_coda(db_url, coda(pay(83_240, PAID_ON, ogm=ogm(jean, "2026Q1"))))
    back = direct_debit_return_movement(0, 83_240, dt.date(2026, 4, 2), mandate_reference="OLD-SYSTEM-1",
                                        creditor_id=belgian_creditor_id("0403170701"), end_to_end_id="X1",
                                        reason="MD06")
    [item] = parked(db, db_url, back)
    assert item.reason == "unmatched_return"
    payment_key = f"coda/{summary.sha256}/1/1"
    with pytest.raises(NotFound):
        match_return(db, item.id, "coda/nope", "staff")
    match_return(db, item.id, payment_key, "staff")
    assert sum(i.balance_cents for i in open_items(db, jean)) == 83_240
    assert item.resolution == "returned"
