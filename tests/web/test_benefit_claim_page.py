"""A person's claim page (issue 8): the person adds a document to a claim (recognised from its bytes, not its name),
sees what the fund asks for, withdraws the claim; the benefits officer sees the documents on the desk, asks for a
document, and may withdraw a claim on the person's word."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))

from fund import Fund  # noqa: E402

from caisse.benefits import service  # noqa: E402
from caisse.benefits.models import BenefitClaim  # noqa: E402
from caisse.security.authz import Principal  # noqa: E402
from caisse.store.db import session_scope  # noqa: E402
from caisse.store.models import Party  # noqa: E402

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def claim(carer_application):
    """A carer-leave application of a Dutch-speaking person of team t1, received today."""
    return carer_application()


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_person_adds_a_document_and_the_officer_sees_it_on_the_desk(client_as, db_url, claim):
    pid, cid = claim
    me = client_as("affiliate", party_id=pid)
    assert f'href="/my/claims/{cid}"' in me.get(f"/my/files/{pid}/rights").text
    page = me.get(f"/my/claims/{cid}?lang=nl")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    bad = me.post(f"/my/claims/{cid}/documents", data={"csrf_token": _csrf(page.text)},
                  files={"file": ("attest.pdf", b"MZ\x90\x00 not a document", "application/pdf")})
    assert bad.status_code == 422 and "geen PDF- of JPEG-document" in bad.text  # in the language chosen
    r = me.post(f"/my/claims/{cid}/documents", data={"csrf_token": _csrf(page.text)},
                files={"file": ("attest.jpg", PDF, "image/jpeg")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    mine = me.get(r.headers["location"])
    assert "attest.jpg" in mine.text and "Uw document is bij de aanvraag gevoegd." in mine.text

    officer = client_as("benefits_officer", team="t1")
    desk = officer.get(f"/desk/benefits/{cid}?lang=en")
    [link] = re.findall(rf'href="(/my/claims/{cid}/documents/\d+)"', desk.text)
    assert "application/pdf" in desk.text  # the type recognised, not the name's
    got = officer.get(link)
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert "attachment" in got.headers["content-disposition"]


def test_the_officer_asks_a_document_the_person_sees_it_and_answers_then_withdraws(client_as, db_url, claim):
    pid, cid = claim
    officer = client_as("benefits_officer", team="t1")
    desk = officer.get(f"/desk/benefits/{cid}?lang=en")
    r = officer.post(f"/desk/benefits/{cid}/request-document", follow_redirects=False,
                     data={"csrf_token": _csrf(desk.text), "what": "medisch attest van de zorgbehoevende"})
    assert r.status_code == 303, r.text
    assert "the decision deadline is suspended meanwhile" in officer.get(r.headers["location"]).text
    assert "suspended while the document asked is missing" in officer.get("/desk/benefits?lang=en").text

    me = client_as("affiliate", party_id=pid)
    rights = me.get(f"/my/files/{pid}/rights?lang=nl")
    assert "medisch attest van de zorgbehoevende" in rights.text
    page = me.get(f"/my/claims/{cid}?lang=nl")
    assert "Het fonds heeft een document van u nodig" in page.text
    me.post(f"/my/claims/{cid}/documents", data={"csrf_token": _csrf(page.text)},
            files={"file": ("attest.pdf", PDF, "application/pdf")})
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).waiting_for is None

    r = me.post(f"/my/claims/{cid}/withdraw", data={"csrf_token": _csrf(page.text), "reason": "niet meer nodig"},
                follow_redirects=False)
    assert r.status_code == 303
    done = me.get(r.headers["location"])
    assert "Uw aanvraag is ingetrokken" in done.text
    assert f'action="/my/claims/{cid}/withdraw"' not in done.text  # nothing left to withdraw
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert (c.status, c.withdrawn_on) == ("closed", TODAY)
    again = me.post(f"/my/claims/{cid}/withdraw", data={"csrf_token": _csrf(page.text)})
    assert again.status_code == 409
    assert f'/desk/benefits/{cid}"' not in officer.get("/desk/benefits").text  # no longer followed


def test_a_caseworker_withdraws_a_claim_on_the_persons_word(client_as, db_url, claim):
    pid, cid = claim
    worker = client_as("caseworker", team="t1")
    desk = worker.get(f"/desk/benefits/{cid}?lang=en")
    assert "Ask for the document" not in desk.text  # asking documents is the benefits officer's
    r = worker.post(f"/desk/benefits/{cid}/withdraw", follow_redirects=False,
                    data={"csrf_token": _csrf(desk.text), "reason": "letter of 2 December: no longer needed"})
    assert r.status_code == 303, r.text
    assert "Withdrawn: the person is told in their language." in worker.get(r.headers["location"]).text


def test_the_officer_reminds_the_person_who_reads_until_when_to_answer(client_as, db_url, claim):
    pid, cid = claim
    officer = client_as("benefits_officer", team="t1")
    desk = officer.get(f"/desk/benefits/{cid}?lang=en")
    assert "Send a reminder" not in desk.text  # nothing asked yet
    officer.post(f"/desk/benefits/{cid}/request-document", data={"csrf_token": _csrf(desk.text),
                                                                 "what": "medisch attest"})
    desk = officer.get(f"/desk/benefits/{cid}?lang=en")
    r = officer.post(f"/desk/benefits/{cid}/remind", data={"csrf_token": _csrf(desk.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = officer.get(r.headers["location"]).text
    assert "Reminder sent: the person is told in their language." in page
    assert "may be decided on the information the fund has from" in page
    assert "Send a reminder" not in page  # once
    again = officer.post(f"/desk/benefits/{cid}/remind", data={"csrf_token": _csrf(page)})
    assert again.status_code == 409 and "Not done:" in again.text
    me = client_as("affiliate", party_id=pid)
    mine = me.get(f"/my/claims/{cid}?lang=nl").text
    assert "Herinnering verstuurd op" in mine and "kan het fonds beslissen op basis van de gegevens" in mine


def test_a_decided_claim_shows_the_appeal_deadline_from_its_notification(client_as, db_url, claim, monkeypatch):
    from caisse.config import get_settings

    pid, cid = claim
    monkeypatch.setenv("CAISSE_CHARTER_MENTIONS_FILE",
                       str(Path(__file__).parents[1] / "benefits" / "charter_mentions_test.yaml"))
    get_settings.cache_clear()  # every art. 14 mention recorded: the appeal period runs
    with session_scope(db_url) as s:  # refused (no contribution paid), made available today
        assert service.decide(s, Principal.system("setup"), cid, TODAY).outcome == "refused"
        until = service.appeal_until(s.get(BenefitClaim, cid))
    me = client_as("affiliate", party_id=pid)
    mine = me.get(f"/my/claims/{cid}?lang=nl").text
    assert "Bij de arbeidsrechtbank, binnen 3 maanden na de kennisgeving van deze beslissing." in mine
    assert until == service.add_months(TODAY, 3)
    assert "Ter kennis gebracht op " in mine and ": beroep kan worden ingesteld tot " in mine
    officer = client_as("benefits_officer", team="t1")
    assert "To the labour court, within 3 months of the notification of this decision." in officer.get(
        f"/desk/benefits/{cid}?lang=en").text


def test_the_officer_records_a_registered_letter_and_the_appeal_runs_from_it(client_as, db_url, claim, monkeypatch):
    from caisse.config import get_settings

    pid, cid = claim
    monkeypatch.setenv("CAISSE_CHARTER_MENTIONS_FILE",
                       str(Path(__file__).parents[1] / "benefits" / "charter_mentions_test.yaml"))
    get_settings.cache_clear()
    decided_on = TODAY - dt.timedelta(days=5)
    with session_scope(db_url) as s:
        s.get(BenefitClaim, cid).received_on = decided_on
    with session_scope(db_url) as s:
        service.decide(s, Principal.system("setup"), cid, decided_on)
    officer = client_as("benefits_officer", team="t1")
    page = officer.get(f"/desk/benefits/{cid}?lang=en").text
    bad = officer.post(f"/desk/benefits/{cid}/notified", data={"csrf_token": _csrf(page), "on": "2026-13-01",
                                                               "by": "registered"})
    assert bad.status_code == 422 and "not a date" in bad.text
    letter = TODAY - dt.timedelta(days=2)
    r = officer.post(f"/desk/benefits/{cid}/notified", data={"csrf_token": _csrf(page), "on": letter.isoformat(),
                                                             "by": "registered"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert "Notification recorded: the appeal period runs from it." in officer.get(r.headers["location"]).text
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert (c.notified_on, c.notified_by) == (letter, "registered")
        assert service.appeal_until(c) == service.add_months(letter, 3)


def test_the_person_reads_the_deadline_suspended_while_a_document_is_awaited_then_the_new_date(client_as, db_url):
    """Her claim was received five months ago; two months ago the fund asked her for a medical certificate, before
    its four months ran out. Her pages say the deadline is suspended, waiting for it since then — not the original
    date, and never "overdue" though that date has passed. Once she adds it, they show the date moved by the days
    waited."""
    from babel.dates import format_date

    from caisse.benefits import attachments

    pid = Fund(db_url).person(language="nl")
    received, asked = service.add_months(TODAY, -5), service.add_months(TODAY, -2)
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == pid).values(team="t1"))
        start = (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        claim = service.file_claim(s, Principal.system("setup"), pid, "carer", {"start": start, "months": 1},
                                   received)
        cid, original = claim.id, claim.decision_due
        attachments.request_document(s, Principal.system("setup"), cid, "medisch attest", asked)
    assert asked <= original < TODAY

    def nl(day):
        return format_date(day, "medium", locale="nl_BE")

    me = client_as("affiliate", party_id=pid)
    for page in (me.get(f"/my/files/{pid}/rights?lang=nl").text, me.get(f"/my/claims/{cid}?lang=nl").text):
        assert "Beslissingstermijn geschorst" in page
        assert f"wachten op medisch attest sinds {nl(asked)}; de termijn loopt weer zodra het binnenkomt." in page
        assert nl(original) not in page and "te laat" not in page
    officer = client_as("benefits_officer", team="t1")
    desk = officer.get(f"/desk/benefits/{cid}?lang=en").text  # the desk says it is suspended, not overdue
    assert "the decision deadline is suspended meanwhile" in desk and "overdue" not in desk

    page = me.get(f"/my/claims/{cid}?lang=nl")
    r = me.post(f"/my/claims/{cid}/documents", data={"csrf_token": _csrf(page.text)},
                files={"file": ("attest.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    waited = (TODAY - asked).days
    moved = original + dt.timedelta(days=waited)
    for page in (me.get(f"/my/files/{pid}/rights?lang=nl").text, me.get(f"/my/claims/{cid}?lang=nl").text):
        assert "Beslissingstermijn geschorst" not in page
        assert f"beslissing uiterlijk op {nl(moved)} (verschoven met {waited} dag(en)" in page


def test_the_person_agrees_to_a_set_off_against_her_contributions_and_withdraws_it(client_as, db_url, claim):
    pid, cid = claim
    me = client_as("affiliate", party_id=pid)
    page = me.get(f"/my/claims/{cid}?lang=nl")
    assert "Verrekening met uw bijdragen" in page.text and "Zonder uw akkoord wordt niets verrekend." in page.text
    bad = me.post(f"/my/claims/{cid}/set-off", data={"csrf_token": _csrf(page.text), "max": "12,345"})
    assert bad.status_code == 422 and 'aria-describedby="form-error"' in bad.text
    r = me.post(f"/my/claims/{cid}/set-off", data={"csrf_token": _csrf(page.text), "max": "250"},
                follow_redirects=False)
    assert r.status_code == 303, r.text
    mine = me.get(r.headers["location"])
    assert "Uw akkoord tot verrekening is geregistreerd." in mine.text and "Mijn akkoord intrekken" in mine.text
    from sqlalchemy import select

    from caisse.benefits.models import SetOffConsent

    with session_scope(db_url) as s:
        c = s.scalar(select(SetOffConsent).where(SetOffConsent.claim_id == cid))
        assert (c.channel, c.max_cents, c.given_on, c.withdrawn_on) == ("portal", 25_000, TODAY, None)
    again = me.post(f"/my/claims/{cid}/set-off", data={"csrf_token": _csrf(mine.text), "max": "100"})
    assert again.status_code == 409 and "ging al akkoord" in again.text
    r = me.post(f"/my/claims/{cid}/set-off", data={"csrf_token": _csrf(mine.text), "withdraw": "1"},
                follow_redirects=False)
    assert r.status_code == 303
    assert "niets wordt verrekend" in me.get(r.headers["location"]).text
    with session_scope(db_url) as s:
        assert s.scalar(select(SetOffConsent.withdrawn_on).where(SetOffConsent.claim_id == cid)) == TODAY


def test_a_refused_set_off_names_the_field_in_the_page_language(client_as, db_url, claim):
    """On her Dutch page a maximum that is not an amount is refused naming the form's field as she reads it
    ("Hoogstens"), and agreeing twice names her claim ("Aanvraag") — not the code's words "max" and "claim"."""
    pid, cid = claim
    me = client_as("affiliate", party_id=pid)
    page = me.get(f"/my/claims/{cid}?lang=nl")
    bad = me.post(f"/my/claims/{cid}/set-off", data={"csrf_token": _csrf(page.text), "max": "12,345"})
    assert bad.status_code == 422
    error = re.search(r'id="form-error">(.*?)</p>', bad.text, re.S).group(1)
    assert "Hoogstens (EUR, optioneel):" in error and "max:" not in error
    assert me.post(f"/my/claims/{cid}/set-off", data={"csrf_token": _csrf(page.text)},
                   follow_redirects=False).status_code == 303
    again = me.post(f"/my/claims/{cid}/set-off", data={"csrf_token": _csrf(page.text)})
    assert again.status_code == 409
    error = re.search(r'id="form-error">(.*?)</p>', again.text, re.S).group(1)
    assert "Aanvraag:" in error and "claim:" not in error
