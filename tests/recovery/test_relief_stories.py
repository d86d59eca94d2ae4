"""Payment difficulties, as a file's story: a surcharge waiver asked once the quarter is paid (and refused before),
a dispensation refused for a complementary activity, a dispensation granted that writes the quarters off, records
what the person's pension loses and until when it can be bought back, and closes the recovery file — four eyes on
every write-off above the threshold, never decided by the person who recorded it."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.batches import quarterly_call, surcharges
from caisse.batches import recovery as batch
from caisse.cases.models import Case
from caisse.config import Settings
from caisse.documents.relief_letters import decision_pdf
from caisse.errors import InvalidInput
from caisse.ledger import balances, receive_payment
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.recovery import relief, service
from caisse.recovery.models import DispensedQuarter, ReliefRequest
from caisse.security.authz import Forbidden, Principal
from caisse.services import approvals
from caisse.store.db import session_scope

MIN_2026 = 89042  # 2026 main-activity minimum quarter, fee-free [S3]
CLERK = Principal.system("cli:caseworker")
LOW_INCOME = {2022: "9000.00", 2023: "9000.00", 2024: "9000.00"}  # under the minimum: the minimum is called
LOW = Settings(four_eyes_threshold_cents=1_000)  # every waiver here is above it


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def open_of(url, party, account, period) -> int:
    with session_scope(url) as s:
        return sum(b.balance_cents for b in balances(s, party_id=party, accounts=(account,)) if b.period == period)


def count(url, model) -> int:
    with session_scope(url) as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def managers(db_url):
    """Two managers with real accounts: the one who records INASTI's decision, and a second pair of eyes."""
    from caisse.services.accounts import create_account

    with session_scope(db_url) as s:
        a, _ = create_account(s, Principal.system("setup"), "mia", "Correct horse battery staple 42", "manager")
        b, _ = create_account(s, Principal.system("setup"), "noor", "Purple giraffe tennis racket 77", "manager")
        s.flush()
        return (Principal(login="mia", role="manager", account_id=a.id),
                Principal(login="noor", role="manager", account_id=b.id))


def test_a_waiver_asked_before_the_quarter_is_paid_is_refused_then_granted_once_it_is(db_url, fund, managers,
                                                                                       tmp_path):
    mia, noor = managers
    ana = fund.person(category="main", start=d("2020-01-01"), incomes=LOW_INCOME)
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")  # 890.42 due on 31 March
    surcharges.run(db_url, d("2026-04-01"))  # unpaid at the quarter's end: 3 % = 26.71
    assert open_of(db_url, ana, "surcharge", "2026Q1") == 2671

    # a waiver before payment: refused, naming the quarter, nothing written
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        relief.request_waiver(s, CLERK, ana, "2026Q1", "hospitalised from January to March", "hardship",
                              d("2026-04-05"))
    assert err.value.field == "quarters[0]"
    assert "not fully paid (890.42 EUR still open)" in str(err.value)
    assert count(db_url, ReliefRequest) == 0

    with session_scope(db_url) as s:  # she pays the contribution late; the surcharge stays
        receive_payment(s, "coda/ana/1", d("2026-04-20"), MIN_2026, ana)
    assert open_of(db_url, ana, "contribution", "2026Q1") == 0
    assert open_of(db_url, ana, "surcharge", "2026Q1") == 2671

    with session_scope(db_url) as s:
        r = relief.request_waiver(s, CLERK, ana, "2026Q1", "hospitalised from January to March", "hardship",
                                  d("2026-04-21"))
        rid, case_id = r.id, r.case_id
        assert (r.status, r.amount_cents, r.lines[0]["surcharge"]) == ("requested", 2671, 2671)
        assert s.get(Case, case_id).kind == "surcharge_waiver"  # the recovery batch waits while it is open
        path, n = relief.export_requests(s, CLERK, "surcharge_waiver", d("2026-04-22"), tmp_path)
    assert n == 1
    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter=";"))
    assert [(r["format"], r["request_id"], r["quarter"], r["contribution_paid"], r["surcharge"]) for r in rows] == [
        ("caisse-inasti-surcharge-waiver/1", str(rid), "2026Q1", "Y", "26.71")]
    with session_scope(db_url) as s:  # a rerun sends nothing twice
        assert relief.export_requests(s, CLERK, "surcharge_waiver", d("2026-04-23"), tmp_path) == (None, 0)

    # INASTI grants it; Mia records it — above the threshold, she cannot approve her own write-off
    with session_scope(db_url) as s:
        r = relief.record_decision(s, mia, rid, d("2026-06-10"), decided_on=d("2026-06-05"), reference="RSVZ-W-77",
                                   granted="2026Q1", settings=LOW)
        assert r.status == "awaiting_approval"
        approval_id = r.approval_id
    with pytest.raises(Forbidden), session_scope(db_url) as s:
        approvals.decide(s, mia, approval_id, True, "looks right", d("2026-06-10"))
    assert open_of(db_url, ana, "surcharge", "2026Q1") == 2671  # nothing given up yet
    with session_scope(db_url) as s:
        approvals.decide(s, noor, approval_id, True, "INASTI letter checked", d("2026-06-11"))

    assert open_of(db_url, ana, "surcharge", "2026Q1") == 0
    with session_scope(db_url) as s:
        r = s.get(ReliefRequest, rid)
        assert (r.status, r.written_off_cents, r.ledger_key) == ("granted", 2671, f"relief/{rid}/write-off")
        entries = s.execute(select(LedgerEntry.account, LedgerEntry.amount_cents, LedgerEntry.rule)
                            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
                            .where(LedgerTransaction.key == r.ledger_key)).all()
        assert sorted(e[:2] for e in entries) == [("surcharge", -2671), ("write_off", 2671)]
        assert all("renonciation" in e.rule for e in entries)
        c = s.get(Case, case_id)
        assert c.status == "closed"
        report = run_check(s)
        assert report.ok, report.breaches
        pdf = decision_pdf(s, rid)
        assert pdf.startswith(b"%PDF") and b"Renonciation aux majorations accord" in pdf

    surcharges.run(db_url, d("2026-07-01"))  # the quarter is paid: nothing new, nothing corrected back
    assert open_of(db_url, ana, "surcharge", "2026Q1") == 0


