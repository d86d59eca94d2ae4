"""The desk's recovery pages and API: a recovery officer opens a debtor in arrears, reads the advice, logs the
personal contact, asks a plan, records relief requests — each refusal is the service's own, naming the field, shown
in the form that was sent, nothing written; another team's file needs a reason to read and allows no change."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from caisse.batches import quarterly_call
from caisse.ledger import DebtLine, charge
from caisse.recovery import service as recovery
from caisse.recovery.models import PaymentPlan, RecoveryStep, ReliefRequest
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, Party
from support.web import form_login, log_in, make_account

sys.path.insert(0, str(Path(__file__).parent.parent / "batches"))
from fund import Fund  # noqa: E402

SYSTEM = Principal.system("test")
LOW_INCOME = {2022: "9000.00", 2023: "9000.00", 2024: "9000.00"}


@pytest.fixture
def arrears(db_url):
    """Two debtors behind on 2021Q2 (prescribed on 1 January 2027) and on 2026Q1–Q3: Ana of team t1, her file at
    the personal contact; Bert of team t2, at the reminder."""
    fund = Fund(db_url)
    ana = fund.person(category="main", start=dt.date(2019, 1, 1), incomes=LOW_INCOME)
    bert = fund.person(category="main", start=dt.date(2019, 1, 1), incomes=LOW_INCOME)
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == ana).values(team="t1"))
        s.execute(update(Party).where(Party.id == bert).values(team="t2"))
    for q in ("2026Q1", "2026Q2", "2026Q3"):
        quarterly_call.run(db_url, q, fee_rate="0")
    with session_scope(db_url) as s:  # 2021Q2, never paid nor pursued: prescribed on 1 January 2027
        for pid in (ana, bert):
            charge(s, f"test-call/{pid}/2021Q2", pid, "2021Q2", dt.date(2021, 6, 30), dt.date(2021, 4, 5),
                   [DebtLine("contribution", 89042, "RD38 art.12 §1", "test")])
    today = dt.date.today()
    with session_scope(db_url) as s:
        for stage in ("reminder", "statement", "formal_notice", "personal_contact"):
            recovery.move(s, SYSTEM, ana, stage, "test set-up", today)
        recovery.move(s, SYSTEM, bert, "reminder", "test set-up", today)
    return {"ana": ana, "bert": bert}


def page_client(app_for, db_url, role, **kw):
    login, secret = make_account(db_url, role, **kw)
    c = TestClient(app_for, headers={"accept-language": "en"})
    assert form_login(c, login, secret).status_code == 303
    return c


def api_client(app_for, db_url, role, **kw):
    login, secret = make_account(db_url, role, **kw)
    c = TestClient(app_for)
    log_in(c, login, secret)
    return c


def csrf_of(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def steps_of(db_url, pid) -> int:
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(RecoveryStep).where(RecoveryStep.party_id == pid))


def test_a_recovery_officer_reads_the_file_and_the_advice_and_logs_the_personal_contact(app_for, db_url, arrears):
    ana = arrears["ana"]
    with page_client(app_for, db_url, "recovery_officer", team="t1") as c:
        page = c.get(f"/desk/files/{ana}/recovery")
        assert page.status_code == 200, page.text
        text = page.text
        # stage, history, what is due, prescription of each open debt, the advice and its four solutions
        assert "personal contact" in text and "formal notice" in text
        assert "2026Q3" in text and "2021Q2" in text
        # 2026Q1–Q3: five years from 1 January 2027; 2021Q2 would have prescribed on 1 January 2027, but the formal
        # notice (registered letter) of today interrupted it: five years from tomorrow
        rows = dict(re.findall(r"<tr><td>(20\d\dQ\d)</td><td>contribution</td>.*?<td>([^<]+)</td></tr>", text))
        tomorrow = dt.date.today() + dt.timedelta(days=1)
        assert rows["2026Q1"] == "1 Jan 2032"
        assert rows["2021Q2"] == format_date(tomorrow.replace(year=tomorrow.year + 5), "medium", locale="en_GB")
        for solution in ("Reduction of the provisional contributions", "Surcharge waiver", "Payment plan",
                         "Dispensation of contributions"):
            assert solution in text
        assert "NO PENSION RIGHTS" in text  # the dispensation's cost, in the advisor's words
        assert f'action="/desk/files/{ana}/recovery/contact"' in text
        before = steps_of(db_url, ana)
        r = c.post(f"/desk/files/{ana}/recovery/contact", data={
            "csrf_token": csrf_of(page), "channel": "phone", "outcome": "Called: will ask a payment plan"},
            follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("/recovery#history")
        after = c.get(f"/desk/files/{ana}/recovery").text
        assert "personal contact logged" in after and "phone: Called: will ask a payment plan" in after
        assert steps_of(db_url, ana) == before + 1
        assert 'id="contact-outcome"' not in after  # logged once a cycle; a second one (a double click) is refused
        r = c.post(f"/desk/files/{ana}/recovery/contact", data={
            "csrf_token": csrf_of(page), "channel": "phone", "outcome": "Called again"})
        assert r.status_code == 422 and "File: the personal contact was already logged" in r.text
        assert steps_of(db_url, ana) == before + 1
    with session_scope(db_url) as s:
        reads = s.scalars(select(AuditLog).where(AuditLog.party_id == ana, AuditLog.entity == "recovery_file",
                                                 AuditLog.action == "read").order_by(AuditLog.id)).all()
        assert len(reads) == 3 and "best-solution advice" in reads[0].detail["what"]  # every page shown
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.party_id == ana, AuditLog.action == "recovery_contact")) == 1


def test_a_refused_action_shows_the_services_field_named_message_in_its_form_and_writes_nothing(
        app_for, db_url, arrears):
    ana = arrears["ana"]
    with page_client(app_for, db_url, "recovery_officer", team="t1") as c:
        csrf = csrf_of(c.get(f"/desk/files/{ana}/recovery"))
        before = steps_of(db_url, ana)
        # the first judicial step before the personal contact is logged
        r = c.post(f"/desk/files/{ana}/recovery/move", data={"csrf_token": csrf, "to_stage": "enforcement",
                                                              "reason": "no answer"})
        assert r.status_code == 422
        assert 'id="move-error"' in r.text and "Next stage: the personal contact must be logged" in r.text
        assert re.search(r'<select id="move-to" name="to_stage" required aria-describedby="move-error" '
                         r'aria-invalid="true">', r.text)
        assert "no answer" in r.text  # what was typed is kept
        # a plan that does not cover the debt
        r = c.post(f"/desk/files/{ana}/recovery/plan", data={
            "csrf_token": csrf, "schedule": f"{dt.date.today() + dt.timedelta(days=10)}:100.00", "reason": "asked"})
        assert r.status_code == 422 and "Schedule: the schedule (100.00 EUR) does not cover" in r.text
        assert 'aria-describedby="plan-hint plan-error" aria-invalid="true"' in r.text
        # a waiver for quarters whose contributions are not paid
        r = c.post(f"/desk/files/{ana}/recovery/relief", data={
            "csrf_token": csrf, "kind": "surcharge_waiver", "quarters": "2026Q1",
            "grounds": "a long illness kept me from working", "ground_kind": "hardship"})
        assert r.status_code == 422 and 'id="relief-error"' in r.text and "Quarters (1):" in r.text
        # a dispensation without the pension consequence told first
        r = c.post(f"/desk/files/{ana}/recovery/relief", data={
            "csrf_token": csrf, "kind": "dispensation", "quarters": "2026Q3", "grounds": "a long illness",
            "signed_personally": "yes"})
        assert r.status_code == 422 and "Information on the pension:" in r.text
        # without the CSRF token nothing is even tried
        assert c.post(f"/desk/files/{ana}/recovery/move", data={"to_stage": "court", "reason": "x"}).status_code \
            == 403
        assert steps_of(db_url, ana) == before
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(ReliefRequest)) == 0
        assert s.scalar(select(func.count()).select_from(PaymentPlan)) == 0


def test_a_plan_asked_on_the_page_waits_for_a_manager_and_a_dispensation_is_told_then_recorded(
        app_for, db_url, arrears):
    ana = arrears["ana"]
    with page_client(app_for, db_url, "recovery_officer", team="t1") as c:
        page = c.get(f"/desk/files/{ana}/recovery")
        csrf = csrf_of(page)
        suggested = re.search(r'<textarea id="plan-schedule"[^>]*>([^<]+)</textarea>', page.text).group(1)
        r = c.post(f"/desk/files/{ana}/recovery/plan", data={"csrf_token": csrf, "schedule": suggested,
                                                              "reason": "asked on the phone"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        assert "waiting for a decision" in c.get(f"/desk/files/{ana}/recovery").text  # four eyes: above 500 EUR
        r = c.post(f"/desk/files/{ana}/recovery/relief", data={"csrf_token": csrf, "kind": "inform",
                                                                "quarters": "2026Q3"}, follow_redirects=False)
        assert r.status_code == 303
        page = c.get(f"/desk/files/{ana}/recovery")
        assert "informed of the pension consequence" in page.text
        case_id = re.search(r'<select id="relief-case" name="case_id"><option value="">—</option>'
                            r'<option value="(\d+)" selected>', page.text).group(1)
        r = c.post(f"/desk/files/{ana}/recovery/relief", data={
            "csrf_token": csrf, "kind": "dispensation", "quarters": "2026Q3", "grounds": "a long illness this autumn",
            "signed_personally": "yes", "case_id": case_id}, follow_redirects=False)
        assert r.status_code == 303, r.text
        assert "recorded, to send to INASTI" in c.get(f"/desk/files/{ana}/recovery").text
    with session_scope(db_url) as s:
        plan = s.scalar(select(PaymentPlan).where(PaymentPlan.party_id == ana))
        assert plan.status == "pending" and plan.reason == "asked on the phone"
        r = s.scalar(select(ReliefRequest).where(ReliefRequest.party_id == ana))
        assert (r.kind, r.status, r.periods) == ("dispensation", "requested", ["2026Q3"])


def test_another_teams_file_needs_a_reason_to_read_and_allows_no_change(app_for, db_url, arrears):
    bert = arrears["bert"]
    with page_client(app_for, db_url, "recovery_officer", team="t1") as c:
        r = c.get(f"/desk/files/{bert}/recovery", headers={"accept": "text/html"})
        assert r.status_code == 403 and "another team" in r.text and 'name="reason"' in r.text
        r = c.post("/desk/need-to-know", data={"csrf_token": csrf_of(r), "party_id": str(bert),
                                               "reason_kind": "contact", "reason": "the person phoned our office",
                                               "next": f"/desk/files/{bert}/recovery"}, follow_redirects=False)
        assert r.status_code == 303
        page = c.get(f"/desk/files/{bert}/recovery")
        assert page.status_code == 200
        r = c.post(f"/desk/files/{bert}/recovery/move", data={"csrf_token": csrf_of(page), "to_stage": "statement",
                                                               "reason": "next"})
        assert r.status_code == 403
    with session_scope(db_url) as s:
        read = s.scalar(select(AuditLog).where(AuditLog.party_id == bert, AuditLog.entity == "recovery_file",
                                           AuditLog.action == "read").order_by(AuditLog.id))
        assert read.reason == "contact: the person phoned our office"
    assert steps_of(db_url, bert) == 1


def test_auditors_read_without_forms_benefits_officers_and_affiliates_are_refused(app_for, db_url, arrears):
    ana = arrears["ana"]
    with page_client(app_for, db_url, "auditor") as c:
        page = c.get(f"/desk/files/{ana}/recovery")
        assert page.status_code == 200 and "/recovery/contact" not in page.text and "Best solution" in page.text
        nl = c.get(f"/desk/files/{ana}/recovery?lang=nl").text
        assert "Beste oplossing" in nl and "Verjaring van de openstaande schulden" in nl and "Afbetalingsplan" in nl
        de = c.get(f"/desk/files/{ana}/recovery?lang=de").text
        assert "Beste Lösung" in de and "Erlass der Zuschläge" in de and "01.01.2032" in de
    with page_client(app_for, db_url, "benefits_officer", team="t1") as c:
        assert c.get(f"/desk/files/{ana}/recovery").status_code == 403
        assert c.get("/desk/recovery").status_code == 403


def test_the_overview_counts_per_stage_and_lists_the_debts_about_to_prescribe_of_ones_team(
        app_for, db_url, arrears):
    ana, bert = arrears["ana"], arrears["bert"]
    with page_client(app_for, db_url, "caseworker", team="t1") as c:
        page = c.get("/desk/recovery")
        assert page.status_code == 200
        assert re.search(r"personal contact</th><td class=\"num\">1</td>", page.text)
        assert re.search(r"reminder</th><td class=\"num\">1</td>", page.text)
        # Ana's 2021Q2 was interrupted by the formal notice; Bert's (team t2) prescribes on 1 January 2027: counted
        assert "No debt prescribes by then." in page.text and "1 more on other teams' files" in page.text
        assert f"/desk/files/{bert}/recovery" not in page.text
        assert "Bailiffs and lawyers" not in page.text  # partners' balances: managers
    with page_client(app_for, db_url, "manager") as c:
        page = c.get("/desk/recovery")
        assert f'href="/desk/files/{bert}/recovery#prescription"' in page.text and "2027-01-01" in page.text
        assert f"/desk/files/{ana}/recovery" not in page.text
        assert "Bailiffs and lawyers" in page.text
    with session_scope(db_url) as s:
        listed = set(s.scalars(select(AuditLog.party_id).where(AuditLog.entity == "prescription_report")))
        assert listed == {bert}


def test_the_api_reads_and_acts_like_the_page(app_for, db_url, arrears):
    ana, bert = arrears["ana"], arrears["bert"]
    with api_client(app_for, db_url, "recovery_officer", team="t1") as c:
        r = c.get(f"/api/files/{ana}/recovery")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["file"]["stage"] == "personal_contact" and body["moves_by_hand"] == ["enforcement", "court",
                                                                                         "closed"]
        by_period = {(d["period"], d["kind"]): d for d in body["prescription"]}
        tomorrow = dt.date.today() + dt.timedelta(days=1)
        assert by_period[("2021Q2", "contribution")]["prescription_date"] == tomorrow.replace(
            year=tomorrow.year + 5).isoformat()
        assert by_period[("2021Q2", "contribution")]["last_interruption_kind"] == "formal_notice"
        assert by_period[("2026Q1", "contribution")]["prescription_date"] == "2032-01-01"
        assert {o["kind"] for o in body["advice"]["options"]} == {"reduction", "surcharge_waiver", "payment_plan",
                                                                  "dispensation"}
        assert c.get(f"/api/files/{ana}/recovery/advice").json()["owed"] == body["advice"]["owed"]
        r = c.post(f"/api/files/{ana}/recovery/move", json={"to_stage": "enforcement", "reason": "no answer"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "to_stage"]
        r = c.post(f"/api/files/{ana}/recovery/contact", json={"outcome": "met at the office", "channel": "meeting"})
        assert r.status_code == 201 and r.json()["event"] == "contact"
        due = dt.date.today() + dt.timedelta(days=10)
        r = c.post(f"/api/files/{ana}/recovery/plan", json={"schedule": [{"due_date": due.isoformat(),
                                                                          "amount": "1.00"}], "reason": "asked"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "schedule"]
        r = c.post(f"/api/files/{ana}/recovery/relief", json={"kind": "inform", "quarters": "2026Q2"})
        assert r.status_code == 201 and r.json()["status"] == "informed"
        assert c.get("/api/recovery/report").json()["stages"][3] == {"stage": "personal_contact", "debtors": 1,
                                                                     "amount": body["advice"]["owed"]}
        presc = c.get("/api/recovery/prescription").json()
        assert presc["rows"] == [] and presc["other_teams_rows"] == 1  # Bert's 2021Q2, of team t2
        assert c.get("/api/recovery/partner-balances").status_code == 403
        # another team's file: a reason to read, never a change
        assert c.get(f"/api/files/{bert}/recovery").json()["need_to_know"] is True
        assert c.post(f"/api/files/{bert}/recovery/contact", json={"outcome": "x"}).status_code == 403
    with api_client(app_for, db_url, "manager") as c:
        assert c.get("/api/recovery/partner-balances").json()["partners"] == []


def test_the_debtors_letter_after_the_formal_notice_is_recorded_on_the_desk_and_rules_out_the_contrainte(
        app_for, db_url, arrears):
    ana = arrears["ana"]  # formal notice of today, at the personal contact
    today = dt.date.today()
    with page_client(app_for, db_url, "recovery_officer", team="t1") as c:
        page = c.get(f"/desk/files/{ana}/recovery")
        assert f'action="/desk/files/{ana}/recovery/contest"' in page.text
        r = c.post(f"/desk/files/{ana}/recovery/contest", data={
            "csrf_token": csrf_of(page), "kind": "contest", "received_on": "", "note": "contests the surcharges"})
        assert r.status_code == 422 and "Received on: a date is required" in r.text
        r = c.post(f"/desk/files/{ana}/recovery/contest", data={
            "csrf_token": csrf_of(page), "kind": "contest", "received_on": today.isoformat(),
            "note": "contests the surcharges"}, follow_redirects=False)
        assert r.status_code == 303
        assert "Recorded: contests the sums, received on" in c.get(f"/desk/files/{ana}/recovery").text
    with session_scope(db_url) as s:
        f = recovery.file_of(s, ana)
        assert (f.contest_kind, f.contested_on) == ("contest", today)
