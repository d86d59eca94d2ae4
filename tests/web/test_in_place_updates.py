"""In-place updates (htmx, vendored and served from our origin): a page asked by htmx (``HX-Request``) gets only
the part that changes, every other request the whole page — so everything keeps working without JavaScript."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from caisse.cases import service as cases
from caisse.cases.models import Case
from caisse.demo.generator import generate, load
from caisse.security.authz import Principal
from caisse.store.db import engine_for, session_scope
from caisse.store.models import Account, Party
from support.web import csrf_of, logged_in, make_account, park_a_payment

SYSTEM = Principal.system("test")
HX = {"HX-Request": "true"}


@pytest.fixture
def fund(db_url):
    with engine_for(db_url).begin() as conn:
        load(conn, generate(20, seed=5, as_of=dt.date.today()))
    today = dt.date.today()
    with session_scope(db_url) as s:
        team = s.get(Party, 1).team
        other = s.scalar(select(Party.id).where(Party.team != team).order_by(Party.id))
        late = cases.open_case(s, SYSTEM, 1, "complaint", "A late complaint", "body", today - dt.timedelta(days=100),
                               channel="phone").id
        fresh = cases.open_case(s, SYSTEM, 1, "question", "A fresh question", "body", today, channel="phone").id
    return {"team": team, "late": late, "fresh": fresh, "other_file": other}


def test_pages_load_htmx_from_our_origin_under_a_strict_policy(app_for, fund, db_url):
    c, _ = logged_in(app_for, db_url, "caseworker", team=fund["team"])
    with c:
        page = c.get("/desk/queue")
        js = c.get("/static/vendor/htmx/htmx.min.js")
        glue = c.get("/static/caisse.js")
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts and all('src="/static/' in attrs for attrs in scripts)  # no inline script, nothing foreign
    assert js.status_code == 200 and "javascript" in js.headers["content-type"] and "htmx" in js.text[:200]
    assert glue.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-eval" not in csp and "unsafe-inline" not in csp.split(";")[1]
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page.text).group(1)
    assert '"allowEval":false' in config and '"includeIndicatorStyles":false' in config
    assert '"historyCacheSize":0' in config  # no copy of a page of personal data in the browser's storage


def test_the_queue_filter_answers_the_list_alone_to_htmx_and_the_whole_page_otherwise(app_for, fund, db_url):
    c, _ = logged_in(app_for, db_url, "caseworker", team=fund["team"])
    with c:
        whole = c.get("/desk/queue", params={"overdue": "true"})
        part = c.get("/desk/queue", params={"overdue": "true"}, headers=HX)
        restore = c.get("/desk/queue", params={"overdue": "true"},
                        headers={**HX, "HX-History-Restore-Request": "true"})
        everything = c.get("/desk/queue", headers=HX)
    assert whole.status_code == part.status_code == 200
    assert "<html" in whole.text and 'hx-get="/desk/queue"' in whole.text and 'hx-push-url="true"' in whole.text
    assert "<html" not in part.text and "<h1" not in part.text and 'id="queue-results"' in part.text
    assert part.headers["vary"] == whole.headers["vary"] == "HX-Request"
    # the count is announced by the live region that stays on the page (swapped out of band)
    assert re.search(r'<p id="queue-count" role="status" hx-swap-oob="innerHTML">Cases shown: 1</p>', part.text)
    assert "hx-swap-oob" not in whole.text and "Cases shown: 1" in whole.text
    assert "A late complaint" in part.text and "A fresh question" not in part.text  # overdue only
    assert "A fresh question" in everything.text
    assert "<html" in restore.text  # going back in history reloads the whole page


def test_a_case_is_taken_from_the_queue_in_place_or_by_a_plain_form(app_for, fund, db_url):
    c, login = logged_in(app_for, db_url, "caseworker", team=fund["team"])
    make_account(db_url, "caseworker", team=fund["team"])  # a colleague to give it to
    with c:
        page = c.get("/desk/queue", params={"kind": "question"})
        assert f'id="take-{fund["fresh"]}"' in page.text
        row = c.post(f"/desk/queue/{fund['fresh']}", data={"csrf_token": csrf_of(page), "account": "me",
                                                          "kind": "question"}, headers=HX)
        assert row.status_code == 200 and row.text.lstrip().startswith(f'<tr id="case-{fund["fresh"]}"')
        assert f"Now held by {login}." in row.text and "autofocus" in row.text  # focus lands on what happened
        assert f'id="give-{fund["fresh"]}"' in row.text and f'id="take-{fund["fresh"]}"' not in row.text
        plain = c.post(f"/desk/queue/{fund['late']}", data={"csrf_token": csrf_of(page), "account": "me",
                                                           "kind": "complaint", "overdue": "true"},
                       follow_redirects=False)
        assert plain.status_code == 303
        assert plain.headers["location"] == f"/desk/queue?kind=complaint&overdue=true#case-{fund['late']}"
    with session_scope(db_url) as s:
        mine = s.scalar(select(Account.id).where(Account.login == login))
        assert {s.get(Case, fund["fresh"]).assigned_to, s.get(Case, fund["late"]).assigned_to} == {mine}


def test_a_refused_assignment_says_why_in_the_row_or_on_the_queue(app_for, fund, db_url):
    other_team = "t-elsewhere"
    stranger, _ = make_account(db_url, "caseworker", team=other_team)
    with session_scope(db_url) as s:
        stranger_id = s.scalar(select(Account.id).where(Account.login == stranger))
    boss, _ = logged_in(app_for, db_url, "manager")
    with boss:
        page = boss.get("/desk/queue")
        data = {"csrf_token": csrf_of(page), "account": str(stranger_id)}
        row = boss.post(f"/desk/queue/{fund['fresh']}", data=data, headers=HX)
        assert row.status_code == 422 and "<html" not in row.text
        assert f"works in team {other_team}" in row.text and 'class="error"' in row.text
        whole = boss.post(f"/desk/queue/{fund['fresh']}", data=data)
        assert whole.status_code == 422 and "<html" in whole.text and f"works in team {other_team}" in whole.text
        assert whole.text.count(f"works in team {other_team}") == 1 and "autofocus" not in whole.text  # said once
    with session_scope(db_url) as s:
        assert s.get(Case, fund["fresh"]).assigned_to is None
    auditor, _ = logged_in(app_for, db_url, "auditor")
    with auditor:
        page = auditor.get("/desk/queue")
        assert "Take it" not in page.text
        assert auditor.post(f"/desk/queue/{fund['fresh']}", data={"csrf_token": csrf_of(page), "account": "me"},
                            headers=HX).status_code == 403


def test_an_expired_session_sends_the_whole_page_to_the_login(app_for):
    with TestClient(app_for) as c:
        r = c.get("/desk/queue", params={"kind": "question"},
                  headers={**HX, "HX-Current-URL": "http://testserver/desk/queue?kind=question"})
    assert r.status_code == 401 and r.headers["hx-redirect"] == "/login?next=/desk/queue"


def _list_with_a_line(app_for, fund, db_url):
    """A caseworker's client, the reconciliation list, and the number of the line waiting there."""
    park_a_payment(db_url)
    c, _ = logged_in(app_for, db_url, "caseworker", team=fund["team"])
    page = c.get("/desk/reconciliation")
    return c, page, re.search(r'<tr id="line-(\d+)">', page.text).group(1)