def test_a_dispensation_for_a_complementary_activity_is_refused(db_url, fund):
    bo = fund.person(category="complementary", start=d("2020-01-01"), incomes={2023: "30000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        case_id = relief.pension_notice(s, CLERK, bo, "2026Q1", d("2026-04-10"))[0].case_id
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        relief.request_dispensation(s, CLERK, bo, "2026Q1", "my main client went bankrupt", d("2026-04-12"),
                                    signed_personally=True, case_id=case_id)
    assert err.value.field == "category" and "complementary activity can never be dispensed" in str(err.value)
    with session_scope(db_url) as s:  # only the information given stays on file
        assert s.scalars(select(ReliefRequest.status)).all() == ["informed"]


def test_dispensation_requests_that_cannot_be_made_say_why(db_url, fund):
    cy = fund.person(category="main", start=d("2020-01-01"), incomes=LOW_INCOME)
    quarterly_call.run(db_url, "2024Q4", fee_rate="0")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    ask = dict(grounds="lost my only client", signed_personally=True, informed_on=d("2026-04-01"))
    for quarters, today, field, words in (
            ("2026Q3", d("2026-04-10"), "quarters[0]", "no dispensation for a future quarter"),
            ("2024Q4", d("2026-04-10"), "quarters[0]", "had to be asked by 2025-12-31"),
            ("2026Q1,2026Q1", d("2026-04-10"), "quarters[1]", "named twice")):
        with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
            relief.request_dispensation(s, CLERK, cy, quarters, today=today, **ask)
        assert err.value.field == field and words in str(err.value), str(err.value)
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # not informed of the pension consequence
        relief.request_dispensation(s, CLERK, cy, "2026Q1", "lost my only client", d("2026-04-10"),
                                    signed_personally=True)
    assert err.value.field == "informed_on"
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # the accountant cannot sign it
        relief.request_dispensation(s, CLERK, cy, "2026Q1", "lost my only client", d("2026-04-10"),
                                    signed_personally=False, informed_on=d("2026-04-01"))
    assert err.value.field == "signed_personally"
    assert count(db_url, ReliefRequest) == 0


def test_a_dispensation_granted_writes_the_quarters_off_records_the_pension_loss_and_closes_the_file(
        db_url, fund, managers, tmp_path):
    mia, noor = managers
    eva = fund.person(category="main", start=d("2020-01-01"), language="nl", incomes=LOW_INCOME)
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    quarterly_call.run(db_url, "2026Q2", fee_rate="0")
    surcharges.run(db_url, d("2026-07-01"))  # Q1: 3 % twice, Q2: 3 % once
    batch.run(db_url, d("2026-04-16"))
    with session_scope(db_url) as s:
        assert service.file_of(s, eva).stage == "reminder"

    # first the pension consequence, written to her in her request, in Dutch; she decides after reading it
    with session_scope(db_url) as s:
        informed, lines = relief.pension_notice(s, CLERK, eva, "2026Q1,2026Q2", d("2026-07-06"))
        case_id = informed.case_id
        text = "\n".join(x for _, x in lines)
        assert "tellen niet mee voor uw pensioen" in text
        assert "2026Q1: bijdrage van € 890,42 — te betalen uiterlijk op 31-03-2031" in text
    with session_scope(db_url) as s:
        r = relief.request_dispensation(s, CLERK, eva, "2026Q2,2026Q1", "serious illness since February",
                                        d("2026-07-08"), signed_personally=True, case_id=case_id)
        rid = r.id
        assert (r.periods, r.informed_on, r.amount_cents) == (["2026Q1", "2026Q2"], d("2026-07-06"), 2 * MIN_2026)
    summary = batch.run(db_url, d("2026-07-10"))  # pending request: the file does not move
    assert summary.skipped == {"a request is pending (open case)": 1}

    with session_scope(db_url) as s:
        path, _ = relief.export_requests(s, CLERK, "dispensation", d("2026-07-09"), tmp_path)
    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter=";"))
    assert [(r["quarter"], r["category"], r["contribution"], r["signed_personally"], r["informed_on"])
            for r in rows] == [("2026Q1", "main", "890.42", "Y", "2026-07-06"), ("2026Q2", "main", "890.42", "Y",
                                                                                  "2026-07-06")]

    # INASTI's answer comes back in our decision file; the write-off (1,780.84 + surcharges) needs four eyes
    answer = tmp_path / "decisions.csv"
    answer.write_text(
        "format;request_id;quarter;outcome;amount;surcharges;decided_on;reference;reason\n"
        f"caisse-inasti-dispensation-decision/1;{rid};2026Q1;granted;;included;2026-09-01;RSVZ-D-12;\n"
        f"caisse-inasti-dispensation-decision/1;{rid};2026Q2;granted;;included;2026-09-01;RSVZ-D-12;\n",
        encoding="utf-8")
    with session_scope(db_url) as s:
        [r] = relief.import_decisions(s, mia, answer, d("2026-09-03"))
        assert r.status == "awaiting_approval"
        approval_id = r.approval_id
    with pytest.raises(Exception), session_scope(db_url) as s:  # the same file twice: refused
        relief.import_decisions(s, mia, answer, d("2026-09-03"))
    with session_scope(db_url) as s:
        approvals.decide(s, noor, approval_id, True, "matches INASTI's decision", d("2026-09-04"))

    for period in ("2026Q1", "2026Q2"):
        assert open_of(db_url, eva, "contribution", period) == 0
        assert open_of(db_url, eva, "surcharge", period) == 0
    with session_scope(db_url) as s:
        r = s.get(ReliefRequest, rid)
        assert r.status == "granted" and r.written_off_cents == 2 * MIN_2026 + 2671 * 3
        quarters = s.scalars(select(DispensedQuarter).where(DispensedQuarter.party_id == eva)
                             .order_by(DispensedQuarter.period)).all()
        assert [(q.period, q.dispensed_cents, q.granted_on, q.buyback_deadline) for q in quarters] == [
            ("2026Q1", MIN_2026, d("2026-09-01"), d("2031-03-31")),
            ("2026Q2", MIN_2026, d("2026-09-01"), d("2031-06-30"))]
        f = service.file_of(s, eva)
        assert (f.stage, f.closing_reason) == ("closed", "dispensation")
        assert run_check(s).ok
        pdf = decision_pdf(s, rid)
        assert b"Vrijstelling van bijdragen toegekend" in pdf and b"31-03-2031" in pdf
        from caisse.services.gdpr import export_file

        held = export_file(s, CLERK, eva)  # right of access: the request and the career consequence are in it
        assert [x["status"] for x in held["dispensation_and_waiver_requests"]] == ["granted"]
        assert [x["period"] for x in held["dispensed_quarters"]] == ["2026Q1", "2026Q2"]

    surcharges.run(db_url, d("2026-10-01"))  # dispensed: no surcharge arises any more
    assert open_of(db_url, eva, "surcharge", "2026Q1") == 0


