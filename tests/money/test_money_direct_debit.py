"""SEPA direct debit: mandates, collection runs, the bank's credit, and returns."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree
from money_helpers import FUND_IBAN, OTHER_IBAN, call_quarter, coda, new_debtor, pay
from sqlalchemy import select

from caisse.collection.coda_import import import_coda
from caisse.collection.direct_debit import add_mandate, export_direct_debits, revoke_mandate
from caisse.collection.models import DirectDebitCollection, ReconciliationItem, SepaMandate
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.exchange.coda import direct_debit_return_movement, make_statement, write_coda
from caisse.exchange.sepa import belgian_creditor_id, validate
from caisse.ledger import open_items

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
COLLECT = dt.date(2026, 4, 20)
SIGNED = dt.date(2026, 1, 10)


def export(db_url, day: dt.date, **kw):
    """A collection run made a week before the collection date (the bank needs the file by D-1)."""
    return export_direct_debits(db_url, day, now=dt.datetime.combine(day - dt.timedelta(days=7), dt.time(9)), **kw)


def debits(xml: bytes) -> list[tuple[str, str, str]]:
    root = etree.fromstring(xml)
    return [(tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS), tx.findtext("p:InstdAmt", namespaces=NS),
             tx.getparent().findtext("p:PmtTpInf/p:SeqTp", namespaces=NS))
            for tx in root.iterfind(".//p:DrctDbtTxInf", NS)]


def collections(db) -> list[DirectDebitCollection]:
    db.expire_all()
    return list(db.scalars(select(DirectDebitCollection).order_by(DirectDebitCollection.id)))


@pytest.fixture
def jean(db):
    pid = new_debtor(db)
    add_mandate(db, pid, OTHER_IBAN, SIGNED, "test", today=dt.date(2026, 1, 10))
    call_quarter(db, pid, "2026Q1")
    db.commit()
    return pid


def credit_of(collection: DirectDebitCollection, day=dt.date(2026, 4, 22)):
    return pay(collection.amount_cents, day, iban=OTHER_IBAN, name="DUPONT JEAN", e2e=collection.end_to_end_id)


def test_a_collection_run_collects_what_is_due_once(db, db_url, jean):
    run = export(db_url, COLLECT)
    validate(run.content)
    [(e2e, amount, seq)] = debits(run.content)
    assert (amount, seq) == ("832.40", "FRST")
    assert belgian_creditor_id("0403170701").encode() in run.content
    [c] = collections(db)
    assert (c.end_to_end_id, c.status, c.party_id, c.amount_cents) == (e2e, "sent", jean, 83_240)
    # the same date again: nothing is collected twice, the same file is handed back
    again = export(db_url, COLLECT)
    assert not again.created and again.content == run.content and len(collections(db)) == 1
    # nothing is booked until the bank credits it
    assert sum(i.balance_cents for i in open_items(db, jean)) == 83_240


def test_the_banks_credit_settles_the_quarter_and_the_next_collection_is_recurrent(db, db_url, jean):
    export(db_url, COLLECT)
    [c] = collections(db)
    summary = import_coda(db_url, coda(credit_of(c)))
    assert summary.counts == {"booked": 1}
    assert open_items(db, jean) == []
    assert collections(db)[0].status == "paid"
    call_quarter(db, jean, "2026Q2")
    db.commit()
    run = export(db_url, dt.date(2026, 7, 20))
    assert [d[2] for d in debits(run.content)] == ["RCUR"]


def test_only_items_due_by_the_date_are_collected(db, db_url, jean):
    call_quarter(db, jean, "2026Q2")  # due 2026-06-30
    db.commit()
    assert debits(export(db_url, COLLECT).content)[0][1] == "832.40"
    more = export(db_url, COLLECT, due_by=dt.date(2026, 6, 30))
    assert more.created and debits(more.content)[0][1] == "832.40"  # only Q2: Q1 is in flight
    assert more.message_id == "DD-20260420-2"


def test_a_direct_debit_returned_for_insufficient_funds_reopens_the_quarter(db, db_url, jean):
    export(db_url, COLLECT)
    [c] = collections(db)
    import_coda(db_url, coda(credit_of(c)))
    assert open_items(db, jean) == []
    back = direct_debit_return_movement(0, c.amount_cents, dt.date(2026, 4, 25), mandate_reference="CAISSE-X",
                                        creditor_id=belgian_creditor_id("0403170701"), end_to_end_id=c.end_to_end_id,
                                        reason="AM04")
    summary = import_coda(db_url, coda(back))
    assert summary.counts == {"returned": 1} and summary.queued == 0
    assert sum(i.balance_cents for i in open_items(db, jean)) == 83_240  # the quarter is open again
    c = collections(db)[0]
    assert (c.status, c.r_reason) == ("returned", "AM04")
    assert db.scalar(select(SepaMandate.status)) == "active"  # insufficient funds: the mandate stays


def test_a_return_for_a_closed_account_suspends_the_mandate(db, db_url, jean):
    export(db_url, COLLECT)
    [c] = collections(db)
    mandate = db.scalar(select(SepaMandate))
    # credit and return in the same statement, found by mandate reference and amount
    back = direct_debit_return_movement(0, c.amount_cents, dt.date(2026, 4, 25), mandate_reference=mandate.reference,
                                        creditor_id=belgian_creditor_id("0403170701"), end_to_end_id="",
                                        reason="AC04")
    import_coda(db_url, coda(credit_of(c), back))
    db.expire_all()
    assert db.scalar(select(SepaMandate.status)) == "suspended"
    assert sum(i.balance_cents for i in open_items(db, jean)) == 83_240
    assert export(db_url, dt.date(2026, 5, 20)).content is None  # no mandate to collect on


def test_a_rejected_first_collection_is_first_again(db, db_url, jean):
    export(db_url, COLLECT)
    [c] = collections(db)
    back = direct_debit_return_movement(0, c.amount_cents, dt.date(2026, 4, 21), mandate_reference="",
                                        creditor_id=belgian_creditor_id("0403170701"), end_to_end_id=c.end_to_end_id,
                                        reason="AM04", kind="reject")
    import_coda(db_url, coda(back, pay(c.amount_cents, dt.date(2026, 4, 21), text="compensation")))
    assert collections(db)[0].status == "rejected"
    item = db.scalar(select(ReconciliationItem).where(ReconciliationItem.reason == "unmatched_return"))
    assert item.suggestions[0]["party_id"] == jean
    run = export(db_url, dt.date(2026, 5, 20))
    assert [d[2] for d in debits(run.content)] == ["FRST"]


def test_a_revoked_mandate_is_not_collected(db, db_url, jean):
    revoke_mandate(db, db.scalar(select(SepaMandate.reference)), dt.date(2026, 3, 1), "test", reason="by letter")
    db.commit()
    result = export(db_url, COLLECT)
    assert result.content is None and result.line() == "nothing to collect"


def test_bad_mandates_are_refused(db):
    pid = new_debtor(db)
    with pytest.raises(NotFound):
        add_mandate(db, 999_999, OTHER_IBAN, SIGNED, "t")
    with pytest.raises(InvalidInput) as err:
        add_mandate(db, pid, "BE00 0000 0000 0000", SIGNED, "t")
    assert err.value.field == "iban"
    with pytest.raises(InvalidInput) as err:
        add_mandate(db, pid, OTHER_IBAN, dt.date(2026, 1, 1), "t", today=dt.date(2025, 12, 31))
    assert err.value.field == "signed_on"
    with pytest.raises(InvalidInput) as err:
        add_mandate(db, pid, OTHER_IBAN, SIGNED, "t", reference="has space")
    assert err.value.field == "reference"
    m = add_mandate(db, pid, OTHER_IBAN, SIGNED, "t")
    assert m.reference == f"CAISSE-{pid:07d}-001" and m.debtor_name == "Jean Dupont"
    with pytest.raises(Conflict):
        add_mandate(db, pid, FUND_IBAN, SIGNED, "t")
    with pytest.raises(InvalidInput):
        revoke_mandate(db, m.reference, dt.date(2020, 1, 1), "t")
    revoke_mandate(db, m.reference, SIGNED, "t")
    with pytest.raises(Conflict):
        revoke_mandate(db, m.reference, SIGNED, "t")
    with pytest.raises(NotFound):
        revoke_mandate(db, "NOPE", SIGNED, "t")
    other = new_debtor(db)
    with pytest.raises(Conflict):
        add_mandate(db, other, OTHER_IBAN, SIGNED, "t", reference=m.reference)


def test_globalised_collection_credit_with_details_books_each_debtor(db, db_url, jean):
    marie = new_debtor(db, "Marie", "Peeters")
    add_mandate(db, marie, FUND_IBAN, SIGNED, "t", today=SIGNED)
    call_quarter(db, marie, "2026Q1", 50_000, 2_025)
    db.commit()
    export(db_url, COLLECT)
    c1, c2 = collections(db)
    from caisse.exchange.coda import Movement, TransactionCode

    day = dt.date(2026, 4, 22)
    total = Movement(1, 0, c1.amount_cents + c2.amount_cents, day, day, TransactionCode.parse("10501000"))
    details = [Movement(1, i, c.amount_cents, day, day, TransactionCode.parse("50501000"),
                        customer_reference=c.end_to_end_id) for i, c in enumerate((c1, c2), 1)]
    data = write_coda([make_statement(account_iban=FUND_IBAN, old_balance_cents=0, old_balance_date=day,
                                      new_balance_date=day, movements=[total, *details])])
    summary = import_coda(db_url, data)
    assert summary.counts == {"globalised": 1, "booked": 2}
    assert open_items(db, jean) == open_items(db, marie) == []
    assert [c.status for c in collections(db)] == ["paid", "paid"]


def test_a_mandate_unused_for_36_months_has_lapsed(db, db_url, jean):
    """SDD rulebook: no collection presented for 36 months (from the latest one, even returned or rejected; here
    from the signature, 2026-01-10) and the mandate may no longer be used. The run says so instead of collecting."""
    lapsed = export(db_url, dt.date(2029, 1, 10))
    assert lapsed.content is None and collections(db) == []
    [reason] = lapsed.skipped
    assert "lapsed on 2029-01-10" in reason and "signature on 2026-01-10" in reason
    run = export(db_url, dt.date(2029, 1, 9))  # the day before: still usable
    assert [d[2] for d in debits(run.content)] == ["FRST"] and not run.skipped
    # the collection presented on 2029-01-09 (whatever the bank does with it) restarts the 36 months
    call_quarter(db, jean, "2029Q1")
    db.commit()
    later = export(db_url, dt.date(2032, 1, 8))
    assert later.created and not later.skipped and [d[2] for d in debits(later.content)] == ["RCUR"]
