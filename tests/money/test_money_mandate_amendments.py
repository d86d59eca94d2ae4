"""A mandate amended (SDD Core rulebook, amendment of the mandate): the debtor gives another account (or the fund
another reference, or another creditor id) and the mandate stays; the next collection tells the debtor's bank,
once, and every file validates against the XSD."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree
from money_helpers import OTHER_IBAN, call_quarter, coda, new_debtor, pay
from sqlalchemy import select

from caisse.collection.coda_import import import_coda
from caisse.collection.direct_debit import add_mandate, amend_mandate, export_direct_debits, revoke_mandate
from caisse.collection.models import DirectDebitCollection, SepaMandate, SepaMandateAmendment
from caisse.config import Settings
from caisse.demo.identities import make_iban
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.exchange.coda import direct_debit_return_movement
from caisse.exchange.sepa import belgian_creditor_id, validate
from caisse.store.models import AuditLog

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
SIGNED = dt.date(2026, 1, 10)
SAME_BANK = make_iban("510", 7)  # OTHER_IBAN's bank (VAPEBE22)
OTHER_BANK = make_iban("001", 7)  # GEBABEBB
FOREIGN = "NL91ABNA0417164300"  # no BIC given: the bank cannot be told


def export(db_url, day: dt.date, **kw):
    return export_direct_debits(db_url, day, now=dt.datetime.combine(day - dt.timedelta(days=7), dt.time(9)), **kw)


def debit(xml: bytes) -> dict:
    """The file's one debit: its sequence type, mandate id, account and amendment details (None: no amendment)."""
    [tx] = etree.fromstring(xml).iterfind(".//p:DrctDbtTxInf", NS)
    mri = tx.find("p:DrctDbtTx/p:MndtRltdInf", NS)
    details = mri.find("p:AmdmntInfDtls", NS)
    return {"seq": tx.getparent().findtext("p:PmtTpInf/p:SeqTp", namespaces=NS),
            "mandate": mri.findtext("p:MndtId", namespaces=NS), "signed": mri.findtext("p:DtOfSgntr", namespaces=NS),
            "iban": tx.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS),
            "amended": mri.findtext("p:AmdmntInd", namespaces=NS),
            "details": None if details is None else {
                "OrgnlMndtId": details.findtext("p:OrgnlMndtId", namespaces=NS),
                "OrgnlCdtrSchmeId": details.findtext("p:OrgnlCdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=NS),
                "OrgnlDbtrAcct": details.findtext("p:OrgnlDbtrAcct/p:Id/p:IBAN", namespaces=NS),
                "OrgnlDbtrAgt": details.findtext("p:OrgnlDbtrAgt/p:FinInstnId/p:Othr/p:Id", namespaces=NS)}}


def collected(db_url, day: dt.date, **kw) -> tuple[bytes, dict]:
    run = export(db_url, day, **kw)
    assert run.created
    validate(run.content)
    return run.content, debit(run.content)


def paid(db, db_url, day: dt.date) -> None:
    """The bank credits the latest collection."""
    db.expire_all()
    c = db.scalar(select(DirectDebitCollection).order_by(DirectDebitCollection.id.desc()))
    import_coda(db_url, coda(pay(c.amount_cents, day, e2e=c.end_to_end_id)))


@pytest.fixture
def jean(db, db_url):
    """A debtor whose mandate (on OTHER_IBAN) was collected once, for 2026Q1, and paid."""
    pid = new_debtor(db)
    add_mandate(db, pid, OTHER_IBAN, SIGNED, "test", today=SIGNED)
    call_quarter(db, pid, "2026Q1")
    db.commit()
    _, first = collected(db_url, dt.date(2026, 4, 20))
    assert first["seq"] == "FRST" and first["amended"] is None
    paid(db, db_url, dt.date(2026, 4, 22))
    return pid


def reference(db) -> str:
    db.expire_all()
    return db.scalar(select(SepaMandate.reference))