def test_a_refused_dispensation_keeps_the_debt_and_recovery_resumes(db_url, fund, tmp_path):
    fa = fund.person(category="main", start=d("2020-01-01"), incomes=LOW_INCOME)
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        r = relief.request_dispensation(s, CLERK, fa, "2026Q1", "a difficult year for the shop", d("2026-04-10"),
                                        signed_personally=True, informed_on=d("2026-04-09"))
        rid = r.id
        relief.export_requests(s, CLERK, "dispensation", d("2026-04-10"), tmp_path)
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # a refusal needs INASTI's reasons
        relief.record_decision(s, CLERK, rid, d("2026-06-02"), decided_on=d("2026-06-01"), reference="RSVZ-D-13",
                               granted="")
    assert err.value.field == "reason"
    with session_scope(db_url) as s:
        r = relief.record_decision(s, CLERK, rid, d("2026-06-02"), decided_on=d("2026-06-01"),
                                   reference="RSVZ-D-13", granted="", reason="income sufficient to pay")
        assert (r.status, r.approval_id) == ("refused", None)
    assert open_of(db_url, fa, "contribution", "2026Q1") == MIN_2026
    assert batch.run(db_url, d("2026-06-03")).details["-> reminder"] == 1


def test_surcharges_already_paid_and_partly_waived_come_back_as_credit(db_url, fund, tmp_path):
    gil = fund.person(category="main", start=d("2020-01-01"), incomes=LOW_INCOME, language="de")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    surcharges.run(db_url, d("2026-04-01"))
    with session_scope(db_url) as s:  # he pays everything, the 26.71 surcharge included
        receive_payment(s, "coda/gil/1", d("2026-04-20"), MIN_2026 + 2671, gil)
        r = relief.request_waiver(s, CLERK, gil, "2026Q1", "fire in the workshop in March", "force_majeure",
                                  d("2026-04-21"))
        rid = r.id
        relief.export_requests(s, CLERK, "surcharge_waiver", d("2026-04-21"), tmp_path)
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # a quarter he did not ask
        relief.record_decision(s, CLERK, rid, d("2026-06-02"), decided_on=d("2026-06-01"), reference="RSVZ-W-8",
                               granted="2026Q2")
    assert err.value.field == "granted[0]"
    with session_scope(db_url) as s:  # INASTI waives 20.00 of the 26.71: under the threshold, executed at once
        r = relief.record_decision(s, CLERK, rid, d("2026-06-02"), decided_on=d("2026-06-01"), reference="RSVZ-W-8",
                                   granted="2026Q1:20.00", reason="partly: the fire explains one month")
        assert (r.status, r.written_off_cents) == ("partly_granted", 2000)
        from caisse.ledger import credit_available

        assert credit_available(s, gil) == 2000  # to be refunded or set off against the next quarter
        assert run_check(s).ok
        assert b"Erlass der Zuschl" in decision_pdf(s, rid)
    assert open_of(db_url, gil, "surcharge", "2026Q1") == 0  # released to credit: nothing negative left


