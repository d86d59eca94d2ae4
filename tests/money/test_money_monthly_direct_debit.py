"""Monthly direct debit: a mandate collected each month for a share of the current quarter's call, so that the
quarter is paid by its due date in three smaller debits instead of one — a third, half the rest, the rest."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from money_helpers import OTHER_IBAN, call_quarter, coda, new_debtor, ogm, pay
from sqlalchemy import select

from caisse.collection.coda_import import import_coda
from caisse.collection.direct_debit import (
    add_mandate,
    export_direct_debits,
    monthly_instalment,
    revoke_mandate,
    set_rhythm,
)
from caisse.collection.models import DirectDebitCollection, SepaMandate
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.exchange.coda import direct_debit_return_movement
from caisse.exchange.sepa import belgian_creditor_id, validate
from caisse.ledger import open_items
from caisse.references import for_statement
from caisse.store.models import AuditLog

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
JAN, FEB, MAR = dt.date(2026, 1, 5), dt.date(2026, 2, 5), dt.date(2026, 3, 5)  # TARGET2 business days
QUARTER = 84_000 + 3_401  # 2026Q1 called: 874.01 EUR, due 31 March 2026


def export(db_url, day: dt.date, **kw):
    """A collection run made a week before the collection date (29 Dec for 5 Jan: D-1 is kept)."""
    return export_direct_debits(db_url, day, now=dt.datetime.combine(day - dt.timedelta(days=7), dt.time(9)), **kw)


def debits(xml: bytes) -> list[tuple[str, str, str, str]]:
    """(end-to-end id, amount, sequence type, structured communication) of each debit of a valid file."""
    validate(xml)
    root = etree.fromstring(xml)
    return [(tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS), tx.findtext("p:InstdAmt", namespaces=NS),
             tx.getparent().findtext("p:PmtTpInf/p:SeqTp", namespaces=NS),
             tx.findtext("p:RmtInf/p:Strd/p:CdtrRefInf/p:Ref", namespaces=NS))
            for tx in root.iterfind(".//p:DrctDbtTxInf", NS)]


def collections(db) -> list[DirectDebitCollection]:
    db.expire_all()
    return list(db.scalars(select(DirectDebitCollection).order_by(DirectDebitCollection.id)))


def credited(db_url, collection: DirectDebitCollection, day: dt.date) -> None:
    """The bank credits the collection on its date (CODA, matched by end-to-end id)."""
    summary = import_coda(db_url, coda(pay(collection.amount_cents, day, iban=OTHER_IBAN, name="DUPONT JEAN",
                                           e2e=collection.end_to_end_id), day=day))
    assert summary.counts == {"booked": 1}


def rejected(db_url, collection: DirectDebitCollection, day: dt.date) -> None:
    """The debtor's bank rejects the collection before settlement (insufficient funds): an R-transaction."""
    back = direct_debit_return_movement(0, collection.amount_cents, day, mandate_reference="",
                                        creditor_id=belgian_creditor_id("0403170701"),
                                        end_to_end_id=collection.end_to_end_id, reason="AM04", kind="reject")
    import_coda(db_url, coda(back, pay(collection.amount_cents, day, text="compensation"), day=day))


def open_on(db, party: int) -> dict[str, int]:
    db.expire_all()
    out: dict[str, int] = {}
    for item in open_items(db, party):
        out[item.period] = out.get(item.period, 0) + item.balance_cents
    return out


def digits(communication: str) -> str:
    return "".join(ch for ch in communication if ch.isdigit())


@pytest.fixture
def jean(db):
    pid = new_debtor(db)
    add_mandate(db, pid, OTHER_IBAN, dt.date(2025, 12, 1), "test", today=dt.date(2025, 12, 1), rhythm="monthly")
    call_quarter(db, pid, "2026Q1", 84_000, 3_401)
    db.commit()
    return pid


# ------------------------------------------------------------------ the rule


