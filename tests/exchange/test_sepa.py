"""SEPA writers: every produced file validates against the official XSD; bad input names its field."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from lxml import etree

from caisse.errors import InvalidInput
from caisse.exchange.sepa import (
    PAIN_001,
    PAIN_008,
    Account,
    Creditor,
    CreditTransfer,
    DirectDebit,
    MandateAmendment,
    SepaValidationError,
    belgian_creditor_id,
    build_credit_transfers,
    build_direct_debits,
    check_creditor_id,
    first_collection_date,
    previous_target_day,
    sepa_text,
    validate,
)

NS8 = {"p": f"urn:iso:std:iso:20022:tech:xsd:{PAIN_008}"}
NS1 = {"p": f"urn:iso:std:iso:20022:tech:xsd:{PAIN_001}"}
CREATED = dt.datetime(2026, 3, 10, 9, 30, 15)
FUND = Creditor(name="Caisse d'assurances sociales ASBL", iban="BE71 0961 2345 6769",
                creditor_id="BE11ZZZ0403170701", bic="GKCCBEBB")


def debit(i: int, **kw) -> DirectDebit:
    base = dict(end_to_end_id=f"Q2026Q1-{i:06d}", amount_cents=100_000 + i, debtor_name=f"Affilié n°{i}",
                debtor_iban="BE62510007547061", mandate_id=f"CAISSE-MDT-{i:08d}",
                mandate_signature_date=dt.date(2024, 1, 15), sequence_type="RCUR", ogm="+++010/8068/17183+++")
    base.update(kw)
    return DirectDebit(**base)


def dd(debits, **kw) -> bytes:
    args = dict(message_id="DD-2026Q1-001", created_at=CREATED, creditor=FUND, collection_date=dt.date(2026, 3, 20),
                debits=debits)
    args.update(kw)
    return build_direct_debits(**args)


def field_error(fn, *args, **kw) -> str:
    with pytest.raises(InvalidInput) as info:
        fn(*args, **kw)
    return info.value.field


# ------------------------------------------------------------------------------------------------
# pain.008.001.02


def test_direct_debit_file_validates_and_carries_the_belgian_reference():
    debits = [debit(1, sequence_type="FRST"), debit(2), debit(3), debit(4, ogm=None, remittance_text="Cotisation T1")]
    xml = dd(debits)
    validate(xml, PAIN_008)
    validate(xml)  # schema taken from the namespace
    doc = etree.fromstring(xml)
    assert doc.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS8) == "4"
    assert doc.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=NS8) == "4000.10"
    assert doc.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CreDtTm", namespaces=NS8) == "2026-03-10T09:30:15"
    blocks = doc.findall("p:CstmrDrctDbtInitn/p:PmtInf", namespaces=NS8)
    assert [b.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS8) for b in blocks] == ["FRST", "RCUR"]
    assert [b.findtext("p:PmtInfId", namespaces=NS8) for b in blocks] == ["DD-2026Q1-001-FRST", "DD-2026Q1-001-RCUR"]
    assert [b.findtext("p:NbOfTxs", namespaces=NS8) for b in blocks] == ["1", "3"]
    assert [b.findtext("p:CtrlSum", namespaces=NS8) for b in blocks] == ["1000.01", "3000.09"]
    rcur = blocks[1]
    assert rcur.findtext("p:PmtTpInf/p:LclInstrm/p:Cd", namespaces=NS8) == "CORE"
    assert rcur.findtext("p:ReqdColltnDt", namespaces=NS8) == "2026-03-20"
    assert rcur.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS8) == "BE71096123456769"
    assert rcur.findtext("p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=NS8) == "BE11ZZZ0403170701"
    assert rcur.findtext("p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:SchmeNm/p:Prtry", namespaces=NS8) == "SEPA"
    tx = rcur.find("p:DrctDbtTxInf", namespaces=NS8)
    assert tx.findtext("p:InstdAmt", namespaces=NS8) == "1000.02"
    assert tx.find("p:InstdAmt", namespaces=NS8).get("Ccy") == "EUR"
    assert tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", namespaces=NS8) == "CAISSE-MDT-00000002"
    assert tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:DtOfSgntr", namespaces=NS8) == "2024-01-15"
    assert tx.findtext("p:DbtrAgt/p:FinInstnId/p:Othr/p:Id", namespaces=NS8) == "NOTPROVIDED"
    assert tx.findtext("p:Dbtr/p:Nm", namespaces=NS8) == "Affilie n 2"
    cri = tx.find("p:RmtInf/p:Strd/p:CdtrRefInf", namespaces=NS8)
    assert cri.findtext("p:Tp/p:CdOrPrtry/p:Cd", namespaces=NS8) == "SCOR"
    assert cri.findtext("p:Tp/p:Issr", namespaces=NS8) == "BBA"
    assert cri.findtext("p:Ref", namespaces=NS8) == "010806817183"
    last = rcur.findall("p:DrctDbtTxInf", namespaces=NS8)[-1]
    assert last.findtext("p:RmtInf/p:Ustrd", namespaces=NS8) == "Cotisation T1"


def test_same_input_same_bytes():
    debits = [debit(i, sequence_type=("FRST", "RCUR", "OOFF", "FNAL")[i % 4]) for i in range(40)]
    assert dd(debits) == dd(list(debits))
    assert dd(debits) != dd(debits, message_id="DD-2026Q1-002")


def test_control_sums_and_counts_agree_at_every_level():
    """GrpHdr NbOfTxs/CtrlSum = the transactions of the file; each PmtInf's = its own transactions."""
    debits = [debit(i, sequence_type=("FRST", "RCUR", "OOFF", "FNAL")[i % 4], amount_cents=1 + 7_919 * i)
              for i in range(1, 41)]
    doc = etree.fromstring(dd(debits))
    amounts = [float(a) for a in doc.xpath("//p:DrctDbtTxInf/p:InstdAmt/text()", namespaces=NS8)]
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS8) == "40"
    assert doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS8) == f"{sum(d.amount_cents for d in debits) / 100:.2f}"
    for block in doc.iterfind(".//p:PmtInf", NS8):
        mine = [int(a.replace(".", "")) for a in block.xpath("p:DrctDbtTxInf/p:InstdAmt/text()", namespaces=NS8)]
        assert block.findtext("p:NbOfTxs", namespaces=NS8) == str(len(mine)) == "10"
        assert block.findtext("p:CtrlSum", namespaces=NS8) == f"{sum(mine) // 100}.{sum(mine) % 100:02d}"
    assert len(amounts) == 40


