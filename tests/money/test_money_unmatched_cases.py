"""A bank line the import parks is a case in the work queue — exactly one per bank line, however often the
bank sends it — answered and closed when staff settle the line on the reconciliation desk."""

from __future__ import annotations

import datetime as dt

import pytest
from money_helpers import OTHER_IBAN, call_quarter, coda, new_debtor, pay
from sqlalchemy import func, select

from caisse.cases import service as cases
from caisse.cases.models import Case, CaseMessage
from caisse.collection.coda_import import import_coda
from caisse.collection.models import ReconciliationItem
from caisse.security.authz import Forbidden, NeedToKnow, Principal
from caisse.services import reconciliation_desk
from caisse.store.models import AuditLog, Party

PAID_ON = dt.date(2026, 3, 28)


def _cases(db) -> list[Case]:
    db.expire_all()
    return list(db.scalars(select(Case).where(Case.kind == "unmatched_payment").order_by(Case.id)))


def test_an_unidentified_payment_opens_one_case_even_when_the_bank_sends_it_again(db, db_url):
    jean = new_debtor(db, iban=OTHER_IBAN)
    call_quarter(db, jean, "2026Q1")
    db.commit()
    data = coda(pay(83_240, PAID_ON, text="cotisation jean", iban=OTHER_IBAN), pay(12_000, PAID_ON, text="?"))
    import_coda(db_url, data)
    opened = _cases(db)
    items = list(db.scalars(select(ReconciliationItem).order_by(ReconciliationItem.id)))
    assert len(opened) == len(items) == 2
    assert sorted(c.key for c in opened) == sorted(f"bank_line/{i.bank_line_id}" for i in items)
    assert opened[0].deadline == dt.date.today() + dt.timedelta(days=10) and opened[0].party_id is None
    import_coda(db_url, data)  # the same file again: not imported twice
    header = data.split(b"\r\n")[0]
    resent = data.replace(header, header[:5] + b"010426" + header[11:], 1)  # the statement re-sent in a new file
    assert any("already imported" in w for w in import_coda(db_url, resent).warnings)
    assert len(_cases(db)) == 2
    everyone = Principal(login="cw", role="caseworker", account_id=None, team="t9")
    queue = cases.work_queue(db, everyone, dt.date.today(), kind="unmatched_payment")
    assert len(queue) == 2  # a case of no file: in every team's queue


def test_settling_the_line_on_the_desk_answers_and_closes_its_case(db, db_url):
    jean = new_debtor(db, iban=OTHER_IBAN)
    db.get(Party, jean).team = "t1"
    call_quarter(db, jean, "2026Q1")
    db.commit()
    import_coda(db_url, coda(pay(83_240, PAID_ON, text="cotisation", iban=OTHER_IBAN)))
    [item] = db.scalars(select(ReconciliationItem)).all()
    cw = Principal(login="cw", role="caseworker", account_id=None, team="t1")
    rows = reconciliation_desk.queue(db, cw)
    assert [r.item["item"] for r in rows] == [item.id] and rows[0].case_id == _cases(db)[0].id
    assert rows[0].iban_masked and OTHER_IBAN not in rows[0].iban_masked
    reconciliation_desk.assign(db, cw, item.id, jean, "2026q1")
    db.commit()
    [case] = _cases(db)
    assert case.status == "closed" and case.answered_on == dt.date.today()
    last = db.scalar(select(CaseMessage).where(CaseMessage.case_id == case.id).order_by(CaseMessage.id.desc()))
    assert last.direction == "out" and "assigned" in last.body
    assert db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity == "reconciliation_item", AuditLog.action == "read")) >= 1


def test_the_desk_refunds_to_the_payer_at_once_and_elsewhere_only_after_a_managers_approval(db, db_url):
    import_coda(db_url, coda(pay(5_000, PAID_ON, text="wrong fund", iban=OTHER_IBAN),
                             pay(6_000, PAID_ON, text="wrong fund too", iban=OTHER_IBAN)))
    item, other = db.scalars(select(ReconciliationItem).order_by(ReconciliationItem.id)).all()
    cw = Principal(login="cw", role="caseworker", account_id=None, team="t1")
    with pytest.raises(Forbidden):
        reconciliation_desk.refund(db, Principal(login="a", role="auditor"), item.id, "wrong fund")
    elsewhere = reconciliation_desk.refund(db, cw, other.id, "the payer asks it on another account",
                                           iban="BE71096123456769")
    assert elsewhere.awaiting_approval and other.status == "open"
    assert [r.item["awaiting_approval"] for r in reconciliation_desk.queue(db, cw)] == [None, elsewhere.approval.id]
    order = reconciliation_desk.refund(db, cw, item.id, "paid to the wrong fund")
    assert order.approval.status == "executed" and order.key
    db.commit()
    db.expire_all()
    assert db.get(ReconciliationItem, item.id).resolution == "refunded"
    assert [c.status for c in _cases(db)] == ["closed", "open"]


def test_booking_on_another_teams_file_needs_a_reason(db, db_url):
    jean = new_debtor(db, iban=OTHER_IBAN)
    db.get(Party, jean).team = "t2"
    db.commit()
    import_coda(db_url, coda(pay(5_000, PAID_ON, text="?", iban=OTHER_IBAN)))
    [item] = db.scalars(select(ReconciliationItem)).all()
    with pytest.raises(NeedToKnow):
        reconciliation_desk.assign(db, Principal(login="cw", role="caseworker", account_id=None, team="t1"),
                                   item.id, jean)
