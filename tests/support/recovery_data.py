"""A file with the whole recovery of a debt on it (recovery file and steps, hand-over to a bailiff and the partner's
report, payment plan, interruption, joint call, prescribed and dispensed quarters, relief request), and its
neighbours (benefit claim, direct debit, tax certificate): built as rows, for the GDPR tests."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

from sqlalchemy import select

from caisse.recovery.partners import HEADER
from caisse.security.authz import Principal
from caisse.services import affiliation as svc
from caisse.store.models import Person

SYSTEM = Principal.system("test")


def hand_over_csv(*debtors) -> str:
    """A hand-over CSV as recovery.partners writes it, one row per (file number, name, NISS)."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for pid, name, niss in debtors:
        w.writerow(("handover/B1/x", "B1", f"{pid}-1-bailiff", pid, name, niss, "Rue 1", "1000", "Bruxelles", "fr",
                    "", "", "2019Q1", "900.00", "30.00", "930.00", "+++000/0000/00097+++"))
    return buf.getvalue()


def bailiff(s, code="B1"):
    from caisse.recovery.models import RecoveryPartner

    p = s.scalar(select(RecoveryPartner).where(RecoveryPartner.code == code))
    if p is None:
        p = RecoveryPartner(code=code, kind="bailiff", name="Maître Huissier", address="Rue du Palais 1, Bruxelles",
                            email="huissier@example.be", language="fr")
        s.add(p)
        s.flush()
    return p


def handed_over(s, pid, on, *, debtors, line_status="closed", grounds="my illness (medical certificate)",
                 status_text=None):
    """A recovery file at the bailiff's since ``on``: its step, a hand-over CSV with ``debtors``, the partner's
    status line about the person, and a dispensation request decided on ``on`` (with its grounds)."""
    from caisse.recovery.models import (
        RecoveryFile,
        RecoveryHandover,
        RecoveryHandoverLine,
        RecoveryStatusFile,
        RecoveryStatusLine,
        RecoveryStep,
        ReliefRequest,
    )

    partner = bailiff(s)
    f = s.scalar(select(RecoveryFile).where(RecoveryFile.party_id == pid))
    if f is None:
        f = RecoveryFile(party_id=pid, stage="bailiff", stage_since=on, opened_on=on - dt.timedelta(days=120))
        s.add(f)
        s.flush()
    step = RecoveryStep(key=f"t/step/{pid}/{on}", file_id=f.id, party_id=pid, cycle=1, event="stage",
                        from_stage="enforcement", to_stage="bailiff", on=on, actor="recovery-run",
                        reason="enforcement order not paid", amount_cents=93_000, language="fr", letter="bailiff")
    s.add(step)
    s.flush()
    text = hand_over_csv(*debtors)
    h = RecoveryHandover(key=f"handover/B1/{on}/{pid}", partner_id=partner.id, as_of=on, debtors=len(debtors),
                         amount_cents=93_000 * len(debtors), csv_name="h.csv", csv_text=text,
                         csv_sha256=hashlib.sha256(text.encode()).hexdigest(), pdf_name="h.pdf",
                         pdf_sha256="a" * 64, created_by="t")
    s.add(h)
    s.flush()
    line = RecoveryHandoverLine(handover_id=h.id, step_id=step.id, file_id=f.id, party_id=pid, partner_id=partner.id,
                                cycle=1, stage="bailiff", reference=f"{pid}-1-bailiff-{on}", amount_cents=93_000,
                                status=line_status)
    s.add(line)
    s.flush()
    sf = RecoveryStatusFile(sha256=hashlib.sha256(f"{pid}{on}".encode()).hexdigest(), partner_id=partner.id,
                            filename="status.csv", lines=1, accepted=1, rejected=0, already=0,
                            imported_on=on + dt.timedelta(days=30), imported_by="t")
    s.add(sf)
    s.flush()
    s.add(RecoveryStatusLine(file_id=sf.id, line=2, raw=status_text or f"{line.reference},Test Person,served,...",
                             status="accepted", key=f"status/B1/{pid}/{on}", handover_line_id=line.id, party_id=pid,
                             event_on=on + dt.timedelta(days=20), served_on=on + dt.timedelta(days=20)))
    r = ReliefRequest(kind="dispensation", party_id=pid, status="granted", requested_on=on - dt.timedelta(days=60),
                      periods=["2018Q4"], lines=[{"period": "2018Q4", "contribution": 90_000, "management_fee": 0,
                                                   "surcharge": 0}], amount_cents=90_000, grounds=grounds,
                      requested_by="t", sent_on=on - dt.timedelta(days=50), decided_on=on, decision_ref="INASTI-1")
    s.add(r)
    s.flush()
    return h.id, r.id