def test_the_rest_is_split_over_the_months_left_half_up_to_the_cent():
    assert [monthly_instalment(87_401, 1), monthly_instalment(87_401 - 29_134, 2),
            monthly_instalment(87_401 - 2 * 29_134, 3)] == [29_134, 29_134, 29_133]  # 291.34 + 291.34 + 291.33
    assert monthly_instalment(87_171, 1) == 29_057  # 871.71: three times 290.57
    assert monthly_instalment(1, 1) == 0 and monthly_instalment(1, 2) == 1 and monthly_instalment(1, 3) == 1
    assert monthly_instalment(0, 2) == monthly_instalment(-500, 3) == 0  # nothing open (or a credit): nothing
    with pytest.raises(ValueError):
        monthly_instalment(100, 4)


@given(st.integers(min_value=0, max_value=10**11))
def test_three_instalments_add_up_to_the_quarter_to_the_cent(open_cents):
    left, paid = open_cents, []
    for month in (1, 2, 3):
        paid.append(monthly_instalment(left, month))
        assert 0 <= paid[-1] <= left
        left -= paid[-1]
    assert sum(paid) == open_cents and left == 0
    assert max(paid) - min(paid) <= 1  # even shares: the rounding rest is one cent at most


# ------------------------------------------------------------------ a quarter collected monthly


def test_three_monthly_runs_collect_a_third_half_the_rest_and_the_rest(db, db_url, jean):
    quarter_ogm = ogm(jean, "2026Q1")
    run = export(db_url, JAN)
    assert run.created and run.instalments == 1 and "(1 with a monthly instalment)" in run.line()
    [(e2e, amount, seq, communication)] = debits(run.content)
    assert (amount, seq, digits(communication)) == ("291.34", "FRST", digits(quarter_ogm))  # designates 2026Q1
    [c] = collections(db)
    assert (c.end_to_end_id, c.amount_cents, c.instalment_cents, c.ogm) == (e2e, 29_134, 29_134, digits(quarter_ogm))
    assert open_on(db, jean) == {"2026Q1": QUARTER}  # nothing is booked before the bank credits it
    credited(db_url, c, JAN)
    assert open_on(db, jean) == {"2026Q1": QUARTER - 29_134}  # the quarter, before its due date

    [(_, amount, seq, communication)] = debits(export(db_url, FEB).content)
    assert (amount, seq, digits(communication)) == ("291.34", "RCUR", digits(quarter_ogm))  # 582.67 / 2, half-up
    credited(db_url, collections(db)[-1], FEB)
    [(_, amount, seq, _)] = debits(export(db_url, MAR).content)
    assert (amount, seq) == ("291.33", "RCUR")  # the rest: the last month takes the rounding
    credited(db_url, collections(db)[-1], MAR)
    assert open_on(db, jean) == {}  # paid by 5 March, the due date is 31 March
    assert [c.instalment_cents for c in collections(db)] == [29_134, 29_134, 29_133]
    assert sum(c.amount_cents for c in collections(db)) == QUARTER
    assert export(db_url, dt.date(2026, 4, 7)).content is None  # nothing left, nothing called yet for 2026Q2


def test_the_next_instalment_counts_a_debit_still_in_flight(db, db_url, jean):
    """January's debit not credited yet on 5 February: February takes half of what it leaves open, not more."""
    export(db_url, JAN)
    [(_, amount, _, _)] = debits(export(db_url, FEB).content)
    assert amount == "291.34"
    [(_, amount, _, _)] = debits(export(db_url, MAR).content)
    assert amount == "291.33"
    assert sum(c.amount_cents for c in collections(db)) == QUARTER


def test_a_transfer_in_between_lowers_the_next_instalments(db, db_url, jean):
    export(db_url, JAN)
    credited(db_url, collections(db)[0], JAN)
    import_coda(db_url, coda(pay(10_000, dt.date(2026, 1, 20), ogm=ogm(jean, "2026Q1"), iban=OTHER_IBAN),
                             day=dt.date(2026, 1, 20)))
    assert open_on(db, jean) == {"2026Q1": QUARTER - 29_134 - 10_000}
    [(_, amount, _, _)] = debits(export(db_url, FEB).content)
    assert amount == "241.34"  # (874.01 - 291.34 - 100.00) / 2 = 241.335, half-up
    [(_, amount, _, _)] = debits(export(db_url, MAR).content)
    assert amount == "241.33"
    assert sum(c.amount_cents for c in collections(db)) + 10_000 == QUARTER


