"""The person's agreement that a benefit pays their contributions due first (issue 8, set-off): received in writing,
a caseworker records it on the desk's claim page with the signed document (or its withdrawal); it is the person's
own — their accountant's mandate does not cover it, and the portal says so to the accountant."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from caisse.benefits import setoff
from caisse.benefits.models import ClaimAttachment, ClaimStep, SetOffConsent
from caisse.cases.models import Case, CaseMessage
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from caisse.store.models import Account

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MUST_SIGN_NL = ("Alleen de persoon zelf kan akkoord gaan met de verrekening van deze uitkering met de bijdragen, of "
                "dat akkoord intrekken: met de eigen login, of met een brief die zij of hij ondertekent. Het mandaat "
                "van een boekhouder dekt dit niet.")


@pytest.fixture
def claim(carer_application):
    """Lotte (team t1, Dutch) asked a month of carer leave three days ago; not decided yet."""
    return carer_application(TODAY - dt.timedelta(days=3))


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _consents(db_url, cid):
    with session_scope(db_url) as s:
        return [(c.given_on, c.channel, c.max_cents, c.recorded_by, c.withdrawn_on, c.withdrawn_by)
                for c in s.scalars(select(SetOffConsent).where(SetOffConsent.claim_id == cid))]


def _documents(db_url, cid):
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(ClaimAttachment).where(ClaimAttachment.claim_id == cid))


def _login(db_url, role):
    with session_scope(db_url) as s:
        return s.scalar(select(Account.login).where(Account.role == role).order_by(Account.id.desc()))


def test_a_caseworker_records_the_signed_letter_with_its_scan_and_the_person_is_told(client_as, db_url, claim):
    pid, cid = claim
    worker = client_as("caseworker", team="t1")
    login = _login(db_url, "caseworker")
    page = worker.get(f"/desk/benefits/{cid}?lang=en").text
    assert "Nothing is set off without the person's own agreement, signed by them: an accountant's mandate does " \
           "not cover it." in page
    signed = TODAY - dt.timedelta(days=2)
    form = {"csrf_token": _csrf(page), "given_on": signed.isoformat(), "channel": "letter", "max": "250"}
    unsigned = worker.post(f"/desk/benefits/{cid}/set-off", data=form)
    assert unsigned.status_code == 422
    assert "Signed document: the agreement signed by the person, scanned (PDF or JPEG)" in unsigned.text
    assert (_consents(db_url, cid), _documents(db_url, cid)) == ([], 0)  # nothing written

    r = worker.post(f"/desk/benefits/{cid}/set-off", data=form, follow_redirects=False,
                    files={"document": ("akkoord-lotte.pdf", PDF, "application/pdf")})
    assert r.status_code == 303, r.text
    done = worker.get(r.headers["location"]).text
    assert "Agreement to the set-off recorded: the person is told in their language." in done
    section = re.search(r'<h2 id="set-off">.*?</p>', done, re.S).group(0)
    assert "(by letter; up to " in section and "250.00" in section and f"recorded by {login}" in section
    [link] = re.findall(rf'href="(/my/claims/{cid}/documents/\d+)">the signed agreement</a>', section)
    assert worker.get(link).content == PDF
    assert "Record the withdrawal of the agreement" in done
    assert _consents(db_url, cid) == [(signed, "letter", 25_000, login, None, None)]
    with session_scope(db_url) as s:
        step = s.scalar(select(ClaimStep).where(ClaimStep.claim_id == cid, ClaimStep.step == "set_off_consent"))
        assert (step.happened_on, step.actor, step.detail["attachment"]) == (signed, login,
                                                                             int(link.rsplit("/", 1)[1]))
        [told] = s.scalars(select(CaseMessage.body).join(Case, Case.id == CaseMessage.case_id).where(
            Case.party_id == pid, CaseMessage.direction == "out"))
        assert told.startswith("Uw akkoord is geregistreerd op ")  # in her language

    me = client_as("affiliate", party_id=pid)  # she sees it and may withdraw it herself
    mine = me.get(f"/my/claims/{cid}?lang=nl").text
    assert "Mijn akkoord intrekken" in mine and MUST_SIGN_NL not in mine


def test_the_desk_records_the_withdrawal_on_the_day_of_the_persons_letter(client_as, db_url, claim):
    pid, cid = claim
    with session_scope(db_url) as s:
        setoff.record_consent(s, Principal.system("portal"), cid, TODAY - dt.timedelta(days=3), "portal")
    officer = client_as("benefits_officer", team="t1")
    login = _login(db_url, "benefits_officer")
    page = officer.get(f"/desk/benefits/{cid}?lang=nl").text
    assert "(via het portaal)" in page
    late = officer.post(f"/desk/benefits/{cid}/set-off", data={
        "csrf_token": _csrf(page), "withdraw": "1", "withdrawn_on": (TODAY + dt.timedelta(days=1)).isoformat()})
    assert late.status_code == 422 and "Ingetrokken op: in de toekomst" in late.text
    letter = TODAY - dt.timedelta(days=1)
    r = officer.post(f"/desk/benefits/{cid}/set-off", follow_redirects=False, data={
        "csrf_token": _csrf(page), "withdraw": "1", "withdrawn_on": letter.isoformat()},
        files={"document": ("intrekking.pdf", PDF, "application/pdf")})
    assert r.status_code == 303, r.text
    after = officer.get(r.headers["location"]).text
    assert "Intrekking van het akkoord geregistreerd: niets wordt verrekend" in after
    assert "Het akkoord registreren" in after  # she may agree again
    [(_given, _by, _max, _who, withdrawn_on, withdrawn_by)] = _consents(db_url, cid)
    assert (withdrawn_on, withdrawn_by, _documents(db_url, cid)) == (letter, login, 1)


def test_an_accountant_with_a_mandate_cannot_agree_for_the_person_nor_withdraw_her_agreement(client_as, db_url,
                                                                                             claim):
    pid, cid = claim
    accountant = client_as("accountant", grants=[pid])
    page = accountant.get(f"/my/claims/{cid}?lang=nl").text
    assert MUST_SIGN_NL in page and f'action="/my/claims/{cid}/set-off"' not in page
    r = accountant.post(f"/my/claims/{cid}/set-off", data={"csrf_token": _csrf(page), "max": "100"})
    assert r.status_code == 403 and "an accountant's mandate does not cover it" in r.json()["detail"]
    assert _consents(db_url, cid) == []

    me = client_as("affiliate", party_id=pid)
    mine = me.get(f"/my/claims/{cid}?lang=nl").text
    assert me.post(f"/my/claims/{cid}/set-off", data={"csrf_token": _csrf(mine)},
                   follow_redirects=False).status_code == 303
    page = accountant.get(f"/my/claims/{cid}?lang=nl").text
    assert "U ging op " in page  # the agreement is shown (as on her page)
    assert MUST_SIGN_NL in page and "Mijn akkoord intrekken" not in page
    r = accountant.post(f"/my/claims/{cid}/set-off", data={"csrf_token": _csrf(page), "withdraw": "1"})
    assert r.status_code == 403
    assert [c[4] for c in _consents(db_url, cid)] == [None]  # still agreed
