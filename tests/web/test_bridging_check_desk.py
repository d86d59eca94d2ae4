"""A bridging-right claim the fund's records cannot decide, verified on the desk (issue 8): the benefits officer reads
what to verify in their own language, records each finding (met or not, the day verified, a note, the proof scanned)
and the claim is decided again — the same ``record_check`` and ``decide`` as the CLI's ``benefits verify`` and
``benefits decide``. The task the fund opened points to the claim's page."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
sys.path.insert(0, str(Path(__file__).parents[1] / "benefits"))

from fund import Fund  # noqa: E402
from helpers import NOTHING_ELSE, contributions, d, quarters  # noqa: E402

from caisse.benefits import service  # noqa: E402
from caisse.benefits.models import BenefitClaim, ClaimAttachment, ClaimStep  # noqa: E402
from caisse.cases.models import Case, CaseMessage  # noqa: E402
from caisse.security.authz import Principal  # noqa: E402
from caisse.store.db import session_scope  # noqa: E402
from caisse.store.models import Party  # noqa: E402

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
STOPPED = {"case": "economic_difficulties", "event_date": d("2024-05-20"), "start": d("2024-06-01"), "months": 2}


@pytest.fixture
def claim(db_url):
    """Lena (team t1, German) stopped her main activity on 20 May 2024 for economic difficulties and declares the
    CPAS living wage; the tax administration has communicated none of her incomes. The fund tried to decide: a
    caseworker task asks to verify the incomes and the living wage."""
    fund = Fund(db_url)
    pid = fund.person(category="main", start=d("2015-01-01"), end=d("2024-05-20"), language="de")
    contributions(db_url, pid, paid=quarters("2022Q3", "2024Q1"))
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == pid).values(team="t1"))
        cid = service.file_claim(s, Principal.system("setup"), pid, "bridging_right",
                                 {**STOPPED, **NOTHING_ELSE, "living_wage": True}, d("2024-05-27")).id
        assert service.decide(s, Principal.system("setup"), cid, TODAY).outcome is None
    return pid, cid


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _verified(db_url, cid):
    with session_scope(db_url) as s:
        return ([(st.happened_on, st.detail) for st in s.scalars(select(ClaimStep).where(
            ClaimStep.claim_id == cid, ClaimStep.step == "verified"))],
            s.scalar(select(func.count()).select_from(ClaimAttachment).where(ClaimAttachment.claim_id == cid)))


def test_the_officer_reads_what_to_verify_records_the_cpas_decision_and_the_claim_is_granted(client_as, db_url,
                                                                                                claim):
    pid, cid = claim
    officer = client_as("benefits_officer", team="t1")
    page = officer.get(f"/desk/benefits/{cid}?lang=nl").text
    shown = _text(page)
    assert "Een controle door een dossierbeheerder" in shown
    assert ("Leefloon: ontving de persoon een leefloon van het OCMW op het ogenblik van de stopzetting van "
            "20-05-2024 (aangegeven: ja)? De beslissing van het OCMW nagaan.") in shown
    assert "Laag inkomen: overschrijden de beroepsinkomsten 2023 en 2024" in shown
    assert page.count(f'action="/desk/benefits/{cid}/verify"') == 2  # one form per condition
    assert "Overbruggingsrecht: een controle door een dossierbeheerder vóór de beslissing" in shown  # the task

    seen = TODAY - dt.timedelta(days=1)
    r = officer.post(f"/desk/benefits/{cid}/verify", follow_redirects=False, data={
        "csrf_token": _csrf(page), "condition": "living_wage", "finding": "met", "verified_on": seen.isoformat(),
        "note": "OCMW-beslissing van 2 mei 2024 gezien"}, files={"scan": ("ocmw.pdf", PDF, "application/pdf")})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=decided"), r.text
    done = _text(officer.get(r.headers["location"]).text)
    assert "Beslist: de persoon wordt in zijn of haar taal op de hoogte gebracht." in done
    assert "3.276,52" in done  # 2 months of 1,638.26 [S39]
    assert "OCMW-beslissing van 2 mei 2024 gezien" in done and "het bewijs" in done

    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert (c.outcome, c.amount_cents) == ("granted", 327_652)
        check = next(x for x in c.decision["checks"] if x["check"] == "economic_difficulties")
        assert check["rendered"]["de"].startswith(
            "Wirtschaftliche Schwierigkeiten: Eingliederungseinkommen des ÖSHZ zum Zeitpunkt der Einstellung am "
            f"20.05.2024, von der Kasse am {seen.strftime('%d.%m.%Y')} geprüft")
        task = s.scalar(select(Case).where(Case.party_id == pid, Case.subject == service.CHECK_SUBJECT))
        assert task.status == "closed"
        note = s.scalar(select(CaseMessage).where(CaseMessage.case_id == task.id,
                                                  CaseMessage.body.like("%OCMW-beslissing%")))
        assert note.direction == "internal"  # the person does not read the caseworker's note
    [(on, detail)], documents = _verified(db_url, cid)
    assert (on, detail["condition"], detail["met"], detail["note"], documents) == (
        seen, "living_wage", True, note.id, 1)


def test_a_finding_not_met_leaves_the_incomes_to_verify_and_the_task_says_so(client_as, db_url, claim):
    pid, cid = claim
    officer = client_as("benefits_officer", team="t1")
    page = officer.get(f"/desk/benefits/{cid}?lang=en").text
    r = officer.post(f"/desk/benefits/{cid}/verify", follow_redirects=False, data={
        "csrf_token": _csrf(page), "condition": "living_wage", "finding": "not_met",
        "verified_on": TODAY.isoformat()})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=verified")
    after = officer.get(r.headers["location"]).text
    assert "Finding recorded: the claim still waits for the checks below." in after
    assert after.count(f'action="/desk/benefits/{cid}/verify"') == 1 and 'value="low_income"' in after
    findings = _text(re.search(r"<h3>Findings recorded</h3>.*?</ul>", after, re.S).group(0))
    assert "Living wage of the CPAS at the cessation: not met" in findings
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).status == "application"
        task = service.check_task(s, s.get(BenefitClaim, cid))
        body = s.scalar(select(CaseMessage.body).where(CaseMessage.case_id == task.id).order_by(CaseMessage.id))
        assert f"/desk/benefits/{cid}" in body  # the task points to the claim's page first, then the CLI
    task_page = _text(officer.get(f"/desk/cases/{task.id}?lang=fr").text)
    assert "Droit passerelle : une vérification par un gestionnaire avant la décision" in task_page
    assert (f"Cette tâche est la vérification de la demande de droit passerelle {cid} que les données de la caisse "
            "ne permettent pas de décider : Revenus professionnels de l'année de cessation et de l'année "
            "précédente.") in task_page


@pytest.mark.parametrize("change, says", [
    ({"finding": ""}, "Bevinding: vervuld of niet vervuld"),
    ({"verified_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "Geverifieerd op: in de toekomst"),
    ({"verified_on": "2024-05-01"}, "Geverifieerd op: vóór de ontvangst van de aanvraag"),
    ({"condition": "debt_settlement"}, "Voorwaarde: debt_settlement is een voorwaarde van een aanvraag collectieve "
                                       "schuldenregeling"),
])
def test_a_refused_finding_names_its_field_and_writes_nothing(client_as, db_url, claim, change, says):
    pid, cid = claim
    officer = client_as("benefits_officer", team="t1")
    page = officer.get(f"/desk/benefits/{cid}?lang=nl").text
    r = officer.post(f"/desk/benefits/{cid}/verify", data={
        "csrf_token": _csrf(page), "condition": "living_wage", "finding": "met", "verified_on": TODAY.isoformat(),
        "note": "gezien", **change}, files={"scan": ("ocmw.pdf", PDF, "application/pdf")})
    assert r.status_code == 422, r.text
    assert says in _text(r.text)
    assert _verified(db_url, cid) == ([], 0)  # not even the scan


def test_only_those_who_decide_record_a_finding(client_as, db_url, claim):
    pid, cid = claim
    worker = client_as("caseworker", team="t1")
    page = worker.get(f"/desk/benefits/{cid}?lang=en").text
    assert "A caseworker's check" in page and f'action="/desk/benefits/{cid}/verify"' not in page
    r = worker.post(f"/desk/benefits/{cid}/verify", data={
        "csrf_token": _csrf(page), "condition": "living_wage", "finding": "met", "verified_on": TODAY.isoformat()})
    assert r.status_code == 403
    other = client_as("benefits_officer", team="t2")
    assert other.post(f"/desk/benefits/{cid}/verify", data={
        "csrf_token": _csrf(page), "condition": "living_wage", "finding": "met",
        "verified_on": TODAY.isoformat()}).status_code == 403
    assert _verified(db_url, cid) == ([], 0)