def test_arrears_due_are_collected_in_full_with_the_instalment_oldest_first(db, db_url, jean):
    """2025Q4 (832.40, due 31 December) is unpaid: January collects it with the instalment, under the account
    statement's communication (several periods: no designation), and the imputation in legal order settles the
    due quarter first, then the quarter not yet due."""
    call_quarter(db, jean, "2025Q4")
    db.commit()
    [(_, amount, _, communication)] = debits(export(db_url, JAN).content)
    assert amount == "1123.74"  # 832.40 + 291.34
    assert digits(communication) == digits(for_statement(jean, 2026).ogm)
    [c] = collections(db)
    assert (c.amount_cents, c.instalment_cents) == (112_374, 29_134)
    credited(db_url, c, JAN)
    assert open_on(db, jean) == {"2026Q1": QUARTER - 29_134}


def test_a_regularisation_falling_due_is_collected_with_the_next_monthly_debit(db, db_url, jean):
    """Any other amount that falls due between two runs (here a supplement due on 31 January) comes in full with the
    next monthly debit; the instalment itself stays a share of the quarter."""
    from caisse.ledger import DebtLine, charge

    export(db_url, JAN)
    credited(db_url, collections(db)[0], JAN)
    charge(db, f"regularisation/2024Q1/{jean}", jean, "2024Q1", dt.date(2026, 1, 31), dt.date(2026, 1, 10),
           [DebtLine("contribution", 12_345, "RD38 art.12 §1", "first_threshold@2024-01-01")])
    db.commit()
    [(_, amount, _, _)] = debits(export(db_url, FEB).content)
    assert amount == "414.79"  # 123.45 due + 291.34
    credited(db_url, collections(db)[-1], FEB)
    assert open_on(db, jean) == {"2026Q1": QUARTER - 2 * 29_134}


def test_a_rerun_of_the_date_or_of_the_month_collects_nothing_twice(db, db_url, jean):
    first = export(db_url, JAN)
    again = export(db_url, JAN)
    assert not again.created and again.content == first.content and len(collections(db)) == 1
    assert export(db_url, dt.date(2026, 1, 20)).content is None  # January's instalment is taken: nothing due
    credited(db_url, collections(db)[0], JAN)
    after = export(db_url, JAN)  # credited meanwhile: still nothing new
    assert not after.created and after.content == first.content and len(collections(db)) == 1
    assert export(db_url, dt.date(2026, 1, 20)).content is None


def test_a_rejected_collection_is_collected_again_the_next_month(db, db_url, jean):
    export(db_url, JAN)
    rejected(db_url, collections(db)[0], dt.date(2026, 1, 6))
    assert collections(db)[0].status == "rejected"
    [(_, amount, seq, _)] = debits(export(db_url, FEB).content)
    assert (amount, seq) == ("437.01", "FRST")  # half of the whole quarter (874.01 / 2, half-up); first again
    credited(db_url, collections(db)[-1], FEB)
    [(_, amount, _, _)] = debits(export(db_url, MAR).content)
    assert amount == "437.00"
    credited(db_url, collections(db)[-1], MAR)
    assert open_on(db, jean) == {}


def test_a_rejected_collection_in_march_leaves_the_quarter_due_and_april_collects_it(db, db_url, jean):
    for day in (JAN, FEB):
        export(db_url, day)
        credited(db_url, collections(db)[-1], day)
    export(db_url, MAR)
    rejected(db_url, collections(db)[-1], dt.date(2026, 3, 6))
    call_quarter(db, jean, "2026Q2")
    db.commit()
    [(_, amount, _, _)] = debits(export(db_url, dt.date(2026, 4, 7)).content)
    assert amount == "568.80"  # 2026Q1's rest, due since 31 March (291.33) + a third of 2026Q2 (832.40 / 3)
    assert collections(db)[-1].instalment_cents == 27_747