def test_the_write_off_never_exceeds_what_the_manager_approved(db_url, fund, managers, tmp_path):
    """A surcharge charged between the recorded decision and the approval is not written off with it: the manager
    approved the amounts recorded then; what grew waits for a decision of its own."""
    from caisse.ledger import DebtLine, charge

    mia, noor = managers
    ana = fund.person(category="main", start=d("2020-01-01"), incomes=LOW_INCOME)
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    surcharges.run(db_url, d("2026-04-01"))
    with session_scope(db_url) as s:
        receive_payment(s, "coda/ana/1", d("2026-04-20"), MIN_2026, ana)
    with session_scope(db_url) as s:
        rid = relief.request_waiver(s, CLERK, ana, "2026Q1", "hospitalised", "hardship", d("2026-04-21")).id
        relief.export_requests(s, CLERK, "surcharge_waiver", d("2026-04-22"), tmp_path)
    with session_scope(db_url) as s:
        approval_id = relief.record_decision(s, mia, rid, d("2026-06-10"), decided_on=d("2026-06-05"),
                                             reference="RSVZ-W-78", granted="2026Q1", settings=LOW).approval_id
    with session_scope(db_url) as s:  # charged after the decision was recorded (e.g. a correction)
        charge(s, "test/late-surcharge", ana, "2026Q1", d("2026-06-10"), d("2026-06-10"),
               [DebtLine("surcharge", 500, "art. 44 AR 19-12-1967", "late_surcharge_quarterly_rate", {"text": "t"})])
    with session_scope(db_url) as s:
        approvals.decide(s, noor, approval_id, True, "checked", d("2026-06-11"))
    assert open_of(db_url, ana, "surcharge", "2026Q1") == 500  # only the 26.71 approved went
    with session_scope(db_url) as s:
        assert s.get(ReliefRequest, rid).written_off_cents == 2671
