"""The fund's figures on screen: the public service page (no login, no personal data, fr/nl/de, charts with their
title, description and table) and the manager's dashboard (managers only)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from caisse.batches import quarterly_call
from caisse.cases.models import Case, CaseMessage
from caisse.ledger import receive_payment
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, Person

sys.path.insert(0, str(Path(__file__).parent.parent / "batches"))
from fund import Fund  # noqa: E402

TODAY = dt.date.today()


def _case(s, party, kind, channel, opened_days_ago, deadline_days_ago, answered_days_ago=None):
    opened = TODAY - dt.timedelta(days=opened_days_ago)
    answered = TODAY - dt.timedelta(days=answered_days_ago) if answered_days_ago is not None else None
    c = Case(party_id=party, kind=kind, channel=channel, subject="subject", opened_on=opened,
             status="answered" if answered else "open", deadline=TODAY - dt.timedelta(days=deadline_days_ago),
             answered_on=answered, created_by="test")
    s.add(c)
    s.flush()
    if answered:
        s.add(CaseMessage(case_id=c.id, direction="out", author="test", body="answer",
                          at=dt.datetime.combine(answered, dt.time(10, 0))))


@pytest.fixture
def figures_fund(db_url):
    fund = Fund(db_url)
    ana = fund.person(incomes={2023: "12000.00"})
    bo = fund.person(incomes={2023: "12000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0.04")
    with session_scope(db_url) as s:
        from caisse.ledger import balances

        q = sum(b.balance_cents for b in balances(s, party_id=ana, accounts=("contribution", "management_fee"))
                if b.period == "2026Q1")
        receive_payment(s, "bank/ana/2026Q1", dt.date(2026, 3, 20), q, ana)
        # a question answered in 3 days (deadline met), a complaint still unanswered 10 days past its deadline
        _case(s, ana, "question", "portal", 20, -25, answered_days_ago=17)
        _case(s, bo, "complaint", "email", 40, 10)
        people = [(p.niss, p.last_name) for p in s.scalars(select(Person))]
    return {"people": people}


def test_the_public_page_is_reachable_without_login_and_names_nobody(app_for, figures_fund):
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        r = c.get("/public/service")
        assert r.status_code == 200
        text = r.text
    assert "Our service in figures" in text
    # the charts: inline SVG with a title and a description, and the table of the same figures beside each
    assert text.count('role="img"') == 3 and text.count("<title id=") == 3 and text.count("<desc id=") == 3
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", text)  # no inline or third-party script
    question = re.search(r"<th scope=\"row\">Question</th>(.*?)</tr>", text, re.S).group(1)
    assert "3 days" in question and "100.0%" in question
    complaint = re.search(r"<th scope=\"row\">Complaint</th>(.*?)</tr>", text, re.S).group(1)
    assert "0.0%" in complaint
    total = re.search(r"All requests</th>(.*?)</tr>", text, re.S).group(1)
    assert "50.0%" in total
    rate = re.search(r"<th scope=\"row\">2026Q1</th>(.*?)</tr>", text, re.S).group(1)
    assert "50.0%" in rate  # one of the two affiliates paid the quarter
    for niss, name in figures_fund["people"]:
        assert niss not in text and name not in text


@pytest.mark.parametrize(("language", "heading"), [("fr", "Notre service en chiffres"),
                                                   ("nl", "Onze dienstverlening in cijfers"),
                                                   ("de", "Unser Service in Zahlen")])
def test_the_public_page_speaks_the_three_languages(app_for, figures_fund, language, heading):
    with TestClient(app_for) as c:
        text = c.get("/public/service", params={"lang": language}).text
    assert heading in text and f'lang="{language}"' in text
    assert {"fr": "3 jours", "nl": "3 dagen", "de": "3 Tage"}[language] in text
    assert {"fr": "50,0\xa0%", "nl": "50,0%", "de": "50,0\xa0%"}[language] in text  # rates as the language writes


def test_the_dashboard_is_for_managers(client_as, figures_fund, db_url):
    caseworker = client_as("caseworker", team="t1")
    assert caseworker.get("/desk/dashboard").status_code == 403
    auditor = client_as("auditor")
    assert auditor.get("/desk/dashboard").status_code == 403
    manager = client_as("manager")
    r = manager.get("/desk/dashboard", params={"lang": "en"})
    assert r.status_code == 200
    text = r.text
    assert "Requests pending by age" in text and "Arrears by age" in text and "Recent batch runs" in text
    assert "quarterly-call/2026Q1" in text  # the batch run, from batch_run
    assert text.count('role="img"') == 6 and not re.search(r"<script(?![^>]*\bsrc=\"/static/)", text)
    assert 'href="/desk/dashboard"' in text  # in the manager's menu
    with session_scope(db_url) as s:
        assert s.scalar(select(AuditLog.id).where(AuditLog.entity == "dashboard")) is not None
    for niss, name in figures_fund["people"]:
        assert niss not in text and name not in text


def test_a_chart_escapes_every_text_and_scales_its_bars():
    from caisse.web.charts import Bar, Chart, render

    svg = str(render(Chart("c", "Title <b>", "Desc & more", [Bar("<script>x</script>", [(1, "ok"), (1, "late")], "2",
                                                                       target=4), Bar("half", [(2, "ok")], "2")])))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Title &lt;b&gt;" in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="\d+" width="([\d.]+)"', svg)]
    assert widths == [80.0, 80.0, 160.0]  # scaled to the largest of bars and targets (4)