def test_a_quarterly_mandate_next_to_a_monthly_one_is_collected_as_before(db, db_url, jean):
    marie = new_debtor(db, "Marie", "Peeters")
    add_mandate(db, marie, OTHER_IBAN, dt.date(2025, 12, 1), "test", today=dt.date(2025, 12, 1))
    call_quarter(db, marie, "2026Q1")
    db.commit()
    for day in (JAN, FEB, MAR):
        export(db_url, day)
    assert {c.party_id for c in collections(db)} == {jean}  # 2026Q1 is not due yet: nothing from Marie
    run = export(db_url, dt.date(2026, 3, 20), due_by=dt.date(2026, 3, 31))
    assert [d[1] for d in debits(run.content)] == ["832.40"] and run.instalments == 0
    [c] = [c for c in collections(db) if c.party_id == marie]
    assert c.instalment_cents is None


def test_switching_back_to_quarterly_stops_the_instalments(db, db_url, jean):
    reference = db.scalar(select(SepaMandate.reference))
    export(db_url, JAN)
    credited(db_url, collections(db)[0], JAN)
    mandate, changed = set_rhythm(db, reference, " Quarterly ", "test")
    assert changed and mandate.rhythm == "quarterly"
    assert set_rhythm(db, reference, "quarterly", "test")[1] is False  # the same choice again: nothing changes
    db.commit()
    assert export(db_url, FEB).content is None
    run = export(db_url, dt.date(2026, 3, 20), due_by=dt.date(2026, 3, 31))
    assert [d[1] for d in debits(run.content)] == ["582.67"]  # the rest of the quarter, in one debit
    details = list(db.scalars(select(AuditLog.detail).where(AuditLog.entity == "sepa_mandate",
                                                            AuditLog.action == "update")))
    assert details == [{"reference": reference, "rhythm": "quarterly", "from": "monthly"}]


def test_a_bad_rhythm_or_mandate_is_refused_naming_it(db, jean):
    reference = db.scalar(select(SepaMandate.reference))
    for bad in ("weekly", "", None, 3):
        with pytest.raises(InvalidInput) as err:
            set_rhythm(db, reference, bad, "test")
        assert err.value.field == "rhythm"
    other = new_debtor(db)
    with pytest.raises(InvalidInput) as err:
        add_mandate(db, other, OTHER_IBAN, dt.date(2025, 12, 1), "t", rhythm="yearly")
    assert err.value.field == "rhythm"
    with pytest.raises(NotFound):
        set_rhythm(db, "NOPE", "monthly", "test")
    revoke_mandate(db, reference, dt.date(2026, 1, 2), "test")
    with pytest.raises(Conflict):
        set_rhythm(db, reference, "quarterly", "test")
    assert db.scalar(select(SepaMandate.rhythm)) == "monthly"


def test_a_starters_first_quarter_due_a_quarter_later_is_not_spread(db, db_url):
    """A starter's first quarters fall due a quarter later (the extra quarter, legislation.md §4.1 [S21]): monthly
    debits take no instalment of them; they are collected when they fall due, as for a quarterly mandate."""
    from caisse.ledger import DebtLine, charge

    ana = new_debtor(db, "Ana", "Starter")
    add_mandate(db, ana, OTHER_IBAN, dt.date(2025, 12, 1), "test", today=dt.date(2025, 12, 1), rhythm="monthly")
    charge(db, f"quarterly-call/2026Q1/{ana}", ana, "2026Q1", dt.date(2026, 6, 30), dt.date(2026, 1, 5),
           [DebtLine("contribution", 60_000, "RD38 art.12 §1", "first_threshold@2026-01-01")])
    db.commit()
    assert export(db_url, JAN).content is None
    run = export(db_url, dt.date(2026, 6, 19), due_by=dt.date(2026, 6, 30))
    assert [d[1] for d in debits(run.content)] == ["600.00"] and run.instalments == 0
