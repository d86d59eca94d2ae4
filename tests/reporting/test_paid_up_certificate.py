"""The certificate of payment status, as a person shows it to a bank: in order when everything due before the day is
paid; otherwise no certificate of good standing but what is due and unpaid, per quarter, to the cent, with the
structured communication to pay it — and the file's plan or pending request noted. Amounts come from the ledger."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from caisse import references
from caisse.config import Settings
from caisse.errors import Conflict, InvalidInput
from caisse.ledger import DebtLine, charge, receive_payment
from caisse.recovery.models import PaymentPlan, PaymentPlanInstalment, ReliefRequest
from caisse.reporting.models import PaidUpCertificate
from caisse.reporting.paid_up import normalise_reference, standing
from caisse.security.authz import Principal
from caisse.services import affiliation as aff_svc
from caisse.services import paid_up
from caisse.store.db import session_scope
from caisse.store.models import AuditLog
from support.people import register_someone

DESK = Principal.system("desk-test")
SETTINGS = Settings(fund_name="Caisse test", fund_kbo="0403170701", fund_iban="BE71096123456769",
                    fund_bic="GKCCBEBB", fund_phone="+32 2 000 00 00", fund_email="info@caisse.example")
ISSUED = dt.date(2026, 12, 5)
Q2_DUE, Q4_DUE = dt.date(2026, 6, 30), dt.date(2026, 12, 31)
RULE = "RD38 art.12"


def text_of(pdf: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf), strict=True).pages)


def flat(text: str) -> str:
    """The PDF's text with its line breaks and no-break spaces as plain spaces."""
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def affiliated(s, language="fr", seq=777):
    """A person affiliated in main activity since 2025 (their file's language ``language``)."""
    person = register_someone(s, seq=seq, language=language)
    a = aff_svc.request_affiliation(s, aff_svc.AffiliationInput(
        person_id=person.id, start_date=dt.date(2025, 1, 1), category="main", requested_on=dt.date(2025, 1, 1)),
        DESK)
    assert a.status == "affiliated"
    return person


def call(s, pid, period, due, booked, contribution, fee):
    charge(s, f"test/call/{period}/{pid}", pid, period, due, booked,
           [DebtLine("contribution", contribution, RULE), DebtLine("management_fee", fee, "fee")])


@pytest.fixture
def ana(db_url):
    """2026Q2 called (871.71 + 35.30, due 30 June), a 3 % surcharge on it (26.15), 2026Q4 called and due 31
    December: nothing paid."""
    with session_scope(db_url) as s:
        pid = affiliated(s).id
        call(s, pid, "2026Q2", Q2_DUE, dt.date(2026, 4, 1), 87_171, 3_530)
        charge(s, f"test/surcharge/2026Q2/{pid}", pid, "2026Q2", Q2_DUE, dt.date(2026, 7, 1),
               [DebtLine("surcharge", 2_615, "RD 19-12-1967 art. 44")])
        call(s, pid, "2026Q4", Q4_DUE, dt.date(2026, 10, 1), 87_171, 3_530)
    return pid


def plan(s, pid, schedule):
    """A payment plan asked on 1 October 2026, granted the next day, with its instalments (due date, cents)."""
    p = PaymentPlan(party_id=pid, status="active", requested_on=dt.date(2026, 10, 1), debt_cents=93_316,
                    down_payment_cents=schedule[0][1], months=6, reason="test", requested_by="test",
                    activated_on=dt.date(2026, 10, 2))
    s.add(p)
    s.flush()
    s.add_all([PaymentPlanInstalment(plan_id=p.id, seq=k, due_date=due, amount_cents=cents)
               for k, (due, cents) in enumerate(schedule)])


def test_a_person_who_paid_everything_due_is_in_order(db_url, ana):
    with session_scope(db_url) as s:
        receive_payment(s, "test/pay/q2", dt.date(2026, 8, 3), 87_171 + 3_530 + 2_615, ana)
        row, pdf = paid_up.issue(s, DESK, ana, ISSUED, SETTINGS)
        assert (row.outcome, row.due_cents, row.lines, row.communication) == ("in_order", 0, [], None)
    text = flat(text_of(pdf))
    assert "Attestation de régularité de paiement des cotisations sociales" in text
    assert "est en règle de paiement" in text and "échus jusqu'au 4 décembre 2026 inclus ont été payés" in text
    assert "pas une attestation" not in text and "+++" not in text
    assert row.reference in text and "99.09.09-xxx." in text  # the national number masked
    assert "Caisse test" in text and "0403.170.701" in text


