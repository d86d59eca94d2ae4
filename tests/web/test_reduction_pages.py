"""A person asks a reduction of her provisional contributions in the portal — she sees what each quarter becomes and
the surcharge she risks before asking, without JavaScript, in her language — and the caseworker decides it from
the request's page."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from caisse.errors import UnknownParameter
from caisse.ledger.models import LedgerTransaction
from caisse.recovery.models import ReductionRequest
from caisse.rules import contributions as rc
from caisse.store.db import session_scope
from caisse.store.models import Party
from support.web import form_login, make_account

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
from fund import Fund  # noqa: E402

TODAY = dt.date.today()


def csrf_of(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)


@pytest.fixture
def ana(db_url):
    try:
        rc.year_params(TODAY.year)
    except UnknownParameter:
        pytest.skip(f"the contribution figures of {TODAY.year} are not published in the parameters")
    pid = Fund(db_url).person(category="main", start=dt.date(2015, 1, 1), language="nl")
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == pid).values(team="t1"))
    return pid


def test_the_form_shows_the_quarters_and_the_warning_then_the_caseworker_grants_it(app_for, db_url, ana):
    login, _ = make_account(db_url, "affiliate", party_id=ana)
    cw_login, cw_secret = make_account(db_url, "caseworker", team="t1")
    want = rc.provisional(TODAY.year, "main", chosen_income="20000.00")
    with TestClient(app_for, headers={"accept-language": "nl"}) as person_c, \
            TestClient(app_for, headers={"accept-language": "en"}) as staff_c:
        form_login(person_c, login, None)
        empty = person_c.get(f"/my/files/{ana}/reduction")
        assert empty.status_code == 200 and "Mijn voorlopige bijdragen verminderen" in empty.text
        assert f'<option value="{TODAY.year}" selected>' in empty.text and "<script" not in empty.text.split(
            "<main", 1)[-1]
        page = person_c.get(f"/my/files/{ana}/reduction", params={"year": TODAY.year, "estimate": "20000,00"})
        assert page.status_code == 200
        money = f"{want.quarterly // 100:,}".replace(",", ".") + f",{want.quarterly % 100:02d}"
        assert money in page.text  # e.g. 1.025,00 per kwartaal
        assert "Let op: verhoging als uw inkomen hoger blijkt" in page.text and "niet gevonden" in page.text
        assert "nog niet aangerekend" in page.text
        asked = person_c.post(f"/my/files/{ana}/reduction", data={
            "csrf_token": csrf_of(page.text), "year": TODAY.year, "estimate": "20000,00",
            "justification": "Mijn grootste klant is failliet."}, follow_redirects=False)
        assert asked.status_code == 303
        case_id = int(asked.headers["location"].rsplit("/", 1)[1])
        assert "Vermindering" in person_c.get("/my/requests").text or str(case_id) in person_c.get(
            "/my/requests").text

        form_login(staff_c, cw_login, cw_secret)
        case_page = staff_c.get(f"/desk/cases/{case_id}")
        assert "Grant the reduction asked" in case_page.text
        done = staff_c.post(f"/desk/cases/{case_id}", data={"csrf_token": csrf_of(case_page.text),
                                                            "action": "grant_red", "body": ""},
                            follow_redirects=False)
        assert done.status_code == 303
        mine = person_c.get(f"/my/requests/{case_id}")
        assert "Uw aanvraag is toegestaan" in mine.text
    with session_scope(db_url) as s:
        r = s.scalar(select(ReductionRequest))
        assert (r.status, r.quarterly_cents) == ("granted", want.quarterly)


def test_a_bad_estimate_is_refused_on_the_page_and_nothing_is_asked(app_for, db_url, ana):
    login, _ = make_account(db_url, "affiliate", party_id=ana, language="fr")  # she chose French (her file: nl)
    with TestClient(app_for, headers={"accept-language": "fr"}) as c:
        form_login(c, login, None)
        page = c.get(f"/my/files/{ana}/reduction", params={"year": TODAY.year, "estimate": "20.000,00"})
        assert page.status_code == 422 and 'role="alert"' in page.text
        refused = c.post(f"/my/files/{ana}/reduction", data={
            "csrf_token": csrf_of(page.text), "year": TODAY.year, "estimate": "20000", "justification": " "})
        assert refused.status_code == 422 and "dites sur quoi repose" in refused.text
    with session_scope(db_url) as s:
        assert not s.scalars(select(ReductionRequest)).all()
        assert not s.scalars(select(LedgerTransaction)).all()


def test_a_refusal_from_the_desk_needs_its_motivation(app_for, db_url, ana):
    from caisse.recovery import reduction
    from caisse.security.authz import Principal

    with session_scope(db_url) as s:
        case_id = reduction.request(s, Principal(login="p", role="affiliate", account_id=1, party_id=ana), ana,
                                    TODAY.year, 2_000_000, "raison", TODAY).case_id
    cw_login, cw_secret = make_account(db_url, "caseworker", team="t1")
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        form_login(c, cw_login, cw_secret)
        page = c.get(f"/desk/cases/{case_id}")
        r = c.post(f"/desk/cases/{case_id}", data={"csrf_token": csrf_of(page.text), "action": "refuse_red",
                                                   "body": ""})
        assert r.status_code == 422 and "a refusal is motivated" in r.text
        ok = c.post(f"/desk/cases/{case_id}", data={"csrf_token": csrf_of(page.text), "action": "refuse_red",
                                                    "body": "no evidence"}, follow_redirects=False)
        assert ok.status_code == 303
    with session_scope(db_url) as s:
        assert s.scalar(select(ReductionRequest.status)) == "refused"


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0 a small picture \xff\xd9"


def test_the_evidence_goes_with_the_request_and_the_caseworker_deciding_it_reads_it(app_for, db_url, ana):
    """She joins her accountant's statement (PDF) and a photo of an order (JPEG) to the request: the caseworker's
    page of the request lists both and downloads the very bytes (the read audited). A file that is not a PDF or
    JPEG refuses the whole request, naming the field: nothing is asked, no document kept."""
    from caisse.cases.models import CaseAttachment
    from caisse.store.models import AuditLog

    login, _ = make_account(db_url, "affiliate", party_id=ana)
    cw_login, cw_secret = make_account(db_url, "caseworker", team="t1")
    form = {"year": TODAY.year, "estimate": "20000,00", "justification": "Mijn grootste klant is failliet."}
    with TestClient(app_for, headers={"accept-language": "nl"}) as person_c, \
            TestClient(app_for, headers={"accept-language": "en"}) as staff_c:
        form_login(person_c, login, None)
        page = person_c.get(f"/my/files/{ana}/reduction", params={"year": TODAY.year, "estimate": "20000,00"})
        assert 'enctype="multipart/form-data"' in page.text and 'name="files"' in page.text
        bad = person_c.post(f"/my/files/{ana}/reduction", data={"csrf_token": csrf_of(page.text), **form},
                            files=[("files", ("verklaring.pdf", PDF, "application/pdf")),
                                   ("files", ("bestelling.pdf", b"just text, renamed", "application/pdf"))])
        assert bad.status_code == 422 and "Documenten: geen PDF- of JPEG-document" in bad.text
        with session_scope(db_url) as s:
            assert not s.scalars(select(ReductionRequest)).all() and not s.scalars(select(CaseAttachment)).all()

        asked = person_c.post(f"/my/files/{ana}/reduction", data={"csrf_token": csrf_of(page.text), **form},
                              files=[("files", ("verklaring.pdf", PDF, "application/pdf")),
                                     ("files", ("bestelling.jpg", JPEG, "image/jpeg"))], follow_redirects=False)
        assert asked.status_code == 303, asked.text
        case_id = int(asked.headers["location"].rsplit("/", 1)[1])
        assert "verklaring.pdf" in person_c.get(f"/my/requests/{case_id}").text

        form_login(staff_c, cw_login, cw_secret)
        case_page = staff_c.get(f"/desk/cases/{case_id}")
        assert "Grant the reduction asked" in case_page.text
        links = dict((name, href) for href, name in re.findall(
            rf'<a href="(/desk/cases/{case_id}/documents/\d+)">([^<]+)</a>', case_page.text))
        assert set(links) == {"verklaring.pdf", "bestelling.jpg"}
        got = staff_c.get(links["bestelling.jpg"])
        assert got.status_code == 200 and got.content == JPEG and got.headers["content-type"] == "image/jpeg"
    with session_scope(db_url) as s:
        r = s.scalar(select(ReductionRequest))
        assert (r.case_id, r.status) == (case_id, "requested")
        assert s.scalar(select(AuditLog).where(AuditLog.entity == "case_attachment", AuditLog.action == "read")
            .order_by(AuditLog.id))


def test_a_primostarter_sees_the_reduced_first_quarter_and_simulates_as_a_primostarter(app_for, db_url):
    """Started on 2 January as a primostarter: the reduction page shows the first quarter as the call charges it
    (reduced, art. 12 §1bis) and its link to the simulator carries the file's primostarter and start quarter."""
    from html import unescape

    from caisse.rules.explain import fmt_money

    try:
        want = rc.provisional(TODAY.year, "main", chosen_income="5000.00", primostarter=True, start_quarter=1,
                              fee_rate="0.0405")
    except UnknownParameter:
        pytest.skip(f"the contribution figures of {TODAY.year} are not published in the parameters")
    pid = Fund(db_url).person(category="main", start=dt.date(TODAY.year, 1, 2), primostarter=True, language="fr")
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    with TestClient(app_for, headers={"accept-language": "fr"}) as c:
        form_login(c, login, None)
        page = unescape(c.get(f"/my/files/{pid}/reduction", params={"year": TODAY.year, "estimate": "5000"}).text)
        link = re.search(r'href="(/simulator\?[^"]+)"', page).group(1)
        simulated = unescape(c.get(link).text)
    # 5,000.00 is under the primostarter minimum: the regular quarter is its minimum, the first one reduced
    first, regular = want.quarters[0], want.quarters[1]
    assert "primostarter=true" in link and "start_quarter=1" in link
    flat = " ".join(page.replace("\u202f", " ").replace("\xa0", " ").split())
    assert fmt_money(first.total, "fr").replace("\u202f", " ") in flat
    assert (f"{fmt_money(regular.contribution, 'fr')} par trimestre ({fmt_money(regular.total, 'fr')} avec les "
            "frais de gestion)").replace("\u202f", " ") in flat  # a quarter on the estimate: a regular one
    flat = " ".join(simulated.replace("\u202f", " ").replace("\xa0", " ").split())
    assert (f"Premier trimestre d'activité ({TODAY.year}Q1), après la réduction primo-starter de "
            f"{fmt_money(first.reduction, 'fr')} : {fmt_money(first.total, 'fr')}, frais de gestion compris"
            ).replace("\u202f", " ") in flat
