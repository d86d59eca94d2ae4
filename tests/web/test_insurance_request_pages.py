"""Assimilation for illness and continued insurance in the portal: the request the fund prepared from a cessation
is shown in My rights with its state and deadline, sent from its pre-filled form; a refused input names its field
and writes nothing; the forwarding and the decision then show on the same page."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
sys.path.insert(0, str(Path(__file__).parents[1] / "benefits"))

from fund import Fund  # noqa: E402
from helpers import contributions  # noqa: E402

from caisse.benefits import events  # noqa: E402
from caisse.benefits import insurance_requests as ir  # noqa: E402
from caisse.benefits.models import InsuranceRequest  # noqa: E402
from caisse.security.authz import Principal  # noqa: E402
from caisse.services.calendar import Quarter  # noqa: E402
from caisse.store.db import session_scope  # noqa: E402

TODAY = dt.date.today()
DESK = Principal.system("cli:benefits-officer")


@pytest.fixture
def fund(db_url):
    return Fund(db_url)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_person_sends_the_continued_insurance_the_fund_prepared_and_follows_it(client_as, db_url, fund):
    # stopped at the end of the quarter before last, every contribution of the last four quarters paid
    last = Quarter.of(TODAY)
    for _ in range(2):
        last = ir.plus(last, -1)
    ceased = last.last_day
    pid = fund.person(category="main", start=dt.date(2015, 1, 1), end=ceased, language="fr")
    contributions(db_url, pid, paid=[str(ir.plus(last, -n)) for n in range(4)])
    with session_scope(db_url) as s:
        e, _ = events.record_event(s, DESK, pid, "cessation", ceased, TODAY)
        request_id = e.detail["request_id"]
    me = client_as("affiliate", party_id=pid)
    rights = me.get(f"/my/files/{pid}/rights")
    assert "assurance continuée" in rights.text and "préparée par la caisse" in rights.text
    link = f"/my/files/{pid}/requests/continued_insurance?prepared={request_id}"
    assert link.replace("&", "&amp;") in rights.text or link in rights.text
    form = me.get(link)
    assert f'value="{ceased.isoformat()}"' in form.text  # the cessation, pre-filled from the file
    # without confirming the absence of another social status: refused, the field named, nothing sent
    r = me.post(f"/my/files/{pid}/requests/continued_insurance", data={
        "csrf_token": _csrf(form.text), "prepared": str(request_id), "cessation_date": ceased.isoformat(),
        "option": "pension"})
    assert r.status_code == 422
    assert re.search(r'id="f-no_other_status"[^>]*aria-invalid="true"', r.text)
    with session_scope(db_url) as s:
        assert s.get(InsuranceRequest, request_id).status == "proposed"
    r = me.post(f"/my/files/{pid}/requests/continued_insurance", follow_redirects=False, data={
        "csrf_token": _csrf(form.text), "prepared": str(request_id), "cessation_date": ceased.isoformat(),
        "option": "pension", "no_other_status": "yes"})
    assert r.status_code == 303, r.text
    page = me.get(r.headers["location"] + "&lang=nl")
    assert "voortgezette verzekering" in page.text and "doorgestuurd uiterlijk op" in page.text
    with session_scope(db_url) as s:
        ir.forward(s, DESK, request_id, TODAY)
        ir.record_decision(s, DESK, request_id, TODAY, outcome="refused", decided_on=TODAY, reference="R-2",
                           reason="une autre activité professionnelle")
    page = me.get(f"/my/files/{pid}/rights?lang=de")
    assert "abgelehnt" in page.text and "une autre activité professionnelle" in page.text


def test_an_unknown_kind_or_another_file_is_not_served(client_as, db_url, fund):
    pid, other = fund.person(), fund.person()
    me = client_as("affiliate", party_id=pid)
    assert me.get(f"/my/files/{pid}/requests/pension").status_code == 422  # not a request the portal takes
    assert me.get(f"/my/files/{other}/requests/illness_assimilation").status_code == 403
    form = me.get(f"/my/files/{pid}/requests/illness_assimilation?lang=en")
    r = me.post(f"/my/files/{pid}/requests/illness_assimilation", data={
        "csrf_token": _csrf(form.text), "incapacity_start": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert r.status_code == 422 and "First day of the incapacity" in r.text and "in the future" in r.text
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(InsuranceRequest)) == 0


def _assimilation(db_url, fund, team="t1", language="nl"):
    """Eva (team ``team``) reported unfit for work ten days ago; her assimilation request is filed and waits to be
    forwarded."""
    from sqlalchemy import update

    from caisse.store.models import Party

    pid = fund.person(category="main", start=dt.date(2015, 1, 1), language=language)
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == pid).values(team=team))
        rid = ir.file_request(s, DESK, pid, "illness_assimilation",
                              {"incapacity_start": TODAY - dt.timedelta(days=10)}, TODAY).id
    return pid, rid


def test_the_officer_finds_the_request_in_the_file_forwards_it_and_records_the_decision(client_as, db_url, fund):
    """From the 360° file to the request's page: the officer records the forwarding (the institution named: who
    decides an assimilation is not in the notes) and the institution's refusal; a refusal without its reasons is
    refused on the page, naming the field, nothing written. Each read of the page is audited; the person reads the
    outcome in My rights, in her language."""
    from caisse.cases.models import Case
    from caisse.store.models import AuditLog

    pid, rid = _assimilation(db_url, fund)
    officer = client_as("benefits_officer", team="t1")
    file = officer.get(f"/desk/files/{pid}?lang=en").text
    assert f'href="/desk/insurance-requests/{rid}"' in file and "received: the fund checks it and forwards" in file
    page = officer.get(f"/desk/insurance-requests/{rid}?lang=en")
    assert page.status_code == 200 and "Record the forwarding" in page.text and "Withdraw this request" in page.text
    bad = officer.post(f"/desk/insurance-requests/{rid}/forward", data={
        "csrf_token": _csrf(page.text), "institution": " ", "on": TODAY.isoformat()})
    assert bad.status_code == 422 and "Institution: the institution the request is forwarded to" in bad.text
    r = officer.post(f"/desk/insurance-requests/{rid}/forward", follow_redirects=False, data={
        "csrf_token": _csrf(page.text), "institution": "INAMI", "on": TODAY.isoformat()})
    assert r.status_code == 303, r.text
    page = officer.get(r.headers["location"])
    assert "Forwarding recorded" in page.text and "Record the institution's decision" in page.text
    form = {"csrf_token": _csrf(page.text), "outcome": "refused", "decided_on": TODAY.isoformat(), "reference": "R-7"}
    bad = officer.post(f"/desk/insurance-requests/{rid}/decision", data=form)
    assert bad.status_code == 422 and "Reason: the institution&#39;s reasons for the refusal" in bad.text
    assert 'value="R-7"' in bad.text  # what was typed is kept
    with session_scope(db_url) as s:
        assert s.get(InsuranceRequest, rid).status == "forwarded"
    r = officer.post(f"/desk/insurance-requests/{rid}/decision", follow_redirects=False,
                     data={**form, "reason": "geen medisch attest"})
    assert r.status_code == 303, r.text
    done = officer.get(r.headers["location"]).text
    assert "Decision recorded" in done and "Withdraw this request" not in done  # decided: nothing to withdraw
    with session_scope(db_url) as s:
        req = s.get(InsuranceRequest, rid)
        assert (req.status, req.decision_ref, req.recorded_by.startswith("benefits_officer")) == ("refused", "R-7",
                                                                                                  True)
        assert s.get(Case, req.case_id).status == "closed"
        reads = s.scalars(select(AuditLog).where(AuditLog.entity == "insurance_request", AuditLog.action == "read",
                                                 AuditLog.entity_id == str(rid))).all()
        assert len(reads) >= 4 and all(a.party_id == pid for a in reads)
    me = client_as("affiliate", party_id=pid)
    rights = me.get(f"/my/files/{pid}/rights?lang=nl").text
    assert "geweigerd" in rights and "geen medisch attest" in rights and "Aanvraag" in rights


def test_the_person_withdraws_her_request_from_my_rights(client_as, db_url, fund):
    from caisse.cases.models import Case, CaseMessage

    pid, rid = _assimilation(db_url, fund)
    me = client_as("affiliate", party_id=pid)
    rights = me.get(f"/my/files/{pid}/rights?lang=nl")
    assert f'action="/my/insurance-requests/{rid}/withdraw"' in rights.text
    r = me.post(f"/my/insurance-requests/{rid}/withdraw", follow_redirects=False,
                data={"csrf_token": _csrf(rights.text), "reason": "ik werk weer"})
    assert r.status_code == 303, r.text
    after = me.get(r.headers["location"]).text
    assert f"Uw aanvraag {rid} is ingetrokken" in after
    assert "ingetrokken: het fonds behandelt ze niet verder" in after  # its state
    assert f'action="/my/insurance-requests/{rid}/withdraw"' not in after  # nothing left to withdraw
    with session_scope(db_url) as s:
        req = s.get(InsuranceRequest, rid)
        assert (req.status, req.withdrawn_on, req.withdrawal_reason) == ("withdrawn", TODAY, "ik werk weer")
        assert s.get(Case, req.case_id).status == "closed"
        told = s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == req.case_id,
                                                        CaseMessage.direction == "out")
                         .order_by(CaseMessage.id)).all()[-1]
        assert told.startswith(f"Uw aanvraag nr. {rid} (gelijkstelling wegens ziekte) is op ")
    again = me.post(f"/my/insurance-requests/{rid}/withdraw", data={"csrf_token": _csrf(rights.text)})
    assert again.status_code == 409 and 'role="alert"' in again.text
    officer = client_as("benefits_officer", team="t1")
    desk = officer.get(f"/desk/insurance-requests/{rid}?lang=en").text
    assert "withdrawn: the fund no longer handles it" in desk and "ik werk weer" in desk
    assert "Record the forwarding" not in desk


def test_another_teams_request_needs_a_reason_to_read_and_cannot_be_changed(client_as, db_url, fund):
    from caisse.store.models import AuditLog

    pid, rid = _assimilation(db_url, fund, team="t2")
    worker = client_as("caseworker", team="t1")
    ask = worker.get(f"/desk/insurance-requests/{rid}", headers={"accept": "text/html"})
    assert ask.status_code == 403 and 'name="reason"' in ask.text  # the need-to-know form
    worker.post("/desk/need-to-know", data={"csrf_token": _csrf(ask.text), "party_id": pid, "reason_kind": "contact",
                                            "reason": "she phoned about her request",
                                            "next": f"/desk/insurance-requests/{rid}"})
    page = worker.get(f"/desk/insurance-requests/{rid}?lang=en")
    assert page.status_code == 200
    r = worker.post(f"/desk/insurance-requests/{rid}/withdraw", data={"csrf_token": _csrf(page.text),
                                                                      "reason": "she said so on the phone"})
    assert r.status_code == 403  # another team's file: never a change
    with session_scope(db_url) as s:
        assert s.get(InsuranceRequest, rid).status == "requested"
        row = s.scalar(select(AuditLog).where(AuditLog.entity == "insurance_request", AuditLog.action == "read")
            .order_by(AuditLog.id))
        assert row.reason == "contact: she phoned about her request"


def test_a_forwarding_dated_tomorrow_is_refused_naming_the_date_in_the_page_language(client_as, db_url, fund):
    """On a French desk page, a forwarding dated tomorrow is refused naming the date field in French, not the
    code's word "on"; nothing is recorded."""
    pid, rid = _assimilation(db_url, fund)
    officer = client_as("benefits_officer", team="t1")
    page = officer.get(f"/desk/insurance-requests/{rid}?lang=fr")
    bad = officer.post(f"/desk/insurance-requests/{rid}/forward", data={
        "csrf_token": _csrf(page.text), "institution": "INAMI",
        "on": (TODAY + dt.timedelta(days=1)).isoformat()})
    assert bad.status_code == 422
    error = re.search(r'id="form-error">(.*?)</p>', bad.text, re.S).group(1)
    assert "Date:" in error and "on:" not in error
    with session_scope(db_url) as s:
        assert s.get(InsuranceRequest, rid).status == "requested"
