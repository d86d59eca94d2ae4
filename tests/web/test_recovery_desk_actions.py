"""The recovery desk's actions that were command-line only: a recovery officer calls a director for the company
contribution (and a company for its director) from the file, records a bankruptcy, declares the claim to the
trustee, books the dividend and closes the procedure (the write-offs through four eyes), and hands the files over
to the bailiffs and lawyers — each the service's own rules and refusals, each audited."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from caisse.ledger import DebtLine, charge
from caisse.recovery import service as recovery
from caisse.recovery.models import JointCall, RecoveryBankruptcy, RecoveryHandover
from caisse.security.authz import Principal
from caisse.services.affiliation import add_director
from caisse.store.db import session_scope
from caisse.store.models import Approval, AuditLog, Party
from support.web import form_login, make_account

sys.path.insert(0, str(Path(__file__).parent.parent / "batches"))
from fund import Fund  # noqa: E402

SYSTEM = Principal.system("test")
Q = 89042


def page_client(app_for, db_url, role, **kw):
    from fastapi.testclient import TestClient

    login, secret = make_account(db_url, role, **kw)
    c = TestClient(app_for, headers={"accept-language": "en"})
    assert form_login(c, login, secret).status_code == 303
    return c


def csrf_of(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def audited(db_url, party, action) -> int:
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.party_id == party,
                                                                         AuditLog.action == action))


@pytest.fixture
def company(db_url):
    """Team t1's company, its 2025 company contribution unpaid; Dirk its director since 2024; Dirk's own 2025Q4
    unpaid too. Eve (team t1) was never a director."""
    fund = Fund(db_url)
    dirk = fund.person(category="main", start=dt.date(2019, 1, 1), language="de")
    eve = fund.person(category="main", start=dt.date(2019, 1, 1))
    co = fund.company(start=dt.date(2019, 1, 1), language="nl")
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id.in_([dirk, eve, co])).values(team="t1"))
        add_director(s, co, dirk, dt.date(2024, 1, 1), SYSTEM)
        charge(s, f"company-call/2025/{co}", co, "2025", dt.date(2025, 12, 31), dt.date(2025, 10, 1),
               [DebtLine("company_contribution", 39973, "RD38 art. 91", "company_contribution_small")])
        charge(s, f"test-call/{dirk}/2025Q4", dirk, "2025Q4", dt.date(2025, 12, 31), dt.date(2025, 10, 5),
               [DebtLine("contribution", Q, "RD38 art.12 §1", "test")])
    return {"co": co, "dirk": dirk, "eve": eve}


def test_a_recovery_officer_calls_the_director_for_the_company_contribution_and_the_company_for_the_director(
        app_for, db_url, company):
    co, dirk, eve = company["co"], company["dirk"], company["eve"]
    with page_client(app_for, db_url, "recovery_officer", team="t1") as c:
        page = c.get(f"/desk/files/{co}/recovery")
        assert page.status_code == 200 and "Call a jointly liable party" in page.text
        assert f'<option value="{dirk}">' in page.text  # the company's directors, offered
        # Eve was never a director: refused in the form, naming the field, nothing written
        r = c.post(f"/desk/files/{co}/recovery/joint-call", data={
            "csrf_token": csrf_of(page), "liable": "director", "other": str(eve), "reason": "the company is silent"})
        assert r.status_code == 422 and 'id="joint-error"' in r.text and "director: person" in r.text
        assert 'id="joint-other" name="other"' in r.text and "the company is silent" in r.text
        r = c.post(f"/desk/files/{co}/recovery/joint-call", data={
            "csrf_token": csrf_of(page), "liable": "director", "other": str(dirk), "reason": "the company is silent"},
            follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("/recovery#joint")
        page = c.get(f"/desk/files/{co}/recovery")
        assert "399.73" in page.text and "Still open" in page.text
        # from the director's file: the same call, and the company called for his own 2025Q4
        page = c.get(f"/desk/files/{dirk}/recovery")
        r = c.post(f"/desk/files/{dirk}/recovery/joint-call", data={
            "csrf_token": csrf_of(page), "liable": "company", "other": str(co), "reason": "Dirk cannot pay"},
            follow_redirects=False)
        assert r.status_code == 303, r.text
        with session_scope(db_url) as s:
            calls = {jc.liable: jc.id for jc in s.scalars(select(JointCall))}
        assert set(calls) == {"company", "director"}
        page = c.get(f"/desk/files/{dirk}/recovery").text
        for call_id in calls.values():
            assert f"/desk/files/{dirk}/recovery/joint-calls/{call_id}/letter.pdf" in page
        letter = c.get(f"/desk/files/{dirk}/recovery/joint-calls/{calls['director']}/letter.pdf")
        assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
        assert b"Gesamtschuldnerische Haftung" in letter.content  # Dirk's language
        # a call of other files is not reachable through Eve's file
        assert c.get(f"/desk/files/{eve}/recovery/joint-calls/{calls['director']}/letter.pdf").status_code == 404
    assert audited(db_url, co, "joint_call") == 2 and audited(db_url, dirk, "joint_call") == 2
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "joint_call_letter", AuditLog.party_id == dirk)) == 1


def test_an_auditor_reads_the_joint_calls_but_has_no_form(app_for, db_url, company):
    with page_client(app_for, db_url, "auditor") as c:
        page = c.get(f"/desk/files/{company['co']}/recovery")
        assert page.status_code == 200 and "Joint liability" in page.text
        assert "/recovery/joint-call\"" not in page.text and "/recovery/bankruptcy\"" not in page.text


@pytest.fixture
def debtor(db_url):
    """Ana (team t1): 2025Q3 and 2025Q4 unpaid, her file at the bailiff stage after the contact and the contrainte."""
    fund = Fund(db_url)
    ana = fund.person(category="main", start=dt.date(2019, 1, 1))
    today = dt.date.today()
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == ana).values(team="t1"))
        for period, due in (("2025Q3", "2025-09-30"), ("2025Q4", "2025-12-31")):
            charge(s, f"test-call/{ana}/{period}", ana, period, dt.date.fromisoformat(due),
                   dt.date.fromisoformat(due) - dt.timedelta(days=80), [DebtLine("contribution", Q, "RD38", "test")])
    with session_scope(db_url) as s:
        for stage, days in (("reminder", 200), ("statement", 170), ("formal_notice", 140), ("personal_contact", 100)):
            recovery.move(s, SYSTEM, ana, stage, "test set-up", today - dt.timedelta(days=days))
        recovery.log_contact(s, SYSTEM, ana, today - dt.timedelta(days=95), "no money, no plan")
        for stage, days in (("enforcement", 90), ("bailiff", 30)):
            recovery.move(s, SYSTEM, ana, stage, "test set-up", today - dt.timedelta(days=days))
    return ana


def test_a_bankruptcy_is_recorded_the_claim_declared_the_dividend_booked_and_the_rest_written_off_by_four_eyes(
        app_for, db_url, debtor):
    ana = debtor
    today = dt.date.today()
    with page_client(app_for, db_url, "recovery_officer", team="t1") as c:
        page = c.get(f"/desk/files/{ana}/recovery")
        assert "No bankruptcy on file." in page.text
        r = c.post(f"/desk/files/{ana}/recovery/bankruptcy", data={
            "csrf_token": csrf_of(page), "declared_on": str(today + dt.timedelta(days=3)), "court": "Entreprise Liège",
            "trustee_name": "Me Curateur", "trustee_address": "Rue du Palais 1;4000 Liège", "trustee_language": "fr"})
        assert r.status_code == 422 and "Declared on: " in r.text and "is in the future" in r.text
        r = c.post(f"/desk/files/{ana}/recovery/bankruptcy", data={
            "csrf_token": csrf_of(page), "declared_on": str(today), "court": "Tribunal de l'entreprise de Liège",
            "court_ref": "F/26/123", "trustee_name": "Me Curateur", "trustee_address": "Rue du Palais 1;4000 Liège",
            "trustee_email": "curateur@example.be", "trustee_language": "fr"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        with session_scope(db_url) as s:
            bid = s.scalar(select(RecoveryBankruptcy.id).where(RecoveryBankruptcy.party_id == ana))
        page = c.get(f"/desk/files/{ana}/recovery")
        assert "Me Curateur" in page.text and "procedure open" in page.text and "No claim declared yet." in page.text
        # no dividend before the claim is declared
        r = c.post(f"/desk/files/{ana}/recovery/bankruptcy/{bid}/claim", data={"csrf_token": csrf_of(page)},
                   follow_redirects=False)
        assert r.status_code == 303
        page = c.get(f"/desk/files/{ana}/recovery")
        assert "Claim declared on" in page.text and "1,780.84" in page.text
        pdf = c.get(f"/desk/files/{ana}/recovery/bankruptcy/{bid}/claim.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        r = c.post(f"/desk/files/{ana}/recovery/bankruptcy/{bid}/dividend", data={
            "csrf_token": csrf_of(page), "amount": "-5", "dividend_on": str(today), "reference": "DIV-1"})
        assert r.status_code == 422 and 'id="dividend-error"' in r.text
        r = c.post(f"/desk/files/{ana}/recovery/bankruptcy/{bid}/dividend", data={
            "csrf_token": csrf_of(page), "amount": "280.84", "dividend_on": str(today), "reference": "DIV-1"},
            follow_redirects=False)
        assert r.status_code == 303, r.text
        r = c.post(f"/desk/files/{ana}/recovery/bankruptcy/{bid}/close", data={
            "csrf_token": csrf_of(page), "close_on": str(today), "close_reason": "closed for lack of assets"},
            follow_redirects=False)
        assert r.status_code == 303, r.text
        page = c.get(f"/desk/files/{ana}/recovery").text
        assert "procedure ended" in page and "insolvency" in page
    with session_scope(db_url) as s:
        b = s.get(RecoveryBankruptcy, bid)
        assert (b.status, b.claim_cents, b.dividend_cents) == ("closed", 2 * Q, 28084)
        # 1,500.00 EUR left: above the four-eyes threshold, each write-off waits for a manager who did not ask
        asked = s.scalars(select(Approval).where(Approval.party_id == ana, Approval.kind == "write_off")).all()
        assert sorted(a.amount_cents for a in asked) == [Q - 28084, Q] and {a.status for a in asked} == {"pending"}
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.party_id == ana,
                                                              AuditLog.entity == "recovery_bankruptcy")))
        assert {"create", "claim_declared", "dividend", "close"} <= actions


def test_the_recovery_staff_hand_the_files_over_and_download_them_a_caseworker_may_not(app_for, db_url, debtor):
    from caisse.recovery.partners import add_partner

    with session_scope(db_url) as s:
        add_partner(s, SYSTEM, "HUI-LG-1", "bailiff", "Etude Huissier", "Rue 1;4000 Liège", "etude@example.be", "fr")
    with page_client(app_for, db_url, "caseworker", team="t1") as c:
        page = c.get("/desk/recovery")
        assert "Hand over the files" not in page.text
        assert c.post("/desk/recovery/handover", data={"csrf_token": csrf_of(page)}).status_code == 403
    with page_client(app_for, db_url, "recovery_officer", team="t1") as c:
        page = c.get("/desk/recovery")
        assert "No hand-over yet." in page.text
        r = c.post("/desk/recovery/handover", data={"csrf_token": csrf_of(page)})
        assert r.status_code == 200 and "1 file(s)" in r.text and "HUI-LG-1" in r.text
        again = c.post("/desk/recovery/handover", data={"csrf_token": csrf_of(page)})
        assert "0 file(s)" in again.text  # never the same step twice
        with session_scope(db_url) as s:
            hid = s.scalar(select(RecoveryHandover.id))
        assert f"/desk/recovery/handovers/{hid}/csv" in again.text
        csv = c.get(f"/desk/recovery/handovers/{hid}/csv")
        assert csv.status_code == 200 and csv.text.startswith("handover,partner,") and f",{debtor}," in csv.text
        letter = c.get(f"/desk/recovery/handovers/{hid}/pdf")
        assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
        assert c.get(f"/desk/recovery/handovers/{hid}/zip").status_code == 422
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "handover")) == 1
        reads = s.scalars(select(AuditLog.detail).where(AuditLog.entity == "recovery_handover",
                                                        AuditLog.action == "read", AuditLog.party_id == debtor)
                                .order_by(AuditLog.id)).all()
        assert [r["what"] for r in reads] == ["hand-over csv (desk)", "hand-over pdf (desk)"]
