"""Right of access and retention for recovery data: the recovery file and its steps, payment plans, what went to
bailiffs and came back, interruptions of the prescription, joint calls, prescribed quarters, relief requests —
and a schema walk so that no table naming a person can be left out of the export unnoticed."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json

from sqlalchemy import event, select
from sqlalchemy.sql import Join, Select, TableClause

from caisse.recovery.partners import HEADER
from caisse.security.authz import Principal
from caisse.services import affiliation as svc
from caisse.services import gdpr
from caisse.store.db import session_scope
from caisse.store.models import Person
from support.people import register_someone

SYSTEM = Principal.system("test")
AS_OF = dt.date(2026, 11, 24)  # prescribed: every year up to 2020 (5 years from 1 January 2021 ran out 1-1-2026)


def _csv(*debtors) -> str:
    """A hand-over CSV as recovery.partners writes it, one row per (file number, name, NISS)."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for pid, name, niss in debtors:
        w.writerow(("handover/B1/x", "B1", f"{pid}-1-bailiff", pid, name, niss, "Rue 1", "1000", "Bruxelles", "fr",
                    "", "", "2019Q1", "900.00", "30.00", "930.00", "+++000/0000/00097+++"))
    return buf.getvalue()


def _partner(s, code="B1"):
    from caisse.recovery.models import RecoveryPartner

    p = s.scalar(select(RecoveryPartner).where(RecoveryPartner.code == code))
    if p is None:
        p = RecoveryPartner(code=code, kind="bailiff", name="Maître Huissier", address="Rue du Palais 1, Bruxelles",
                            email="huissier@example.be", language="fr")
        s.add(p)
        s.flush()
    return p


def _handed_over(s, pid, on, *, debtors, line_status="closed", grounds="my illness (medical certificate)",
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

    partner = _partner(s)
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
    text = _csv(*debtors)
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


def _the_whole_recovery_of(s, pid):
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
    _, relief_id = _handed_over(s, pid, dt.date(2024, 3, 1), debtors=[(pid, "Person Test", person.niss)])
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


def test_the_export_holds_the_recovery_of_the_file_and_the_pdf_names_each_part(db_url):
    import io as _io

    from pypdf import PdfReader

    from caisse.documents.gdpr_export import render_pdf

    with session_scope(db_url) as s:
        pid = register_someone(s).id
        _the_whole_recovery_of(s, pid)
    with session_scope(db_url) as s:
        data = gdpr.export_file(s, SYSTEM, pid, document="pdf")
    json.dumps(data)
    [rf] = data["recovery_files"]
    assert rf["stage"] == "bailiff" and rf["steps"][0]["reason"] == "enforcement order not paid"
    [plan] = data["payment_plans"]
    assert plan["reason"] == "lost a client" and [i["seq"] for i in plan["instalments"]] == list(range(7))
    assert data["prescription_interruptions"][0]["kind"] == "acknowledgement"
    assert data["joint_calls"][0]["periods"][0]["period"] == "2019Q1"
    assert data["prescribed_quarters"][0]["period"] == "2018Q1"
    assert data["recovery_handovers"][0]["status"] == "closed"
    assert data["recovery_partner_reports"][0]["raw"].endswith("Test Person,served,...")
    assert data["dispensation_and_waiver_requests"][0]["grounds"].startswith("my illness")
    assert data["dispensed_quarters"][0]["period"] == "2018Q4"
    assert data["bankruptcies"][0]["trustee_name"] == "Me Curateur"
    assert data["direct_debits"][0]["end_to_end_id"] == f"E2E-{pid}"
    assert data["tax_certificates"][0]["year"] == 2024
    assert data["benefit_claims"][0]["steps"][0]["step"] == "received"
    pdf = render_pdf(data, "Caisse test")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(_io.BytesIO(pdf)).pages).split())
    for title in ("Recovery of unpaid contributions", "Payment plans and their instalments",
                  "Acts that interrupted the prescription", "Companies called for a director's contributions",
                  "Quarters written off as prescribed", "Handed to a bailiff or lawyer", "Tax certificates"):
        assert title in text, title
    assert "lost a client" in text


# ---------------------------------------------------------------- nothing naming a person is forgotten

_PARTIES = {"party", "person", "company"}