def test_an_overdue_quarter_is_listed_to_the_cent_with_the_communication_to_pay_it(db_url, ana):
    with session_scope(db_url) as s:
        row, pdf = paid_up.issue(s, DESK, ana, ISSUED, SETTINGS)
        lines, due = row.lines, row.due_cents
    # 2026Q2 only: 871.71 + 35.30 principal, 26.15 surcharge; 2026Q4 (due 31 December) is not overdue
    assert lines == [{"period": "2026Q2", "principal": 90_701, "surcharges": 2_615, "costs": 0,
                      "due_date": "2026-06-30"}]
    assert due == 93_316 and row.outcome == "arrears"
    ogm = references.for_statement(ana, 2026).ogm
    assert row.communication == "".join(ch for ch in ogm if ch.isdigit())
    text = flat(text_of(pdf))
    assert "Ce document n'est pas une attestation de régularité de paiement" in text
    assert "n'est pas en règle" in text and "Attestation de régularité de paiement des" not in text.split("Ce ")[0]
    assert "2026Q2" in text and "2026Q4" not in text
    assert "907,01 €" in text and "26,15 €" in text and "933,16 €" in text
    assert ogm in text  # +++xxx/xxxx/xxxxx+++


def test_a_quarter_called_but_not_yet_due_leaves_the_person_in_order(db_url):
    with session_scope(db_url) as s:
        pid = affiliated(s).id
        call(s, pid, "2026Q4", Q4_DUE, dt.date(2026, 10, 1), 87_171, 3_530)
        on_due_day = standing(s, pid, Q4_DUE)
        day_after = standing(s, pid, Q4_DUE + dt.timedelta(days=1))
        row, _ = paid_up.issue(s, DESK, pid, ISSUED, SETTINGS)
    assert row.outcome == "in_order"
    assert on_due_day.in_order  # the due day itself is in time
    assert [(x.period, x.principal) for x in day_after.lines] == [("2026Q4", 90_701)]


def test_a_payment_booked_on_the_issue_day_counts(db_url, ana):
    with session_scope(db_url) as s:
        receive_payment(s, "test/pay/today", ISSUED, 90_701, ana, designation="2026Q2")
        st = standing(s, ana, ISSUED)
    assert [(x.period, x.principal, x.surcharges) for x in st.lines] == [("2026Q2", 0, 2_615)]


def test_a_payment_plan_respected_and_a_dispensation_asked_are_noted(db_url, ana):
    with session_scope(db_url) as s:
        plan(s, ana, [(dt.date(2026, 10, 15), 10_000), (dt.date(2026, 12, 15), 83_316)])
        s.add(ReliefRequest(kind="dispensation", party_id=ana, status="sent", requested_on=dt.date(2026, 11, 2),
                            periods=["2026Q4"], lines=[], amount_cents=90_701, grounds="test", requested_by="test"))
        receive_payment(s, "test/pay/down", dt.date(2026, 10, 14), 10_000, ana)
        row, pdf = paid_up.issue(s, DESK, ana, ISSUED, SETTINGS)
    assert row.outcome == "arrears" and row.due_cents == 83_316  # the plan does not make the debt disappear
    assert [n["kind"] for n in row.notes] == ["plan", "dispensation"]
    text = flat(text_of(pdf))
    assert "Un plan d'apurement accordé le 2 octobre 2026 est respecté à cette date (1 échéance(s) restante(s))" in text
    assert "Une demande de dispense de cotisations (2026Q4) introduite le 2 novembre 2026 attend la décision" in text


def test_a_plan_with_an_instalment_late_is_not_said_respected(db_url, ana):
    with session_scope(db_url) as s:
        plan(s, ana, [(dt.date(2026, 10, 15), 10_000)])  # nothing received
        row, _ = paid_up.issue(s, DESK, ana, ISSUED, SETTINGS)
    assert row.notes == []


@pytest.mark.parametrize(("language", "words"), [
    ("nl", ["Attest van regelmatige betaling van de sociale bijdragen", "in orde is met de betaling",
            "tot en met 4 december 2026", "rijksregisternummer"]),
    ("de", ["Bescheinigung über die ordnungsgemäße Zahlung der Sozialbeiträge", "ordnungsgemäß gezahlt",
            "bis einschließlich 4. Dezember 2026", "Nationalregisternummer"]),
])
def test_the_certificate_in_order_in_dutch_and_german(db_url, language, words):
    with session_scope(db_url) as s:
        pid = affiliated(s, language=language).id
        row, pdf = paid_up.issue(s, DESK, pid, ISSUED, SETTINGS)
    assert row.language == language
    text = flat(text_of(pdf))
    for w in words:
        assert w in text


