"""A person asks a reduction of her provisional contributions in the portal — she sees what each quarter becomes and
the surcharge she risks before asking, without JavaScript, in her language — and the caseworker decides it from
the request's page."""

from __future__ import annotations

import datetime as dt
import io
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
        empty = person_c.get(f"/my/files/{ana}/reduction")  # the older address still answers
        assert empty.status_code == 200 and "Mijn voorlopige bijdragen aanpassen" in empty.text
        assert f'<option value="{TODAY.year}" selected>' in empty.text and "<script" not in empty.text.split(
            "<main", 1)[-1]
        page = person_c.get(f"/my/files/{ana}/reduction", params={"year": TODAY.year, "estimate": "20000,00"})
        assert page.status_code == 200
        money = f"{want.quarterly // 100:,}".replace(",", ".") + f",{want.quarterly % 100:02d}"
        assert money in page.text  # e.g. 1.025,00 per kwartaal
        assert "Let op: verhoging als uw inkomen hoger blijkt" in page.text and "niet gevonden" in page.text
        assert "nog niet aangerekend" in page.text
        # no income of N-3 to compare with: a reduction, the careful reading (the warning above)
        assert "Een vermindering van uw voorlopige bijdragen" in page.text
        assert "Deze vermindering aanvragen" in page.text
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


INCREASE = {  # what each language reads for a higher estimate: page heading, its explanation, button, subject, letter
    "fr": ("Une augmentation de vos cotisations provisoires", "Payer plus maintenant, moins à la régularisation",
           "Demander cette augmentation", "Augmentation des cotisations provisoires {year}",
           "Augmentation de vos cotisations provisoires {year} : accordée"),
    "nl": ("Een vrijwillige verhoging van uw voorlopige bijdragen", "Nu meer betalen, minder bij de regularisatie",
           "Deze vrijwillige verhoging aanvragen", "Vrijwillige verhoging van de voorlopige bijdragen {year}",
           "Vrijwillige verhoging van uw voorlopige bijdragen {year}: toegestaan"),
    "de": ("Eine Erhöhung Ihrer vorläufigen Beiträge", "Jetzt mehr zahlen, weniger bei der Regularisierung",
           "Diese Erhöhung beantragen", "Erhöhung der vorläufigen Beiträge {year}",
           "Erhöhung Ihrer vorläufigen Beiträge {year}: bewilligt"),
}
REDUCTION = {  # and for a lower one: heading, the §4.3 warning's title, button, subject, letter
    "fr": ("Une réduction de vos cotisations provisoires", "Attention : majoration si votre revenu s'avère plus élevé",
           "Demander cette réduction", "Réduction des cotisations provisoires {year}",
           "Réduction de vos cotisations provisoires {year} : accordée"),
    "nl": ("Een vermindering van uw voorlopige bijdragen", "Let op: verhoging als uw inkomen hoger blijkt",
           "Deze vermindering aanvragen", "Vermindering van de voorlopige bijdragen {year}",
           "Vermindering van uw voorlopige bijdragen {year}: toegestaan"),
    "de": ("Eine Herabsetzung Ihrer vorläufigen Beiträge", "Achtung: Zuschlag, wenn Ihr Einkommen höher ausfällt",
           "Diese Herabsetzung beantragen", "Herabsetzung der vorläufigen Beiträge {year}",
           "Herabsetzung Ihrer vorläufigen Beiträge {year}: bewilligt"),
}


def _flat(text: str) -> str:
    from html import unescape

    return " ".join(unescape(text).replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
@pytest.mark.parametrize(("estimate", "words"), [("90000", INCREASE), ("12000", REDUCTION)],
                         ids=["higher", "lower"])
def test_a_higher_estimate_reads_as_an_increase_a_lower_one_as_a_reduction(app_for, db_url, language, estimate,
                                                                          words):
    """Her provisional contributions are computed on 40,000.00 earned three years ago. 90,000.00 raises them: the
    page shows what she pays now and on the estimate, says an increase and what it avoids (no surcharge warning),
    the request list, the desk's buttons, the answer and the decision letter say an increase. 12,000.00 lowers them:
    all of it says a reduction, with the §4.3 warning."""
    from pypdf import PdfReader

    from caisse.documents.reduction_letters import decision_pdf
    from caisse.rules.explain import fmt_money

    year = TODAY.year
    try:
        now = rc.provisional(year, "main", reference_income="40000.00", fee_rate="0.0405")
        asked = rc.provisional(year, "main", chosen_income=f"{estimate}.00", fee_rate="0.0405")
    except UnknownParameter:
        pytest.skip(f"the contribution figures of {year} (or its revaluation coefficient) are not published")
    pid = Fund(db_url).person(category="main", start=dt.date(2015, 1, 1), language=language,
                              incomes={year - 3: "40000.00"})
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id == pid).values(team="t1"))
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    cw_login, cw_secret = make_account(db_url, "caseworker", team="t1")
    heading, explained, button, subject, title = (w.format(year=year) for w in words[language])
    other = (REDUCTION if words is INCREASE else INCREASE)[language]
    with TestClient(app_for, headers={"accept-language": language}) as person_c, \
            TestClient(app_for, headers={"accept-language": "en"}) as staff_c:
        form_login(person_c, login, None)
        home = person_c.get("/")
        assert f'href="/my/files/{pid}/provisional-contributions"' in home.text
        page = person_c.get(f"/my/files/{pid}/provisional-contributions", params={"year": year, "estimate": estimate})
        assert page.status_code == 200
        flat = _flat(page.text)
        assert heading in flat and explained in flat and button in flat
        assert other[0] not in flat and other[1] not in flat
        # what a quarter costs now (on the income of three years ago revalued) and on the estimate, fee included
        assert fmt_money(now.quarterly_total, language).replace("\u202f", " ") in flat
        assert fmt_money(asked.quarterly_total, language).replace("\u202f", " ") in flat
        done = person_c.post(f"/my/files/{pid}/provisional-contributions", data={
            "csrf_token": csrf_of(page.text), "year": year, "estimate": estimate,
            "justification": "Estimate of my accountant."}, follow_redirects=False)
        assert done.status_code == 303
        case_id = int(done.headers["location"].rsplit("/", 1)[1])
        assert subject in _flat(person_c.get("/my/requests").text)
        assert subject in _flat(person_c.get("/").text)  # the home page's open requests

        form_login(staff_c, cw_login, cw_secret)
        case_page = staff_c.get(f"/desk/cases/{case_id}")
        up = words is INCREASE
        assert ("Grant the increase asked" if up else "Grant the reduction asked") in case_page.text
        assert f"{'Increase' if up else 'Reduction'} of provisional contributions {year}" in case_page.text
        ok = staff_c.post(f"/desk/cases/{case_id}", data={"csrf_token": csrf_of(case_page.text),
                                                          "action": "grant_red", "body": ""}, follow_redirects=False)
        assert ok.status_code == 303
        answered = _flat(person_c.get(f"/my/requests/{case_id}").text)
        assert title in answered and explained in answered and other[1] not in answered
    with session_scope(db_url) as s:
        r = s.scalar(select(ReductionRequest))  # nothing called yet: granted at once, either way
        assert (r.status, r.direction, r.quarterly_cents) == ("granted", "increase" if up else "reduction",
                                                              asked.quarterly)
        letter = " ".join(PdfReader(io.BytesIO(decision_pdf(s, r.id))).pages[0].extract_text().split())
    assert title in letter.replace("\u202f", " ") and explained in letter and other[1] not in letter