def whole_recovery_of(s, pid):
    """A file with everything the recovery and neighbouring parts of the fund write about a person."""
    from caisse.benefits.models import BenefitClaim, ClaimStep
    from caisse.cases import service as cases
    from caisse.collection.models import DirectDebitCollection, DirectDebitRun, SepaMandate
    from caisse.recovery.models import (
        DispensedQuarter,
        JointCall,
        PaymentPlan,
        PaymentPlanInstalment,
        PrescribedQuarter,
        PrescriptionInterruption,
        RecoveryBankruptcy,
    )
    from caisse.reporting.models import TaxCertificate
    from caisse.store.models import Company, Mandate, Party

    person = s.get(Person, pid)
    svc.request_affiliation(s, svc.AffiliationInput(person_id=pid, start_date=dt.date(2018, 1, 1), category="main",
                                                    requested_on=dt.date(2017, 12, 1)), SYSTEM)
    cases.open_case(s, SYSTEM, pid, "question", "My debt", "Can I pay in parts?", dt.date(2024, 3, 1))
    _, relief_id = handed_over(s, pid, dt.date(2024, 3, 1), debtors=[(pid, "Person Test", person.niss)])
    s.add(DispensedQuarter(party_id=pid, period="2018Q4", request_id=relief_id, dispensed_cents=90_000,
                           granted_on=dt.date(2024, 3, 1), buyback_deadline=dt.date(2029, 12, 31)))
    plan = PaymentPlan(party_id=pid, status="active", requested_on=dt.date(2024, 4, 1), debt_cents=186_000,
                       down_payment_cents=36_000, months=6, reason="lost a client", requested_by="portal")
    s.add(plan)
    s.flush()
    s.add_all([PaymentPlanInstalment(plan_id=plan.id, seq=n, due_date=dt.date(2024, 4 + n, 1),
                                     amount_cents=36_000 if n == 0 else 25_000) for n in range(7)])
    s.add(PrescriptionInterruption(key=f"t/ack/{pid}", party_id=pid, on=dt.date(2023, 5, 2), kind="acknowledgement",
                                   reason="acknowledgement of debt signed", actor="cw"))
    s.add(PrescribedQuarter(party_id=pid, period="2018Q1", prescribed_on=dt.date(2024, 1, 1),
                            written_off_cents=88_000, transaction_key="t/prescribed", batch_key="b/prescription"))
    s.add(RecoveryBankruptcy(party_id=pid, declared_on=dt.date(2024, 6, 1), court="Tribunal de l'entreprise",
                             trustee_name="Me Curateur", trustee_address="Avenue 2", trustee_language="fr",
                             recorded_by="cw"))
    company = Party(kind="company", language="fr")
    s.add(company)
    s.flush()
    s.add(Company(id=company.id, kbo="0123456749", name="Test SRL", legal_form="SRL",
                  affiliation_start=dt.date(2018, 1, 1)))
    s.flush()
    mandate = Mandate(company_id=company.id, person_id=pid, valid_from=dt.date(2018, 1, 1))
    s.add(mandate)
    s.flush()
    s.add(JointCall(key=f"t/joint/{pid}", company_id=company.id, director_id=pid, mandate_id=mandate.id,
                    called_on=dt.date(2024, 7, 1), amount_cents=90_000,
                    periods=[{"period": "2019Q1", "account": "contribution", "cents": 90_000}], language="fr",
                    reason="director's contributions unpaid", actor="cw"))
    mandate_dd = SepaMandate(reference=f"M-{pid}", party_id=pid, debtor_name="Test Person",
                             iban="BE68539007547034", signed_on=dt.date(2024, 1, 1))
    run = DirectDebitRun(message_id=f"dd-{pid}", collection_date=dt.date(2024, 2, 5), due_by=dt.date(2024, 2, 5),
                         created_at=dt.datetime(2024, 2, 1), created_by="t", count=1, total_cents=10_000,
                         sha256="0" * 64, content=b"")
    s.add_all([mandate_dd, run])
    s.flush()
    s.add(DirectDebitCollection(run_id=run.id, mandate_id=mandate_dd.id, party_id=pid, end_to_end_id=f"E2E-{pid}",
                                sequence_type="FRST", amount_cents=10_000, ogm="000000000097", status="paid"))
    s.add(TaxCertificate(key=f"tax-certificate/2024/{pid}", party_id=pid, year=2024, language="fr",
                         paid_cents=10_000, returned_cents=0, deductible_cents=10_000, surcharges_cents=0,
                         other_costs_cents=0, batch_key="b/tax"))
    claim = BenefitClaim(person_id=pid, kind="maternity", facts={"birth": "2024-02-01"},
                         period_start=dt.date(2024, 2, 1), period_end=dt.date(2024, 3, 31),
                         received_on=dt.date(2024, 1, 10), decision_due=dt.date(2024, 2, 10), created_by="t")
    s.add(claim)
    s.flush()
    s.add(ClaimStep(claim_id=claim.id, step="received", happened_on=dt.date(2024, 1, 10), actor="t"))
    s.flush()