@pytest.mark.parametrize(("day", "why"), [
    (dt.date(2026, 3, 21), "Saturday"), (dt.date(2026, 3, 22), "Sunday"), (dt.date(2026, 4, 3), "Good Friday"),
    (dt.date(2026, 4, 6), "Easter Monday"), (dt.date(2026, 5, 1), "Labour Day"), (dt.date(2026, 12, 25), "Christmas"),
    (dt.date(2025, 12, 26), "Christmas"), (dt.date(2027, 1, 1), "New Year"),
])
def test_the_collection_date_is_a_target2_business_day(day, why):
    with pytest.raises(InvalidInput) as info:
        dd([debit(1)], collection_date=day)
    assert info.value.field == "collection_date" and why in str(info.value)


def test_the_file_reaches_the_bank_one_target2_business_day_before_the_collection():
    """Rulebooks since November 2016: every collection (FRST, RCUR, OOFF, FNAL, Core or B2B) by D-1."""
    assert field_error(dd, [debit(1)], collection_date=dt.date(2026, 3, 10)) == "collection_date"  # same day
    assert field_error(dd, [debit(1)], collection_date=dt.date(2026, 3, 9)) == "collection_date"  # past
    validate(dd([debit(1, sequence_type="FRST")], collection_date=dt.date(2026, 3, 11)))  # made on D-1
    # Easter 2026: a file made on Thursday 2 April reaches the bank for Tuesday 7 April (Friday and Monday are
    # TARGET2 holidays); one made on Good Friday itself is too late for it
    validate(dd([debit(1)], created_at=dt.datetime(2026, 4, 2, 16), collection_date=dt.date(2026, 4, 7)))
    assert field_error(dd, [debit(1)], created_at=dt.datetime(2026, 4, 3, 9),
                       collection_date=dt.date(2026, 4, 7)) == "collection_date"