def test_a_bank_line_is_booked_from_the_list_and_its_row_swapped(app_for, fund, db_url):
    c, page, item = _list_with_a_line(app_for, fund, db_url)
    with c:
        assert f'hx-post="/desk/reconciliation/{item}"' in page.text and f'id="debtor-{item}"' in page.text
        token = csrf_of(page)
        bad = c.post(f"/desk/reconciliation/{item}", data={"csrf_token": token, "action": "assign", "debtor": "1",
                                                           "period": "20xx", "show": "open"}, headers=HX)
        assert bad.status_code == 422 and bad.text.lstrip().startswith(f'<tr id="line-{item}">')
        assert "period" in bad.text and f'id="debtor-{item}"' in bad.text  # the form stays to try again
        elsewhere = c.post(f"/desk/reconciliation/{item}", data={"csrf_token": token, "action": "assign",
                                                                 "debtor": str(fund["other_file"]), "show": "open"},
                           headers=HX)
        assert elsewhere.status_code == 403 and "<html" not in elsewhere.text
        assert f'href="/desk/reconciliation/{item}">Open the line to state why' in elsewhere.text
        row = c.post(f"/desk/reconciliation/{item}", data={"csrf_token": token, "action": "assign", "debtor": "1",
                                                           "show": "open"}, headers=HX)
        assert row.status_code == 200 and row.headers["vary"] == "HX-Request"
        assert row.text.lstrip().startswith(f'<tr id="line-{item}">') and "<html" not in row.text
        assert "Booked on file 1." in row.text and "autofocus" in row.text and "assigned" in row.text
        assert f'id="debtor-{item}"' not in row.text  # nothing left to book
        assert "Nothing waiting." in c.get("/desk/reconciliation").text
    with session_scope(db_url) as s:
        assert s.scalar(select(Case.status).where(Case.kind == "unmatched_payment")) == "closed"