@pytest.mark.parametrize(("new_iban", "bic", "expected", "seq"), [
    (SAME_BANK, None, {"OrgnlDbtrAcct": OTHER_IBAN}, "RCUR"),  # same bank code: the original account
    (OTHER_BANK, None, {"OrgnlDbtrAgt": "SMNDA"}, "FRST"),  # another bank: SMNDA, first again
    (FOREIGN, None, {"OrgnlDbtrAgt": "SMNDA"}, "FRST"),  # the bank cannot be told: SMNDA
    (FOREIGN, "ABNANL2A", {"OrgnlDbtrAgt": "SMNDA"}, "FRST"),  # another country
])
def test_the_next_collection_reports_the_new_account_once(db, db_url, jean, new_iban, bic, expected, seq):
    before = reference(db)
    amendment = amend_mandate(db, before, "staff", iban=new_iban, bic=bic, amended_on=dt.date(2026, 5, 4))
    assert (amendment.old_iban, amendment.old_bic, amendment.new_iban) == (OTHER_IBAN, "VAPEBE22", new_iban)
    call_quarter(db, jean, "2026Q2")
    db.commit()
    xml, d = collected(db_url, dt.date(2026, 7, 20))
    assert (d["mandate"], d["signed"], d["iban"], d["amended"], d["seq"]) == (before, "2026-01-10", new_iban, "true",
                                                                            seq)
    assert d["details"] == {"OrgnlMndtId": None, "OrgnlCdtrSchmeId": None, "OrgnlDbtrAcct": None,
                            "OrgnlDbtrAgt": None, **expected}
    # the same date again: nothing new, the same file
    again = export(db_url, dt.date(2026, 7, 20))
    assert not again.created and again.content == xml
    # the collection after: the bank knows the new account, nothing is amended
    paid(db, db_url, dt.date(2026, 7, 22))
    call_quarter(db, jean, "2026Q3")
    db.commit()
    _, later = collected(db_url, dt.date(2026, 10, 20))
    assert (later["iban"], later["amended"], later["details"], later["seq"]) == (new_iban, None, None, "RCUR")


def test_a_second_file_of_the_same_date_does_not_repeat_the_amendment(db, db_url, jean):
    amend_mandate(db, reference(db), "staff", iban=SAME_BANK, amended_on=dt.date(2026, 5, 4))
    call_quarter(db, jean, "2026Q2")
    db.commit()
    _, first = collected(db_url, dt.date(2026, 7, 20))
    assert first["details"]["OrgnlDbtrAcct"] == OTHER_IBAN
    call_quarter(db, jean, "2026Q3")  # due later: collected by a second file of the same date
    db.commit()
    _, second = collected(db_url, dt.date(2026, 7, 20), due_by=dt.date(2026, 9, 30))
    assert (second["amended"], second["details"], second["seq"]) == (None, None, "RCUR")


def test_a_new_reference_and_two_changes_of_account_are_reported_against_what_the_bank_last_saw(db, db_url, jean):
    old = reference(db)
    amend_mandate(db, old, "staff", iban=OTHER_BANK, amended_on=dt.date(2026, 5, 4))
    amend_mandate(db, old, "staff", iban=SAME_BANK, new_reference="CAISSE-NEW-1", amended_on=dt.date(2026, 5, 6))
    call_quarter(db, jean, "2026Q2")
    db.commit()
    _, d = collected(db_url, dt.date(2026, 7, 20))
    # the bank last saw OTHER_IBAN under the old reference: the account moved within that bank
    assert (d["mandate"], d["iban"], d["seq"]) == ("CAISSE-NEW-1", SAME_BANK, "RCUR")
    assert d["details"] == {"OrgnlMndtId": old, "OrgnlCdtrSchmeId": None, "OrgnlDbtrAcct": OTHER_IBAN,
                            "OrgnlDbtrAgt": None}


def test_an_account_changed_and_changed_back_reports_nothing(db, db_url, jean):
    amend_mandate(db, reference(db), "staff", iban=OTHER_BANK, amended_on=dt.date(2026, 5, 4))
    amend_mandate(db, reference(db), "staff", iban=OTHER_IBAN, amended_on=dt.date(2026, 5, 5))
    call_quarter(db, jean, "2026Q2")
    db.commit()
    _, d = collected(db_url, dt.date(2026, 7, 20))
    assert (d["iban"], d["amended"], d["seq"]) == (OTHER_IBAN, None, "RCUR")


def test_a_change_before_the_first_collection_is_not_an_amendment_for_the_bank(db, db_url):
    pid = new_debtor(db)
    m = add_mandate(db, pid, OTHER_IBAN, SIGNED, "test", today=SIGNED)
    amend_mandate(db, m.reference, "staff", iban=OTHER_BANK, amended_on=dt.date(2026, 2, 1))
    call_quarter(db, pid, "2026Q1")
    db.commit()
    _, d = collected(db_url, dt.date(2026, 4, 20))
    assert (d["iban"], d["amended"], d["seq"]) == (OTHER_BANK, None, "FRST")
    paid(db, db_url, dt.date(2026, 4, 22))
    call_quarter(db, pid, "2026Q2")
    db.commit()
    _, d = collected(db_url, dt.date(2026, 7, 20))
    assert (d["amended"], d["seq"]) == (None, "RCUR")