@pytest.mark.parametrize(("language", "words"), [
    ("nl", ["Dit document is geen attest van regelmatige betaling", "Totaal vervallen en onbetaald", "933,16",
            "gestructureerde mededeling"]),
    ("de", ["Dieses Dokument ist keine Bescheinigung", "Insgesamt fällig und unbezahlt", "933,16",
            "strukturierten Mitteilung"]),
])
def test_the_arrears_in_dutch_and_german_whatever_the_files_language(db_url, ana, language, words):
    with session_scope(db_url) as s:
        _, pdf = paid_up.issue(s, DESK, ana, ISSUED, SETTINGS, language=language)
    text = flat(text_of(pdf))
    for w in words:
        assert w in text


def test_each_certificate_is_recorded_with_its_own_reference_and_audited(db_url, ana):
    with session_scope(db_url) as s:
        first, pdf = paid_up.issue(s, DESK, ana, ISSUED, SETTINGS)
        second, _ = paid_up.issue(s, DESK, ana, ISSUED, SETTINGS)
        found = paid_up.confirm(s, DESK, first.reference.lower().replace("-", " "))
        assert found.id == first.id and found.due_cents == 93_316
        assert paid_up.confirm(s, DESK, _other_valid(first.reference)) is None
    import hashlib

    assert first.reference != second.reference and first.sha256 == hashlib.sha256(pdf).hexdigest()
    with session_scope(db_url) as s:
        assert s.scalar(select(PaidUpCertificate.outcome).where(PaidUpCertificate.reference == first.reference)) \
            == "arrears"
        audited = list(s.scalars(select(AuditLog.action).where(AuditLog.entity == "paid_up_certificate")))
    assert audited.count("document") == 2 and audited.count("read") == 2


def _other_valid(reference: str) -> str:
    """A well-formed reference (right check character) the fund did not issue."""
    from stdnum.iso7064 import mod_37_36

    body = "2026ZZZZ" + ("ZZZY" if reference[5:9] != "ZZZY" else "ZZZX")
    return body + mod_37_36.calc_check_digit(body)


def test_a_mistyped_reference_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as wrong:
        normalise_reference("2026-7KQ3-M9TX5" if not normalise_ok("2026-7KQ3-M9TX5") else "2026-7KQ3-M9TX4")
    assert wrong.value.field == "certificate_reference"
    with pytest.raises(InvalidInput):
        normalise_reference("hello")


def normalise_ok(ref: str) -> bool:
    try:
        normalise_reference(ref)
    except InvalidInput:
        return False
    return True


def test_a_company_is_named_by_its_enterprise_number(db_url):
    from caisse.demo.identities import make_kbo

    with session_scope(db_url) as s:
        director = affiliated(s).id
        company = aff_svc.register_company(s, aff_svc.CompanyInput(
            kbo=make_kbo(123), name="Atelier Test SRL", legal_form="SRL", affiliation_start=dt.date(2025, 1, 1),
            language="fr", address=aff_svc.AddressInput(street="Rue", house_number="2", postal_code="1000",
                                                        city="Bruxelles"),
            directors=[(director, dt.date(2025, 1, 1))]), DESK, ISSUED)
        row, pdf = paid_up.issue(s, DESK, company.id, ISSUED, SETTINGS)
        kbo = company.kbo
    text = flat(text_of(pdf))
    assert row.outcome == "in_order" and "Atelier Test SRL, numéro d'entreprise" in text
    assert f"{kbo[:4]}.{kbo[4:7]}.{kbo[7:]}" in text and "numéro national" not in text


def test_a_person_never_affiliated_gets_no_certificate(db_url):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
        with pytest.raises(Conflict) as refused:
            paid_up.issue(s, DESK, pid, ISSUED, SETTINGS)
    assert refused.value.field == "party_id"


def test_many_overdue_quarters_stay_on_one_page_with_the_oldest_summed(db_url):
    with session_scope(db_url) as s:
        pid = affiliated(s).id
        for k in range(24):  # 2020Q1 .. 2025Q4, 100.00 each
            year, q = 2020 + k // 4, k % 4 + 1
            due = dt.date(year, 3 * q, 30 if q in (2, 3) else 31)
            call(s, pid, f"{year}Q{q}", due, dt.date(year, 3 * q - 2, 1), 9_000, 1_000)
        row, pdf = paid_up.issue(s, DESK, pid, ISSUED, SETTINGS)
    assert len(row.lines) == 24 and row.due_cents == 240_000
    reader = PdfReader(io.BytesIO(pdf))
    text = flat(text_of(pdf))
    assert len(reader.pages) == 1
    assert "<= 2021Q1" in text and "500,00 €" in text  # the five oldest quarters in one line
    assert "2025Q4" in text and "2 400,00 €" in text