def _names_someone(table) -> bool:
    """A column pointing at a person or party: a foreign key to party/person/company, or a file number or NISS
    kept without a foreign key (the audit log, parked tax incomes)."""
    return any(fk.column.table.name in _PARTIES for c in table.columns for fk in c.foreign_keys) or any(
        c.name in ("party_id", "person_id", "niss") or c.name.endswith("_party_id") for c in table.columns)


def _tables_read(from_) -> set[str]:
    if isinstance(from_, TableClause):
        return {from_.name}
    if isinstance(from_, Join):
        return _tables_read(from_.left) | _tables_read(from_.right)
    inner = getattr(from_, "element", None)
    if isinstance(inner, Select):
        return {t for f in inner.get_final_froms() for t in _tables_read(f)}
    return _tables_read(inner) if inner is not None else set()


def test_every_table_naming_a_person_is_exported_or_excluded_with_a_reason(db_url):
    """Walks the schema: a table holding a party (or a row of such a table: a case's messages, a plan's
    instalments) must be read by the export — with rows present, so nested parts are read too — or be listed in
    gdpr.NOT_EXPORTED with a reason. A table added later without either makes this test fail."""
    from caisse.store.schema import metadata

    direct = {t.name for t in metadata.sorted_tables if _names_someone(t)}
    children = {t.name for t in metadata.sorted_tables
                for c in t.columns for fk in c.foreign_keys if fk.column.table.name in direct - _PARTIES}
    must = direct | children
    assert {"recovery_file", "recovery_step", "payment_plan", "payment_plan_instalment", "joint_call",
            "prescription_interruption", "prescribed_quarter", "case_message"} <= must  # the walk sees them

    with session_scope(db_url) as s:
        pid = register_someone(s).id
        _the_whole_recovery_of(s, pid)
    read: set[str] = set()
    with session_scope(db_url) as s:
        def seen(state):
            if state.is_select:
                read.update(t for f in state.statement.get_final_froms() for t in _tables_read(f))

        event.listen(s, "do_orm_execute", seen)
        gdpr.export_file(s, SYSTEM, pid)
    assert not set(gdpr.NOT_EXPORTED) - set(metadata.tables), "NOT_EXPORTED names a table that does not exist"
    assert all(len(why) > 30 for why in gdpr.NOT_EXPORTED.values()), "each exclusion says why"
    assert not set(gdpr.NOT_EXPORTED) & (read - {"company"}), "an excluded table is read after all: drop it"
    forgotten = sorted(must - read - set(gdpr.NOT_EXPORTED))
    assert not forgotten, f"tables naming a person neither exported nor excluded with a reason: {forgotten}"


# ---------------------------------------------------------------- retention

def _ceased(s, seq, start, end):
    person = register_someone(s, seq=seq)
    aff = svc.request_affiliation(s, svc.AffiliationInput(person_id=person.id, start_date=start, category="main",
                                                          requested_on=start), SYSTEM)
    svc.cease(s, aff.id, end, "stopped", SYSTEM)
    return person