def _amendment_of(xml: bytes) -> list[str]:
    """The mandate elements of the file's one debit, as paths under MndtRltdInf, with their values."""
    mri = etree.fromstring(xml).find(".//p:MndtRltdInf", NS8)

    def path(el) -> str:
        names = []
        while el is not mri:
            names.append(etree.QName(el).localname)
            el = el.getparent()
        return "/".join(reversed(names))

    return [f"{path(el)}={el.text}" for el in mri.iter() if len(el) == 0 and el is not mri]


@pytest.mark.parametrize(("amendment", "elements"), [
    (MandateAmendment(original_debtor_iban="BE71 0961 2345 6769"),  # another account at the same bank
     ["AmdmntInfDtls/OrgnlDbtrAcct/Id/IBAN=BE71096123456769"]),
    (MandateAmendment(new_debtor_agent=True),  # an account at another bank: SMNDA
     ["AmdmntInfDtls/OrgnlDbtrAgt/FinInstnId/Othr/Id=SMNDA"]),
    (MandateAmendment(original_mandate_id="CAISSE-OLD-1", original_creditor_id="BE92ZZZ0202239951",
                      new_debtor_agent=True),
     ["AmdmntInfDtls/OrgnlMndtId=CAISSE-OLD-1", "AmdmntInfDtls/OrgnlCdtrSchmeId/Id/PrvtId/Othr/Id=BE92ZZZ0202239951",
      "AmdmntInfDtls/OrgnlCdtrSchmeId/Id/PrvtId/Othr/SchmeNm/Prtry=SEPA",
      "AmdmntInfDtls/OrgnlDbtrAgt/FinInstnId/Othr/Id=SMNDA"]),
])
def test_an_amended_mandate_carries_the_amendment_details(amendment, elements):
    """EPC SDD Core C2B guidelines: AmdmntInd true and AmdmntInfDtls after DtOfSgntr, in the XSD's order."""
    xml = dd([debit(1, amendment=amendment)])
    validate(xml, PAIN_008)
    assert _amendment_of(xml) == ["MndtId=CAISSE-MDT-00000001", "DtOfSgntr=2024-01-15", "AmdmntInd=true", *elements]
    assert _amendment_of(dd([debit(1)])) == ["MndtId=CAISSE-MDT-00000001", "DtOfSgntr=2024-01-15"]


@pytest.mark.parametrize(("amendment", "field"), [
    (MandateAmendment(), "debits[0].amendment"),
    (MandateAmendment(original_mandate_id="CAISSE-MDT-00000001"), "debits[0].amendment.original_mandate_id"),
    (MandateAmendment(original_mandate_id="OLD 1"), "debits[0].amendment.original_mandate_id"),
    (MandateAmendment(original_creditor_id="BE11ZZZ0403170701"), "debits[0].amendment.original_creditor_id"),
    (MandateAmendment(original_creditor_id="BE12ZZZ0403170701"), "debits[0].amendment.original_creditor_id"),
    (MandateAmendment(original_debtor_iban="BE62510007547061"), "debits[0].amendment.original_debtor_iban"),
    (MandateAmendment(original_debtor_iban="BE62510007547062"), "debits[0].amendment.original_debtor_iban"),
    (MandateAmendment(original_debtor_iban="BE71096123456769", new_debtor_agent=True),
     "debits[0].amendment.original_debtor_iban"),
])
def test_a_wrong_amendment_names_its_field(amendment, field):
    assert field_error(dd, [debit(1, amendment=amendment)]) == field