def test_without_javascript_booking_from_the_list_comes_back_to_the_list(app_for, fund, db_url):
    c, page, item = _list_with_a_line(app_for, fund, db_url)
    with c:
        r = c.post(f"/desk/reconciliation/{item}", data={"csrf_token": csrf_of(page), "action": "assign",
                                                         "debtor": "1", "show": "open"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/desk/reconciliation?show=open#line-{item}"
    auditor, _ = logged_in(app_for, db_url, "auditor")
    with auditor:
        assert "Book on a file" not in auditor.get("/desk/reconciliation", params={"show": "all"}).text


def test_the_simulator_answers_typing_with_its_result_alone(app_for):
    with TestClient(app_for) as c:
        whole = c.get("/simulator", params={"income": "80.000", "year": 2025, "lang": "nl"})
        part = c.get("/simulator", params={"income": "80.000", "year": 2025, "lang": "nl"}, headers=HX)
        typo = c.get("/simulator", params={"income": "80k", "year": 2025, "lang": "en"}, headers=HX)
    assert "<html" in whole.text and 'hx-trigger="input changed delay:500ms from:#income, change, submit"' in whole.text
    assert "<html" not in part.text and "<form" not in part.text and part.headers["vary"] == "HX-Request"
    # the short summary goes to the live region that stays on the page; the reasons come with the result
    assert re.search(r'<p id="sim-summary" class="visually-hidden" role="status" hx-swap-oob="innerHTML">'
                     r"Per kwartaal: €\xa04.157,98</p>", part.text)
    assert "20,50 % op € 73.447,52" in part.text
    # a typo is an answer in words in the page (HTML, swapped), not a refused request
    assert typo.status_code == 200 and typo.headers["content-type"].startswith("text/html")
    assert "income: an amount in euros, in figures" in typo.text and "Per quarter" not in typo.text


def test_the_payment_plan_for_other_months_comes_alone_to_htmx(app_for, fund, db_url):
    """Nothing owed in this fund: the plan is refused, in the page and in its part alike."""
    c, _ = logged_in(app_for, db_url, "affiliate", party_id=1)
    with c:
        whole = c.get("/my/files/1/payment-plan", params={"months": 4})
        part = c.get("/my/files/1/payment-plan", params={"months": 4}, headers=HX)
    assert whole.status_code == part.status_code == 200 and part.headers["vary"] == "HX-Request"
    assert "<html" in whole.text and "<html" not in part.text and "<h1" not in part.text
    assert part.text.count('<div id="plan">') == 1 and 'id="plan-summary"' in part.text
    assert "A payment plan cannot be asked now:" in part.text
