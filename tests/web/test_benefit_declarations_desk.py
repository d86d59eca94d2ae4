"""A bridging-right claimant's declarations received on paper or by phone, recorded by a caseworker on the desk's
claim page (issue 8): the same checks as the person's own form, who recorded them, the day they were made, the scan
attached; a refused value names its field in the page's language and nothing is written."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))

from fund import Fund  # noqa: E402

from caisse.benefits import service  # noqa: E402
from caisse.benefits.models import BenefitClaim, ClaimAttachment, ClaimStep  # noqa: E402
from caisse.security.authz import Principal  # noqa: E402
from caisse.store.db import session_scope  # noqa: E402
from caisse.store.models import AuditLog, Party  # noqa: E402

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


@pytest.fixture
def claim(db_url):
    """Marc (team t1, Dutch) went bankrupt 40 days ago; the fund opened his bridging-right claim 10 days ago from the
    published bankruptcy, without his declarations (they are never presumed)."""
    pid = Fund(db_url).person(language="nl")
    event = TODAY - dt.timedelta(days=40)
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == pid).values(team="t1"))
        cid = service.file_claim(s, Principal.system("setup"), pid, "bridging_right", {
            "case": "bankruptcy", "event_date": event, "start": _first_of_next_month(event), "months": 1},
            TODAY - dt.timedelta(days=10)).id
    return pid, cid


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _written(db_url, cid):
    with session_scope(db_url) as s:
        return (s.get(BenefitClaim, cid).facts,
                s.scalar(select(func.count()).select_from(ClaimStep).where(ClaimStep.claim_id == cid,
                                                                           ClaimStep.step == "declared")),
                s.scalar(select(func.count()).select_from(ClaimAttachment).where(ClaimAttachment.claim_id == cid)))


def test_a_caseworker_records_the_signed_letter_with_its_scan_and_the_checks_take_it_into_account(
        client_as, db_url, claim):
    pid, cid = claim
    worker = client_as("caseworker", team="t1")
    page = worker.get(f"/desk/benefits/{cid}?lang=en").text
    assert "The person's declarations" in page and "Record the declarations" in page
    # nothing presumed (a single person, no months elsewhere: what a claim says until told otherwise)
    assert page.count("<strong>not declared</strong>") == 4
    letter = TODAY - dt.timedelta(days=3)
    r = worker.post(f"/desk/benefits/{cid}/declarations", follow_redirects=False, data={
        "csrf_token": _csrf(page), "professional_activity": "no", "replacement_income": "no",
        "family_charge": "yes", "pension_quarters": "", "declared_on": letter.isoformat(), "channel": "letter"},
        files={"scan": ("brief-marc.pdf", PDF, "application/pdf")})
    assert r.status_code == 303, r.text
    done = worker.get(r.headers["location"]).text
    assert "Declarations recorded: the checks below take them into account." in done
    assert "No professional activity declared during the months of total interruption" in done
    declared = re.search(r'<h2 id="declarations">.*?</dl>', done, re.S).group(0)
    assert declared.count("<dd>no</dd>") == 2 and declared.count("<dd>yes</dd>") == 1
    assert declared.count("<strong>not declared</strong>") == 2  # left empty: nothing recorded for them
    [history] = [line for line in re.findall(r"<li>(.*?)</li>", done) if "declarations recorded" in line]
    [scan] = re.findall(rf'href="(/my/claims/{cid}/documents/\d+)">scan</a>', history)
    assert "(by letter, " in history and history.endswith("· " + worker_login(db_url))
    got = worker.get(scan)
    assert got.status_code == 200 and got.content == PDF

    facts, steps, documents = _written(db_url, cid)
    assert (facts["professional_activity"], facts["replacement_income"], facts["family_charge"]) == (
        False, False, True)
    assert "pension_quarters" not in facts and (steps, documents) == (1, 1)
    with session_scope(db_url) as s:
        step = s.scalar(select(ClaimStep).where(ClaimStep.claim_id == cid, ClaimStep.step == "declared"))
        assert (step.happened_on, step.actor) == (letter, worker_login(db_url))
        assert step.detail["declared"] == {"channel": "letter", "attachment": int(scan.rsplit("/", 1)[1]),
                                           "fields": ["family_charge", "professional_activity",
                                                      "replacement_income"]}
        audited = s.scalar(select(AuditLog).where(AuditLog.action == "declared", AuditLog.entity_id == str(cid))
            .order_by(AuditLog.id))
        assert audited is not None and audited.actor == worker_login(db_url)

    me = client_as("affiliate", party_id=pid)  # the person reads it in her history, in her language
    assert "verklaringen geregistreerd" in me.get(f"/my/claims/{cid}?lang=nl").text


def worker_login(db_url) -> str:
    from caisse.store.models import Account

    with session_scope(db_url) as s:
        return s.scalar(select(Account.login).where(Account.role == "caseworker").order_by(Account.id.desc()))


def test_a_declaration_by_phone_needs_no_scan_and_completes_what_the_portal_left(client_as, db_url, claim):
    """He had answered the activity question himself; on the phone he says he receives no replacement income."""
    pid, cid = claim
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        service.complete_claim(s, Principal.system("portal"), cid, {**c.facts, "professional_activity": False},
                               TODAY - dt.timedelta(days=5))
    worker = client_as("benefits_officer", team="t1")
    page = worker.get(f"/desk/benefits/{cid}?lang=en").text
    r = worker.post(f"/desk/benefits/{cid}/declarations", follow_redirects=False, data={
        "csrf_token": _csrf(page), "replacement_income": "no", "declared_on": TODAY.isoformat(), "channel": "phone"})
    assert r.status_code == 303, r.text
    facts, steps, documents = _written(db_url, cid)
    assert (facts["professional_activity"], facts["replacement_income"], steps, documents) == (False, False, 1, 0)
    history = worker.get(r.headers["location"]).text
    assert "declarations recorded (by phone) · " in history


@pytest.mark.parametrize("change, says", [
    ({"professional_activity": "maybe"}, "Beroepsactiviteit: antwoord ja of nee"),
    ({"pension_quarters": "sixty"}, "Kwartalen die meetellen voor het pensioen: geen geheel getal: sixty"),
    ({"months_before": "30"}, "Maanden overbruggingsrecht ontvangen buiten de gegevens van dit fonds: moet een "
                              "geheel getal van 0 tot 24 zijn"),
    ({"declared_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "Verklaard op: in de toekomst"),
    ({"declared_on": (TODAY - dt.timedelta(days=30)).isoformat()}, "Verklaard op: vóór de ontvangst van de "
                                                                    "aanvraag"),
    ({"professional_activity": "", "replacement_income": ""}, "Beroepsactiviteit: registreer minstens één "
                                                              "verklaring"),
])
def test_a_refused_declaration_names_its_field_in_the_page_language_and_writes_nothing(client_as, db_url, claim,
                                                                                        change, says):
    pid, cid = claim
    worker = client_as("caseworker", team="t1")
    page = worker.get(f"/desk/benefits/{cid}?lang=nl").text
    data = {"csrf_token": _csrf(page), "professional_activity": "no", "replacement_income": "no",
            "declared_on": TODAY.isoformat(), "channel": "letter", **change}
    r = worker.post(f"/desk/benefits/{cid}/declarations", data=data,
                    files={"scan": ("brief.pdf", PDF, "application/pdf")})
    assert r.status_code == 422, r.text
    assert says in re.sub(r"\s+", " ", r.text)
    facts, steps, documents = _written(db_url, cid)
    assert ("professional_activity" not in facts, steps, documents) == (True, 0, 0)  # not even the scan


def test_a_scan_that_is_not_a_document_is_refused_with_the_declarations(client_as, db_url, claim):
    pid, cid = claim
    worker = client_as("caseworker", team="t1")
    page = worker.get(f"/desk/benefits/{cid}?lang=en").text
    r = worker.post(f"/desk/benefits/{cid}/declarations", data={
        "csrf_token": _csrf(page), "professional_activity": "no", "declared_on": TODAY.isoformat(),
        "channel": "letter"}, files={"scan": ("brief.pdf", b"MZ\x90\x00 a program", "application/pdf")})
    assert r.status_code == 422 and "Scan: " in r.text
    assert _written(db_url, cid)[1:] == (0, 0)


def test_only_a_bridging_right_application_takes_declarations_at_the_desk(client_as, db_url, claim):
    pid, cid = claim
    start = _first_of_next_month(TODAY)
    with session_scope(db_url) as s:
        carer = service.file_claim(s, Principal.system("setup"), pid, "carer", {"start": start, "months": 1},
                                   TODAY).id
    worker = client_as("caseworker", team="t1")
    page = worker.get(f"/desk/benefits/{carer}?lang=en").text
    assert "Record the declarations" not in page
    r = worker.post(f"/desk/benefits/{carer}/declarations", data={
        "csrf_token": _csrf(page), "professional_activity": "no", "declared_on": TODAY.isoformat(),
        "channel": "letter"})
    assert r.status_code == 409 and "is not a bridging right" in r.text
    auditor = client_as("auditor")
    seen = auditor.get(f"/desk/benefits/{cid}?lang=en").text
    assert "The person's declarations" in seen and "Record the declarations" not in seen  # reads, records not
    assert auditor.post(f"/desk/benefits/{cid}/declarations", data={
        "csrf_token": _csrf(seen), "professional_activity": "no", "declared_on": TODAY.isoformat(),
        "channel": "letter"}).status_code == 403


def test_a_declaration_taken_by_phone_is_restated_to_the_person_in_her_language_so_she_can_object(client_as, db_url,
                                                                                                  claim):
    """Nothing is signed on the phone: Marc reads in his portal inbox, in Dutch, what the fund recorded and that he
    may object by answering before the decision. A signed letter gets no such message."""
    from caisse.cases.models import Case, CaseMessage

    pid, cid = claim
    worker = client_as("caseworker", team="t1")
    page = worker.get(f"/desk/benefits/{cid}?lang=en").text
    called = TODAY - dt.timedelta(days=1)
    r = worker.post(f"/desk/benefits/{cid}/declarations", follow_redirects=False, data={
        "csrf_token": _csrf(page), "professional_activity": "no", "family_charge": "yes", "pension_quarters": "61",
        "declared_on": called.isoformat(), "channel": "phone"})
    assert r.status_code == 303, r.text
    with session_scope(db_url) as s:
        told = s.execute(select(CaseMessage.body, Case.id).join(Case, Case.id == CaseMessage.case_id).where(
            Case.party_id == pid, CaseMessage.direction == "out")).all()
        claim_case = s.get(BenefitClaim, cid).case_id
    [(body, case_id)] = told
    assert case_id == claim_case  # in the claim's own thread, open: he can answer it there
    assert body == (
        f"Op {called.strftime('%d-%m-%Y')} hebt u telefonisch verklaard, voor uw aanvraag overbruggingsrecht nr. "
        f"{cid}: een beroepsactiviteit (als werknemer of zelfstandige) tijdens de onderbreking: nee; gezinslast: ja; "
        "kwartalen die meetellen voor het pensioen: 61. Het fonds heeft dit als uw verklaring geregistreerd en houdt "
        "er rekening mee bij de beslissing. Is dit niet wat u hebt verklaard, antwoord dan op dit bericht vóór de "
        "beslissing: het fonds verbetert het.")

    me = client_as("affiliate", party_id=pid)
    inbox = me.get(f"/my/requests/{claim_case}?lang=nl").text
    assert "hebt u telefonisch verklaard" in inbox and "Uw bericht" in inbox  # read and answerable
    assert me.post(f"/my/requests/{claim_case}", data={
        "csrf_token": _csrf(inbox), "body": "Ik heb geen 61 maar 58 kwartalen gezegd."},
        follow_redirects=False).status_code == 303

    page = worker.get(f"/desk/benefits/{cid}?lang=en").text  # by letter: signed, nothing restated
    assert worker.post(f"/desk/benefits/{cid}/declarations", follow_redirects=False, data={
        "csrf_token": _csrf(page), "replacement_income": "no", "declared_on": TODAY.isoformat(),
        "channel": "letter"}).status_code == 303
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(CaseMessage).join(Case, Case.id == CaseMessage.case_id)
                        .where(Case.party_id == pid, CaseMessage.direction == "out")) == 1