def test_b2b_and_bic_and_initiating_party():
    xml = dd([debit(1, debtor_bic="GKCCBEBB")], scheme="B2B", initiating_party_kbo="0403.170.701",
             batch_booking=False)
    doc = etree.fromstring(xml)
    assert doc.findtext(".//p:LclInstrm/p:Cd", namespaces=NS8) == "B2B"
    assert doc.findtext(".//p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=NS8) == "GKCCBEBB"
    assert doc.findtext(".//p:InitgPty/p:Id/p:OrgId/p:Othr/p:Id", namespaces=NS8) == "0403170701"
    assert doc.findtext(".//p:BtchBookg", namespaces=NS8) == "false"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"debtor_iban": "BE62510007547062"}, "debits[1].debtor_iban"),
        ({"debtor_iban": ""}, "debits[1].debtor_iban"),
        ({"amount_cents": 0}, "debits[1].amount_cents"),
        ({"amount_cents": -5}, "debits[1].amount_cents"),
        ({"amount_cents": 10.5}, "debits[1].amount_cents"),
        ({"amount_cents": 100_000_000_000}, "debits[1].amount_cents"),
        ({"mandate_id": "M" * 36}, "debits[1].mandate_id"),
        ({"mandate_id": "MDT 1"}, "debits[1].mandate_id"),
        ({"mandate_id": "/MDT"}, "debits[1].mandate_id"),
        ({"mandate_id": ""}, "debits[1].mandate_id"),
        ({"mandate_signature_date": dt.date(2026, 3, 11)}, "debits[1].mandate_signature_date"),  # after creation
        ({"sequence_type": "FIRST"}, "debits[1].sequence_type"),
        ({"end_to_end_id": "Q2026Q1-000000"}, "debits[1].end_to_end_id"),  # duplicate of debits[0]
        ({"end_to_end_id": "é"}, "debits[1].end_to_end_id"),
        ({"debtor_name": "   "}, "debits[1].debtor_name"),
        ({"debtor_name": "N" * 71}, "debits[1].debtor_name"),
        ({"debtor_bic": "NOTABIC"}, "debits[1].debtor_bic"),
        ({"ogm": "+++010/8068/17184+++"}, "debits[1].ogm"),
        ({"remittance_text": "also text"}, "debits[1]"),
    ],
)
def test_bad_direct_debit_names_the_field(change, field):
    debits = [debit(0), dataclasses.replace(debit(1), **change)]
    assert field_error(dd, debits) == field


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"creditor": dataclasses.replace(FUND, creditor_id="BE12ZZZ0403170701")}, "creditor.creditor_id"),
        ({"creditor": dataclasses.replace(FUND, creditor_id="BE68ZZZ0403170702")}, "creditor.creditor_id"),
        ({"creditor": dataclasses.replace(FUND, creditor_id="0403170701")}, "creditor.creditor_id"),
        ({"creditor": dataclasses.replace(FUND, iban="BE00")}, "creditor.iban"),
        ({"creditor": dataclasses.replace(FUND, name="")}, "creditor.name"),
        ({"message_id": "X" * 31}, "message_id"),
        ({"message_id": "A//B"}, "message_id"),
        ({"created_at": dt.date(2026, 3, 10)}, "created_at"),
        ({"collection_date": "2026-03-20"}, "collection_date"),
        ({"scheme": "COR1"}, "scheme"),
        ({"debits": []}, "debits"),
    ],
)
def test_bad_collection_parameters(kw, field):
    debits = kw.pop("debits", [debit(1)])
    assert field_error(dd, debits, **kw) == field


def test_creditor_identifier():
    assert belgian_creditor_id("0403.170.701") == "BE11ZZZ0403170701"
    assert check_creditor_id("be11 zzz 0403170701") == "BE11ZZZ0403170701"
    assert check_creditor_id("DE98ZZZ09999999999") == "DE98ZZZ09999999999"
    assert field_error(belgian_creditor_id, "0403170702") == "kbo"
    # a valid check over an invalid KBO number is still refused
    bad_kbo = "BE" + belgian_creditor_id("0403170701")[2:4] + "ZZZ0403170702"
    assert field_error(check_creditor_id, bad_kbo) == "creditor.creditor_id"