def test_bailiff_csvs_partner_lines_and_relief_grounds_go_once_prescribed_their_checksums_stay(db_url):
    """As of 24-11-2026 the years up to 2020 are prescribed. A 2019 hand-over whose debtor is back from the
    bailiff loses its CSV (the lines and both SHA-256 stay); one from 2019 still open at the bailiff's, and one from
    2024, keep theirs. A 2019 status line loses its raw text, a 2019 decision its grounds; 2024 ones stay."""
    from caisse.recovery.models import (
        RecoveryHandover,
        RecoveryHandoverLine,
        RecoveryStatusFile,
        RecoveryStatusLine,
        ReliefRequest,
    )

    with session_scope(db_url) as s:
        a = register_someone(s, seq=201)
        b = register_someone(s, seq=203)
        c = register_someone(s, seq=205)
        old_closed, old_relief = _handed_over(s, a.id, dt.date(2019, 3, 1), debtors=[(a.id, "A", a.niss)])
        old_open, _ = _handed_over(s, b.id, dt.date(2019, 3, 1), debtors=[(b.id, "B", b.niss)], line_status="open")
        recent, recent_relief = _handed_over(s, c.id, dt.date(2024, 3, 1), debtors=[(c.id, "C", c.niss)])
        shas = {h.id: (h.csv_sha256, h.pdf_sha256) for h in s.scalars(select(RecoveryHandover))}
    with session_scope(db_url) as s:
        result = gdpr.apply_retention(s, SYSTEM, AS_OF)
    # b's 2019 status file was imported in 2019 too: its raw line goes even though b is still at the bailiff's
    assert (result.prescribed["recovery_handovers"], result.prescribed["recovery_status_lines"],
            result.prescribed["relief_grounds"]) == (1, 2, 2)
    with session_scope(db_url) as s:
        hs = {h.id: h for h in s.scalars(select(RecoveryHandover))}
        assert hs[old_closed].csv_text == ""
        assert hs[old_open].csv_text.startswith("handover,partner")  # its debtor is still with the bailiff
        assert hs[recent].csv_text.startswith("handover,partner")
        assert {h.id: (h.csv_sha256, h.pdf_sha256) for h in hs.values()} == shas  # what was sent stays provable
        line = s.scalar(select(RecoveryHandoverLine).where(RecoveryHandoverLine.handover_id == old_closed))
        assert (line.amount_cents, line.reference) == (93_000, f"{a.id}-1-bailiff-2019-03-01")
        raws = {ln.party_id: ln for ln in s.scalars(select(RecoveryStatusLine))}
        assert raws[a.id].raw == gdpr.PSEUDONYMISED and raws[a.id].served_on == dt.date(2019, 3, 21)
        assert raws[c.id].raw.endswith("Test Person,served,...")
        assert s.scalar(select(RecoveryStatusFile.sha256).where(RecoveryStatusFile.id == raws[a.id].file_id))
        assert s.get(ReliefRequest, old_relief).grounds == gdpr.PSEUDONYMISED
        assert s.get(ReliefRequest, old_relief).amount_cents == 90_000  # the decision's figures stay
        assert s.get(ReliefRequest, recent_relief).grounds.startswith("my illness")
    with session_scope(db_url) as s:
        again = gdpr.apply_retention(s, SYSTEM, AS_OF)
    assert (again.prescribed["recovery_handovers"], again.prescribed["recovery_status_lines"],
            again.prescribed["relief_grounds"]) == (0, 0, 0)


def test_a_pseudonymised_identity_leaves_no_trace_in_bailiff_csvs_partner_lines_or_relief_grounds(db_url):
    """A person ceased in 2012, nothing owed, pseudonymised in 2026: their row of a shared 2024 hand-over CSV loses
    name, NISS and address (the other debtor's row and the checksum stay), their partner lines and relief
    grounds go, though 2024 is not prescribed yet."""
    from caisse.recovery.models import RecoveryHandover, RecoveryStatusLine, ReliefRequest

    with session_scope(db_url) as s:
        old = _ceased(s, 101, dt.date(2005, 1, 1), dt.date(2012, 12, 31))
        other = register_someone(s, seq=107)
        handover, relief = _handed_over(s, old.id, dt.date(2024, 3, 1),
                                        debtors=[(old.id, "OLD Debtor", old.niss), (other.id, "OTHER Debtor",
                                                                                    other.niss)],
                                        status_text=f"{old.id}-1-bailiff,OLD Debtor,{old.niss},served")
        old_id, old_niss, other_id, other_niss = old.id, old.niss, other.id, other.niss
        sha = s.get(RecoveryHandover, handover).csv_sha256
    with session_scope(db_url) as s:
        assert gdpr.apply_retention(s, SYSTEM, AS_OF).identities_pseudonymised == 1
    with session_scope(db_url) as s:
        h = s.get(RecoveryHandover, handover)
        rows = {r["file_number"]: r for r in csv.DictReader(io.StringIO(h.csv_text))}
        assert old_niss not in h.csv_text and "OLD Debtor" not in h.csv_text
        assert rows[str(old_id)]["debtor_name"] == gdpr.PSEUDONYMISED and rows[str(old_id)]["total"] == "930.00"
        assert rows[str(other_id)]["national_number"] == other_niss  # not theirs to lose
        assert h.csv_sha256 == sha
        line = s.scalar(select(RecoveryStatusLine).where(RecoveryStatusLine.party_id == old_id))
        assert line.raw == gdpr.PSEUDONYMISED and old_niss not in (line.error or "")
        assert s.get(ReliefRequest, relief).grounds == gdpr.PSEUDONYMISED
        dump = json.dumps(gdpr.export_file(s, SYSTEM, old_id), default=str)
        assert old_niss not in dump and "OLD Debtor" not in dump and "my illness" not in dump
