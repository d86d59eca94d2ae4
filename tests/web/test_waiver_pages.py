"""A person asks INASTI, through the fund, to waive the surcharges of a quarter she paid late — from a form in the
portal that shows her surcharges quarter by quarter with their rule and whether she can ask, in her language,
without JavaScript — and the caseworker finds a structured request (quarters, amounts, ground, documents) with its
charter deadline, not a free text to re-key. Refusals are named in the form; an accountant asks for a client; nobody
reaches another file's form; the fund's proposal once the quarter is paid leads to the form."""

from __future__ import annotations

import datetime as dt
import html
import itertools

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from caisse.cases.models import Case, CaseAttachment
from caisse.cases.service import deadline_for
from caisse.ledger import DebtLine, charge, receive_payment
from caisse.recovery import relief
from caisse.recovery.models import ReliefRequest
from caisse.security.authz import Principal
from caisse.services.calendar import Quarter
from caisse.store.db import session_scope
from caisse.store.models import Party
from support.people import register_someone
from support.web import csrf_of, form_login, make_account

TODAY = dt.date.today()
Q = Quarter.of(TODAY - dt.timedelta(days=365))  # a quarter of last year, paid late
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
_seq = itertools.count(300)


def a_file(db_url, *, language="fr", paid=True, surcharge=True) -> int:
    """A person of team t1 whose contribution of ``Q`` (871.71 + 35.30 fee) was unpaid at the quarter's end: 3 %
    surcharge (26.15) charged the next day; paid (the principal only) twenty days later when ``paid``."""
    with session_scope(db_url) as s:
        pid = register_someone(s, language=language, seq=next(_seq)).id
        s.execute(update(Party).where(Party.id == pid).values(team="t1"))
        due = Q.last_day
        charge(s, f"quarterly-call/{Q}/{pid}", pid, str(Q), due, Q.first_day, [
            DebtLine("contribution", 87_171, "RD38 art.12", "main_minimum_income", {"text": "minimum contribution"}),
            DebtLine("management_fee", 3_530, "fund fee", "fee_rate", {"text": "4.05 %"})],
            description=f"Quarterly call {Q}")
        if surcharge:
            charge(s, f"surcharges/{due + dt.timedelta(days=1)}/{pid}/{Q}", pid, str(Q), due + dt.timedelta(days=1),
                   due + dt.timedelta(days=1), [DebtLine(
                       "surcharge", 2_615, "AR 19-12-1967 art. 44 §1", "late_surcharge_quarterly_rate",
                       {"text": "3 %", "calc": {"kind": "quarterly", "base": 87_171, "arising": due.isoformat()}})],
                   description=f"Late-payment surcharge 3 % ({Q})")
        if paid:
            receive_payment(s, f"coda/test/{pid}", due + dt.timedelta(days=20), 90_701, pid, designation=str(Q))
    return pid


def person_client(app_for, db_url, pid, language, **kw) -> TestClient:
    login, _ = make_account(db_url, "affiliate", party_id=pid, **kw)
    c = TestClient(app_for, headers={"accept-language": language})
    assert form_login(c, login, None).status_code == 303
    return c


def test_she_asks_the_waiver_in_her_language_and_the_desk_gets_the_structured_request(app_for, db_url):
    pid = a_file(db_url, language="fr")
    cw_login, cw_secret = make_account(db_url, "caseworker", team="t1")
    with person_client(app_for, db_url, pid, "fr") as c, TestClient(app_for, headers={"accept-language": "en"}) as desk:
        page = c.get(f"/my/files/{pid}/waiver")
        assert page.status_code == 200 and "Demander la renonciation à mes majorations" in page.text
        assert "<script" not in page.text.split("<main", 1)[-1]
        assert f'value="{Q}" checked' in page.text and "26,15\xa0€" in page.text  # the proposal: ticked
        assert f"Majoration de 3 % sur la cotisation du {Q}" in page.text and "art. 44" in page.text  # with its rule
        assert "Oui : les cotisations du trimestre sont payées." in page.text
        asked = c.post(f"/my/files/{pid}/waiver", data={
            "csrf_token": csrf_of(page), "quarters": str(Q), "ground_kind": "hardship",
            "grounds": "J'ai été hospitalisée pendant trois mois."},
            files=[("files", ("certificat.pdf", PDF, "application/pdf"))], follow_redirects=False)
        assert asked.status_code == 303, asked.text
        case_id = int(asked.headers["location"].rsplit("/", 1)[1])
        mine = html.unescape(c.get(f"/my/requests/{case_id}").text)
        assert "Renonciation aux majorations" in mine and "situation digne d'intérêt" in mine
        assert "certificat.pdf" in mine and "Surcharge waiver asked" not in mine  # her own words, as written

        assert form_login(desk, cw_login, cw_secret).status_code == 303
        case_page = desk.get(f"/desk/cases/{case_id}").text
        assert "Surcharge waiver" in case_page and "Surcharges to waive" in case_page and "26.15" in case_page
        assert "a situation deserving consideration" in case_page and "recorded, to send to INASTI" in case_page
        assert f"/desk/files/{pid}/recovery#relief" in case_page
        recovery = desk.get(f"/desk/files/{pid}/recovery").text
        assert f'<a href="/desk/cases/{case_id}">#{case_id}</a>' in recovery
    with session_scope(db_url) as s:
        r = s.scalar(select(ReliefRequest).where(ReliefRequest.party_id == pid))
        c = s.get(Case, case_id)
        assert (r.kind, r.status, r.periods, r.amount_cents, r.ground_kind, r.case_id) == (
            "surcharge_waiver", "requested", [str(Q)], 2_615, "hardship", case_id)
        assert (c.kind, c.channel, c.deadline) == ("surcharge_waiver", "portal", deadline_for("surcharge_waiver",
                                                                                             TODAY))
        assert s.scalar(select(CaseAttachment.filename).where(CaseAttachment.case_id == case_id)) == "certificat.pdf"