def test_ten_thousand_debits_make_one_valid_file():
    """A real collection run's size goes through the XSD whole (its speed: benchmarks/, not a timed test)."""
    debits = [debit(i, sequence_type="FRST" if i % 10 == 0 else "RCUR") for i in range(10_000)]
    xml = dd(debits)
    assert xml.count(b"<DrctDbtTxInf>") == 10_000
    assert xml.count(b"<SeqTp>FRST</SeqTp>") == 1 and xml.count(b"<SeqTp>RCUR</SeqTp>") == 1  # one batch each


# ------------------------------------------------------------------------------------------------
# pain.001.001.03


def ct(transfers, **kw) -> bytes:
    args = dict(message_id="CT-2026-03-25", created_at=CREATED, debtor=Account("Caisse ASBL", "BE71096123456769",
                "GKCCBEBB"), execution_date=dt.date(2026, 3, 25), transfers=transfers)
    args.update(kw)
    return build_credit_transfers(**args)


def test_credit_transfers_validate():
    transfers = [
        CreditTransfer("REFUND-1", 12_345, "Jean Dupont", "BE62510007547061", ogm="010806817183"),
        CreditTransfer("BENEFIT-2", 150_000, "Marie Lefèvre", "NL91ABNA0417164300", creditor_bic="ABNANL2A",
                       remittance_text="Droit passerelle mars 2026", purpose="SSBE"),
        CreditTransfer("REFUND-3", 1, "Zoë", "BE71096123456769"),
    ]
    xml = ct(transfers)
    validate(xml, PAIN_001)
    doc = etree.fromstring(xml)
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS1) == "3"
    assert doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS1) == "1623.46"
    assert doc.findtext(".//p:PmtInf/p:CtrlSum", namespaces=NS1) == "1623.46"
    assert doc.findtext(".//p:PmtInf/p:ReqdExctnDt", namespaces=NS1) == "2026-03-25"
    assert doc.findtext(".//p:PmtInf/p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=NS1) == "GKCCBEBB"
    txs = doc.findall(".//p:CdtTrfTxInf", namespaces=NS1)
    assert txs[0].findtext("p:RmtInf/p:Strd/p:CdtrRefInf/p:Ref", namespaces=NS1) == "010806817183"
    assert txs[0].findtext("p:RmtInf/p:Strd/p:CdtrRefInf/p:Tp/p:Issr", namespaces=NS1) == "BBA"
    assert txs[1].findtext("p:Amt/p:InstdAmt", namespaces=NS1) == "1500.00"
    assert txs[1].findtext("p:CdtrAgt/p:FinInstnId/p:BIC", namespaces=NS1) == "ABNANL2A"
    assert txs[1].findtext("p:Purp/p:Cd", namespaces=NS1) == "SSBE"
    assert txs[1].findtext("p:Cdtr/p:Nm", namespaces=NS1) == "Marie Lefevre"
    assert txs[2].find("p:RmtInf", namespaces=NS1) is None
    assert ct(transfers) == xml


@pytest.mark.parametrize(("day", "why", "next_day"), [
    (dt.date(2026, 3, 28), "(Saturday); the next one is 2026-03-30", dt.date(2026, 3, 30)),
    (dt.date(2026, 4, 3), "(Good Friday); the next one is 2026-04-07", dt.date(2026, 4, 7)),
    (dt.date(2026, 4, 6), "(Easter Monday); the next one is 2026-04-07", dt.date(2026, 4, 7)),
    (dt.date(2026, 5, 1), "(Labour Day); the next one is 2026-05-04", dt.date(2026, 5, 4)),
    (dt.date(2026, 12, 25), "(Christmas Day); the next one is 2026-12-28", dt.date(2026, 12, 28)),
    (dt.date(2025, 12, 26), "(Christmas Holiday); the next one is 2025-12-29", dt.date(2025, 12, 29)),
])
def test_the_execution_date_is_a_target2_business_day(day, why, next_day):
    """The fund's bank debits the fund's account on the requested execution date: a TARGET2 business day."""
    made = dt.datetime(2025, 12, 1, 9)
    transfer = [CreditTransfer("R-1", 100, "Jean", "BE62510007547061")]
    with pytest.raises(InvalidInput) as info:
        ct(transfer, created_at=made, execution_date=day)
    assert info.value.field == "execution_date"
    assert str(info.value) == f"execution_date: {day} is not a TARGET2 business day {why}"
    validate(ct(transfer, created_at=made, execution_date=next_day))  # the day named is accepted


def test_the_execution_date_is_not_in_the_past():
    transfer = [CreditTransfer("R-1", 100, "Jean", "BE62510007547061")]
    with pytest.raises(InvalidInput) as info:
        ct(transfer, execution_date=dt.date(2026, 3, 9))  # the file is made on Tuesday 10 March 2026
    assert str(info.value) == ("execution_date: 2026-03-09 is in the past for a file made on 2026-03-10; "
                               "the first possible date is 2026-03-10")
    validate(ct(transfer, execution_date=dt.date(2026, 3, 10)))  # the day the file is made
    # made on a Saturday: the first possible date is the Monday
    with pytest.raises(InvalidInput, match="first possible date is 2026-12-07"):
        ct(transfer, created_at=dt.datetime(2026, 12, 5, 9), execution_date=dt.date(2026, 12, 4))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"creditor_iban": "BE62510007547060"}, "transfers[0].creditor_iban"),
        ({"amount_cents": 0}, "transfers[0].amount_cents"),
        ({"end_to_end_id": "E" * 36}, "transfers[0].end_to_end_id"),
        ({"purpose": "ssbe"}, "transfers[0].purpose"),
        ({"creditor_bic": "XX"}, "transfers[0].creditor_bic"),
        ({"remittance_text": "x" * 141}, "transfers[0].remittance_text"),
    ],
)
def test_bad_credit_transfer_names_the_field(change, field):
    t = dataclasses.replace(CreditTransfer("R-1", 100, "Jean", "BE62510007547061"), **change)
    assert field_error(ct, [t]) == field


