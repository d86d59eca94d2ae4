"""Refunds and benefits paid by credit transfer, once."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree
from money_helpers import OTHER_IBAN, call_quarter, coda, new_debtor, ogm, pay
from sqlalchemy import select

from caisse.collection.coda_import import import_coda
from caisse.collection.credit_transfers import export_credit_transfers, unpaid_orders
from caisse.collection.models import CreditTransfer, CreditTransferRun, ReconciliationItem
from caisse.collection.reconciliation import refund_item
from caisse.errors import InvalidInput
from caisse.exchange.sepa import validate
from caisse.ledger import credit_available, grant_benefit, refund
from caisse.ledger.models import LedgerTransaction

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
DAY = dt.date(2026, 3, 25)
MADE = dt.datetime(2026, 3, 24, 9, 0)  # the day before the execution date


def transfers(xml: bytes) -> list[dict]:
    root = etree.fromstring(xml)
    return [{"e2e": tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
             "amount": tx.findtext("p:Amt/p:InstdAmt", namespaces=NS),
             "name": tx.findtext("p:Cdtr/p:Nm", namespaces=NS),
             "iban": tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
             "purpose": tx.findtext("p:Purp/p:Cd", namespaces=NS),
             "text": tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS)} for tx in root.iterfind(".//p:CdtTrfTxInf", NS)]


def payouts(db) -> int:
    return len(list(db.scalars(select(LedgerTransaction.key).where(LedgerTransaction.kind == "payout"))))


def test_a_refund_is_paid_by_credit_transfer_once(db, db_url):
    jean = new_debtor(db, iban=OTHER_IBAN)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    import_coda(db_url, coda(pay(100_000, dt.date(2026, 3, 20), ogm=ogm(jean, "2026Q1"))))
    refund(db, "refund/req-1", jean, 16_760, DAY)
    db.commit()
    run = export_credit_transfers(db_url, DAY, now=MADE)
    validate(run.content)
    [t] = transfers(run.content)
    assert (t["amount"], t["name"], t["iban"], t["purpose"]) == ("167.60", "Jean Dupont", OTHER_IBAN, None)
    assert payouts(db) == 1 and credit_available(db, jean) == 0
    assert unpaid_orders(db) == []
    again = export_credit_transfers(db_url, DAY, now=MADE)
    assert not again.created and again.content == run.content and payouts(db) == 1
    # the bank's statement confirms it by its end-to-end id
    summary = import_coda(db_url, coda(pay(-16_760, DAY, e2e=t["e2e"], iban=OTHER_IBAN)))
    assert summary.counts == {"confirmed": 1}
    db.expire_all()
    assert db.scalar(select(CreditTransfer.status)) == "confirmed"


def test_a_benefit_is_paid_with_the_social_security_purpose(db, db_url):
    marie = new_debtor(db, "Marie", "Peeters", iban=OTHER_IBAN, language="nl")
    grant_benefit(db, "benefit/bridging/1", marie, "2026Q1", 184_000, DAY, rule="L 22-12-2016 art.7")
    db.commit()
    [t] = transfers(export_credit_transfers(db_url, DAY, now=MADE).content)
    assert (t["amount"], t["purpose"], t["text"]) == ("1840.00", "SSBE", "Uitkering 2026Q1")


def test_a_wrong_fund_payment_is_refunded_to_its_payer(db, db_url):
    import_coda(db_url, coda(pay(42_000, dt.date(2026, 3, 20), text="cotisation autre caisse", iban=OTHER_IBAN,
                                 name="LEFEVRE HELENE")))
    item = db.scalar(select(ReconciliationItem))
    refund_item(db, item.id, "staff", reason="wrong fund")
    refund_item(db, item.id, "staff", reason="wrong fund")  # twice: one order
    db.commit()
    [t] = transfers(export_credit_transfers(db_url, DAY, now=MADE).content)
    assert (t["amount"], t["name"], t["iban"]) == ("420.00", "LEFEVRE HELENE", OTHER_IBAN)


def test_an_order_without_an_account_is_skipped_and_reported(db, db_url):
    jean = new_debtor(db)  # no bank account on file
    call_quarter(db, jean, "2026Q1")
    db.commit()
    import_coda(db_url, coda(pay(90_000, dt.date(2026, 3, 20), ogm=ogm(jean, "2026Q1"))))
    refund(db, "refund/req-2", jean, 6_760, DAY)
    db.commit()
    result = export_credit_transfers(db_url, DAY, now=MADE)
    assert result.content is None and result.skipped == ["refund/req-2: no IBAN for the beneficiary"]
    assert payouts(db) == 0


@pytest.mark.parametrize(("day", "reason"), [
    (dt.date(2026, 3, 28), "2026-03-28 is not a TARGET2 business day (Saturday); the next one is 2026-03-30"),
    (dt.date(2026, 4, 3), "2026-04-03 is not a TARGET2 business day (Good Friday); the next one is 2026-04-07"),
    (dt.date(2026, 3, 23), "2026-03-23 is in the past for a file made on 2026-03-24; the first possible date is "
                           "2026-03-24"),
])
def test_a_closed_or_past_execution_date_is_refused_and_nothing_is_paid(db, db_url, day, reason):
    jean = new_debtor(db, iban=OTHER_IBAN)
    grant_benefit(db, "benefit/bridging/2", jean, "2026Q1", 184_000, DAY, rule="L 22-12-2016 art.7")
    db.commit()
    with pytest.raises(InvalidInput) as info:
        export_credit_transfers(db_url, day, now=MADE)
    assert info.value.field == "execution_date" and info.value.message == reason
    db.expire_all()
    assert payouts(db) == 0 and db.scalar(select(CreditTransferRun.id)) is None
    assert [o.key for o in unpaid_orders(db)] == ["benefit/bridging/2"]
    run = export_credit_transfers(db_url, dt.date(2026, 3, 30), now=MADE)  # a business day: paid
    assert run.created and run.count == 1 and payouts(db) == 1