def test_a_rejected_collection_does_not_count_and_the_next_one_reports_the_amendment(db, db_url, jean):
    amend_mandate(db, reference(db), "staff", iban=SAME_BANK, amended_on=dt.date(2026, 5, 4))
    call_quarter(db, jean, "2026Q2")
    db.commit()
    _, d = collected(db_url, dt.date(2026, 7, 20))
    assert d["details"]["OrgnlDbtrAcct"] == OTHER_IBAN
    db.expire_all()
    c = db.scalar(select(DirectDebitCollection).order_by(DirectDebitCollection.id.desc()))
    back = direct_debit_return_movement(0, c.amount_cents, dt.date(2026, 7, 21), mandate_reference="",
                                        creditor_id=belgian_creditor_id("0403170701"), end_to_end_id=c.end_to_end_id,
                                        reason="AM04", kind="reject")
    import_coda(db_url, coda(back, pay(c.amount_cents, dt.date(2026, 7, 21), text="compensation")))
    db.expire_all()
    assert db.get(DirectDebitCollection, c.id).status == "rejected"
    _, again = collected(db_url, dt.date(2026, 8, 20))
    assert (again["amended"], again["details"]["OrgnlDbtrAcct"], again["seq"]) == ("true", OTHER_IBAN, "RCUR")


def test_a_new_creditor_identifier_is_reported_on_each_mandates_next_collection(db, db_url, jean):
    merged = Settings(fund_kbo="0202239951")  # the fund under another enterprise number
    call_quarter(db, jean, "2026Q2")
    db.commit()
    _, d = collected(db_url, dt.date(2026, 7, 20), settings=merged)
    assert d["details"] == {"OrgnlMndtId": None, "OrgnlCdtrSchmeId": belgian_creditor_id("0403170701"),
                            "OrgnlDbtrAcct": None, "OrgnlDbtrAgt": None}
    paid(db, db_url, dt.date(2026, 7, 22))
    call_quarter(db, jean, "2026Q3")
    db.commit()
    _, later = collected(db_url, dt.date(2026, 10, 20), settings=merged)
    assert later["amended"] is None


def test_an_amendment_is_recorded_and_audited_and_bad_ones_are_refused(db, jean):
    ref = reference(db)
    with pytest.raises(NotFound):
        amend_mandate(db, "NOPE", "staff", iban=SAME_BANK)
    for kw, field in (({"iban": "BE00 0000 0000 0000"}, "iban"), ({"iban": SAME_BANK, "bic": "XX"}, "bic"),
                      ({"new_reference": "has space"}, "new_reference"),
                      ({"iban": SAME_BANK, "amended_on": dt.date(2025, 12, 31)}, "amended_on"),
                      ({"iban": SAME_BANK, "amended_on": dt.date.today() + dt.timedelta(days=1)}, "amended_on")):
        with pytest.raises(InvalidInput) as err:
            amend_mandate(db, ref, "staff", **kw)
        assert err.value.field == field
    with pytest.raises(Conflict) as err:
        amend_mandate(db, ref, "staff", iban=OTHER_IBAN)
    assert err.value.field == "iban" and "already the account" in err.value.message
    other = new_debtor(db)
    taken = add_mandate(db, other, SAME_BANK, SIGNED, "test", today=SIGNED).reference
    with pytest.raises(Conflict) as err:
        amend_mandate(db, ref, "staff", new_reference=taken)
    assert err.value.field == "new_reference"
    revoke_mandate(db, taken, SIGNED, "test")
    with pytest.raises(Conflict) as err:
        amend_mandate(db, taken, "staff", iban=OTHER_BANK)
    assert "only an active mandate is amended" in err.value.message
    a = amend_mandate(db, ref, "staff", iban=OTHER_BANK, amended_on=dt.date(2026, 5, 4))
    db.commit()
    assert db.scalar(select(SepaMandateAmendment.new_bic)) == "GEBABEBB"
    assert db.scalar(select(SepaMandate.iban).where(SepaMandate.reference == ref)) == OTHER_BANK
    logged = db.scalar(select(AuditLog).where(AuditLog.action == "amend", AuditLog.entity == "sepa_mandate"))
    assert logged.party_id == jean and logged.detail["amendment"] == a.id
    assert OTHER_BANK not in str(logged.detail)  # masked