def test_validate_reports_schema_errors():
    xml = ct([CreditTransfer("R-1", 100, "Jean", "BE62510007547061")])
    broken = xml.replace(b"<NbOfTxs>1</NbOfTxs>", b"<NbOfTxs>one</NbOfTxs>", 1)
    with pytest.raises(SepaValidationError, match="NbOfTxs") as info:
        validate(broken, PAIN_001)
    assert "line " in str(info.value)
    with pytest.raises(SepaValidationError, match="well-formed"):
        validate(b"<Document", PAIN_001)
    with pytest.raises(SepaValidationError, match="unknown schema"):
        validate(xml, "pain.002.001.03")
    with pytest.raises(SepaValidationError):
        validate(xml, PAIN_008)  # a pain.001 is not a pain.008


def test_sepa_text():
    assert sepa_text("Ærø & Søn — Straße 12_b", 70, "name") == "AEro + Son Strasse 12-b"
    assert field_error(sepa_text, "ééé", 2, "name") == "name"


@pytest.mark.parametrize(("made", "first"), [
    (dt.datetime(2026, 3, 10, 9), dt.date(2026, 3, 11)),  # a Tuesday: the Wednesday
    (dt.datetime(2026, 12, 5, 9), dt.date(2026, 12, 8)),  # a Saturday: reaches the bank Monday, collected Tuesday
    (dt.datetime(2026, 4, 3, 9), dt.date(2026, 4, 8)),  # Good Friday: reaches the bank Tuesday 7 April
    (dt.datetime(2026, 12, 24, 9), dt.date(2026, 12, 28)),  # Christmas Eve: 25 and 26 December closed
])
def test_a_too_early_collection_date_is_refused_naming_a_date_that_is_accepted(made, first):
    too_early = previous_target_day(first)
    with pytest.raises(InvalidInput) as info:
        dd([debit(1)], created_at=made, collection_date=too_early)
    assert info.value.field == "collection_date" and f"the first possible date is {first}" in str(info.value)
    validate(dd([debit(1)], created_at=made, collection_date=first))
    assert first_collection_date(made.date()) == first