@pytest.mark.parametrize("language, field, pending, nothing, heading", [
    ("fr", "Trimestres (1)", "est déjà demandée et pas encore décidée", "aucune majoration n'a été portée en compte",
     "Votre demande n'a pas été envoyée"),
    ("nl", "Kwartalen (1)", "is al aangevraagd en nog niet beslist", "er werd geen verhoging aangerekend",
     "Uw aanvraag werd niet verstuurd"),
    ("de", "Quartale (1)", "ist bereits beantragt und noch nicht entschieden", "wurde kein Beitragszuschlag berechnet",
     "Ihr Antrag wurde nicht abgesendet"),
])
def test_a_refusal_is_named_in_the_form_in_her_language_and_nothing_is_asked(app_for, db_url, language, field,
                                                                              pending, nothing, heading):
    pid = a_file(db_url, language=language)
    with session_scope(db_url) as s:  # asked once already (by phone, recorded by the fund)
        relief.request_waiver(s, Principal.system("cli:caseworker"), pid, str(Q), "hospitalised for months",
                              "hardship", TODAY)
    with person_client(app_for, db_url, pid, language) as c:
        page = c.get(f"/my/files/{pid}/waiver")
        assert f'value="{Q}"' not in page.text  # nothing left to tick: the request is pending
        form = {"csrf_token": csrf_of(page), "ground_kind": "force_majeure", "grounds": "a fire in the workshop"}
        again = c.post(f"/my/files/{pid}/waiver", data={**form, "quarters": str(Q)})
        assert again.status_code == 422 and 'role="alert"' in again.text
        shown = html.unescape(again.text)
        assert heading in shown and field in shown and pending in shown
        assert 'aria-invalid="true"' in again.text and "a fire in the workshop" in again.text  # what she typed kept
        this_quarter = str(Quarter.of(TODAY))
        empty = c.post(f"/my/files/{pid}/waiver", data={**form, "quarters": this_quarter})
        assert empty.status_code == 422 and nothing in html.unescape(empty.text)
    with session_scope(db_url) as s:
        assert len(s.scalars(select(ReliefRequest).where(ReliefRequest.party_id == pid)).all()) == 1


def test_an_unpaid_quarter_says_what_to_pay_first_and_cannot_be_ticked(app_for, db_url):
    pid = a_file(db_url, language="nl", paid=False)
    with person_client(app_for, db_url, pid, "nl") as c:
        page = c.get(f"/my/files/{pid}/waiver").text
    assert "niet volledig betaald" in page and "907.01 EUR" in page  # the contribution and fee still open
    assert f'value="{Q}"' not in page and "Vandaag kan geen enkel kwartaal gevraagd worden." in page


def test_an_accountant_asks_for_a_client_and_nobody_reaches_another_files_form(app_for, db_url):
    client_file, other = a_file(db_url), a_file(db_url)
    login, _ = make_account(db_url, "accountant", grants=[client_file], language="fr")
    with TestClient(app_for, headers={"accept-language": "fr"}) as acc:
        assert form_login(acc, login, None).status_code == 303
        page = acc.get(f"/my/files/{client_file}/waiver")
        assert page.status_code == 200
        data = {"csrf_token": csrf_of(page), "quarters": str(Q), "ground_kind": "good_faith",
                "grounds": "Ma cliente se croyait de bonne foi non assujettie."}
        assert acc.post(f"/my/files/{client_file}/waiver", data=data, follow_redirects=False).status_code == 303
        assert acc.get(f"/my/files/{other}/waiver").status_code == 403
        assert acc.post(f"/my/files/{other}/waiver", data=data).status_code == 403
    with person_client(app_for, db_url, other, "fr") as c:
        page = c.get(f"/my/files/{other}/waiver")
        assert c.get(f"/my/files/{client_file}/waiver").status_code == 403
        assert c.post(f"/my/files/{client_file}/waiver", data={**data, "csrf_token": csrf_of(page)}).status_code == 403
    with session_scope(db_url) as s:
        rows = s.execute(select(ReliefRequest.party_id, ReliefRequest.requested_by)).all()
    assert rows == [(client_file, login)]


def test_where_she_sees_her_surcharges_the_form_is_linked(app_for, db_url):
    pid = a_file(db_url, language="de")
    with person_client(app_for, db_url, pid, "de") as c:
        for page in (f"/my/files/{pid}/account", f"/my/files/{pid}/life/cannot_pay"):
            text = c.get(page).text
            assert f'href="/my/files/{pid}/waiver"' in text and "Erlass der Zuschläge beantragen" in text, page


def test_the_funds_proposal_once_the_quarter_is_paid_leads_to_the_form(app_for, db_url):
    from caisse.batches import waiver_proposals

    pid = a_file(db_url, language="fr")
    waiver_proposals.run(db_url, TODAY, Q.first_day)  # the window reaches back to the day the quarter was paid
    with person_client(app_for, db_url, pid, "fr") as c:
        listing = c.get("/my/requests").text
        assert "Renonciation aux majorations : vous pouvez la demander maintenant" in listing
        with session_scope(db_url) as s:
            case_id = s.scalar(select(Case.id).where(Case.party_id == pid, Case.kind == "waiver_proposal"))
        page = c.get(f"/my/requests/{case_id}").text
        assert "Bonne nouvelle" in page and f'href="/my/files/{pid}/waiver"' in page
        assert 'name="body"' not in page  # information: nothing to answer in it, the form is the way
        form = c.get(f"/my/files/{pid}/waiver", params={"quarter": str(Q)}).text  # the message's link
        assert f'value="{Q}" checked' in form
