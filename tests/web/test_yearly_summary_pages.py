"""The yearly summary in the portal: the page in the person's language, the PDF linked from "My documents", the API
answer, every read audited, and never another person's summary."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
from fund import Fund  # noqa: E402

from caisse.batches import quarterly_call  # noqa: E402
from caisse.ledger import balances, receive_payment  # noqa: E402
from caisse.store.db import session_scope  # noqa: E402
from caisse.store.models import AuditLog  # noqa: E402
from support.web import form_login, make_account  # noqa: E402

YEAR = 2025
LAST = dt.date.today().year - 1  # the last ended year: "My documents" always offers it


@pytest.fixture
def paid_three(db_url):
    """Me (nl) called for the four quarters of last year, three paid; somebody else called too."""
    fund = Fund(db_url)
    me = fund.person(language="nl", incomes={YEAR - 3: "12000.00"})
    other = fund.person(language="fr", incomes={YEAR - 3: "12000.00"})
    for q in (1, 2, 3, 4):
        quarterly_call.run(db_url, f"{YEAR}Q{q}", fee_rate="0.04")
    with session_scope(db_url) as s:
        due = {b.period: 0 for b in balances(s, party_id=me, accounts=("contribution",))}
        for b in balances(s, party_id=me, accounts=("contribution", "management_fee")):
            due[b.period] += b.balance_cents
    for q in (1, 2, 3):
        with session_scope(db_url) as s:
            receive_payment(s, f"bank/me/{q}", dt.date(YEAR, 3 * q, 15), due[f"{YEAR}Q{q}"], me,
                            designation=f"{YEAR}Q{q}")
    return me, other


def _client(app, db_url, party_id, lang):
    login, _ = make_account(db_url, "affiliate", party_id=party_id)
    c = TestClient(app, headers={"accept-language": lang})
    form_login(c, login, None)
    return c


def test_my_documents_links_the_summary_and_the_page_shows_states_in_dutch(app_for, db_url, paid_three):
    me, other = paid_three
    with _client(app_for, db_url, me, "nl") as c:
        docs = c.get("/my/documents").text
        assert f"/my/files/{me}/summary?year={LAST}" in docs and "Jaaroverzicht" in docs
        page = c.get(f"/my/files/{me}/summary", params={"year": YEAR})
        assert page.status_code == 200
        text = page.text
        for words in (f"Jaaroverzicht {YEAR}", "Fiscaal aftrekbaar bedrag", "Gezondheidszorg", "niet in orde",
                      f"{YEAR}Q4", "onbetaald", "Wat u nog te wachten staat"):
            assert words in text, words
        pdf = c.get(f"/my/files/{me}/summary/pdf", params={"year": YEAR})
        assert pdf.headers["content-type"] == "application/pdf"
        assert f"Jaaroverzicht {YEAR}" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        api = c.get(f"/api/persons/{me}/yearly-summary", params={"year": YEAR}).json()
        assert [q["health_cover"] for q in api["quarters"]] == [True, True, True, False]
        assert [q["pension"] for q in api["quarters"]] == ["paid", "paid", "paid", "unpaid"]
        # another person's summary: refused, whether the page, the PDF or the API
        for url in (f"/my/files/{other}/summary", f"/my/files/{other}/summary/pdf",
                    f"/api/persons/{other}/yearly-summary"):
            assert c.get(url, params={"year": YEAR}).status_code == 403, url
        assert c.get(f"/my/files/{me}/summary", params={"year": 1999}).status_code == 422
    with session_scope(db_url) as s:
        seen = set(s.execute(select(AuditLog.action, AuditLog.entity).where(AuditLog.party_id == me,
                                                                           AuditLog.entity == "yearly_summary")))
    assert seen == {("read", "yearly_summary"), ("document", "yearly_summary")}


def test_the_person_types_an_income_and_reads_the_regularisation_it_would_give(app_for, db_url, paid_three):
    me, other = paid_three
    with _client(app_for, db_url, me, "nl") as c:
        page = c.get(f"/my/files/{me}/summary", params={"year": YEAR}).text
        assert f"En als mijn inkomen {YEAR} anders is?" in page and 'id="what-if-answer"' not in page
        answer = c.get(f"/my/files/{me}/summary", params={"year": YEAR, "income": "50000"})
        assert answer.status_code == 200
        assert f"Op een inkomen {YEAR} van € 50.000,00 geeft de regularisatie {YEAR}: € " in answer.text
        assert "te betalen (raming, geen beslissing" in answer.text
        # an ended year can no longer be adjusted: no link to the form (the current year's answer has one, filled in)
        assert "/provisional-contributions?" not in answer.text
        bad = c.get(f"/my/files/{me}/summary", params={"year": YEAR, "income": "50.000"})
        assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text and 'role="alert"' in bad.text
        assert c.get(f"/my/files/{other}/summary", params={"year": YEAR, "income": "50000"}).status_code == 403
        home = c.get("/").text
        assert f"/my/files/{me}/summary?year={dt.date.today().year}#what-if" in home
    with session_scope(db_url) as s:
        assert s.scalar(select(AuditLog.detail).where(AuditLog.party_id == me,
                                                      AuditLog.entity == "regularisation_forecast")) == {"year": YEAR}


def test_this_years_answer_leads_to_the_adjustment_form_filled_in(app_for, db_url):
    this_year = dt.date.today().year
    me = Fund(db_url).person(language="fr", incomes={this_year - 3: "12000.00"})
    quarterly_call.run(db_url, f"{this_year}Q1", fee_rate="0.04")
    with _client(app_for, db_url, me, "fr") as c:
        answer = c.get(f"/my/files/{me}/summary", params={"year": this_year, "income": "50000"}).text
        link = f'/my/files/{me}/provisional-contributions?year={this_year}&amp;estimate=50000.00'
        assert link in answer and f"Ajuster mes cotisations provisoires {this_year} à ce revenu" in answer
        form = c.get(link.replace("&amp;", "&"))
        assert form.status_code == 200 and 'value="50000.00"' in form.text
