"""The caseworker's desk: log in, overview, search, one file on one screen — every read audited,
other teams' files only with a stated reason."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from caisse.demo.generator import generate, load
from caisse.store.db import engine_for, session_scope
from caisse.store.models import AuditLog, Party, Person
from support.web import form_login, make_account


@pytest.fixture
def fund(db_url):
    with engine_for(db_url).begin() as conn:
        load(conn, generate(200, seed=5, as_of=dt.date.today()))
    with session_scope(db_url) as s:
        mine = s.get(Party, 1).team
        other = s.scalar(select(Party.id).where(Party.team != mine).order_by(Party.id))
    return {"team": mine, "other_file": other}


@pytest.fixture
def desk(app_for, db_url, fund):
    login, secret = make_account(db_url, "caseworker", team=fund["team"])
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        form_login(c, login, secret)
        yield c


def test_the_desk_needs_a_login(app_for):
    with TestClient(app_for, follow_redirects=False, headers={"accept-language": "en"}) as c:
        r = c.get("/", headers={"accept": "text/html"})
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert c.get("/desk/files/1").status_code == 401


def test_overview_search_and_file(desk, db_url):
    home = desk.get("/")
    assert home.status_code == 200 and "200</strong> self-employed on file" in home.text
    with session_scope(db_url) as s:
        someone = s.get(Person, 1)
        niss, last = someone.niss, someone.last_name
    by_niss = desk.get("/desk/search", params={"q": f"{niss[:6]}-{niss[6:9]}.{niss[9:]}"})
    assert 'href="/desk/files/1"' in by_niss.text
    by_name = desk.get("/desk/search", params={"q": last.lower()})
    assert 'href="/desk/files/1"' in by_name.text
    page = desk.get("/desk/files/1")
    assert page.status_code == 200 and "Affiliation 1" in page.text
    with session_scope(db_url) as s:
        reads = s.scalars(select(AuditLog).where(AuditLog.action == "read", AuditLog.entity == "file")).all()
        assert [r.party_id for r in reads] == [1]


def test_another_teams_file_needs_a_reason_that_is_logged(desk, db_url, fund):
    other = fund["other_file"]
    ask = desk.get(f"/desk/files/{other}", headers={"accept": "text/html"})
    assert ask.status_code == 403 and "Why do you need this file?" in ask.text
    # the reason never travels in a URL (access logs): a GET with ?reason= is still refused
    in_url = desk.get(f"/desk/files/{other}", params={"reason": "the affiliate phoned our office"})
    assert in_url.status_code in (403, 422)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', ask.text).group(1)
    # a single character, or a word repeated, is no reason
    for weak in ("x", "aaaaaaaaaaaa", "   ok   "):
        r = desk.post("/desk/need-to-know", data={"csrf_token": csrf, "party_id": other, "reason_kind": "contact",
                                                  "reason": weak, "next": f"/desk/files/{other}"})
        assert r.status_code == 422 and "at least 10 characters" in r.text
    r = desk.post("/desk/need-to-know", data={"csrf_token": csrf, "party_id": other, "reason_kind": "contact",
                                              "reason": "the affiliate phoned our office",
                                              "next": f"/desk/files/{other}"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/desk/files/{other}"
    opened = desk.get(f"/desk/files/{other}")
    assert opened.status_code == 200
    with session_scope(db_url) as s:
        row = s.scalar(select(AuditLog).where(AuditLog.entity == "file", AuditLog.action == "read",
                                              AuditLog.party_id == other).order_by(AuditLog.id))
        assert row.reason == "contact: the affiliate phoned our office"
        assert row.origin is not None


def test_the_need_to_know_form_does_not_redirect_elsewhere(desk, fund):
    other = fund["other_file"]
    ask = desk.get(f"/desk/files/{other}", headers={"accept": "text/html"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', ask.text).group(1)
    r = desk.post("/desk/need-to-know", data={"csrf_token": csrf, "party_id": other, "reason_kind": "contact",
                                              "reason": "the affiliate phoned our office",
                                              "next": "//evil.example/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_a_search_too_short_says_why(desk):
    r = desk.get("/desk/search", params={"q": "a"})
    assert r.status_code == 200 and "at least two characters" in r.text


def test_unknown_file_is_404(desk):
    assert desk.get("/desk/files/99999").status_code == 404


def test_logout_ends_the_session(desk):
    page = desk.get("/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert desk.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert desk.get("/desk/files/1").status_code == 401


def test_an_affiliate_sees_only_their_own_file(app_for, db_url, fund):
    login, secret = make_account(db_url, "affiliate", party_id=1, language="en")
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        assert form_login(c, login, secret).status_code == 303
        home = c.get("/")
        assert 'href="/my/files/1"' in home.text and "Search a file" not in home.text
        assert c.get("/my/files/1").status_code == 200
        assert c.get("/my/files/2").status_code == 403
        assert c.get("/desk/files/1").status_code == 403


def test_demo_logins_only_work_in_demo_mode(app_for, db_url, fund):
    from caisse.demo.accounts import create_demo_accounts

    with session_scope(db_url) as s:
        create_demo_accounts(s, dt.date.today())
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        refused = form_login(c, "demo-caseworker", None, password="demo-caseworker")
        assert refused.status_code == 401 and "Demo accounts only work in a demo fund." in refused.text
    app_for.state.settings = app_for.state.settings.model_copy(update={"demo_mode": True})
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        assert form_login(c, "demo-caseworker", None, password="demo-caseworker").status_code == 303
        assert "self-employed on file" in c.get("/").text


def test_an_affiliate_downloads_everything_the_fund_holds(app_for, db_url, fund):
    login, secret = make_account(db_url, "affiliate", party_id=1, language="en")
    with TestClient(app_for, headers={"accept-language": "en"}) as c:
        form_login(c, login, secret)
        page = c.get("/my/files/1/everything")
        assert page.status_code == 200 and "file 1" in page.text
        assert "Professional incomes" in page.text and "Who read or changed this file" in page.text
        data = c.get("/api/persons/1/export").json()
        assert data["file_number"] == 1 and data["person"]["id"] == 1
        assert c.get("/api/persons/2/export").status_code == 403


def test_the_approval_inbox_shows_a_refund_account_masked_and_flags_one_not_on_file(app_for, db_url, fund):
    from caisse.store.models import Approval

    with session_scope(db_url) as s:
        s.add(Approval(kind="refund", party_id=1, amount_cents=70_000, reason="overpaid",
                       payload={"iban": "BE62510007547061", "iban_on_file": False}, requested_by="someone"))
    login, secret = make_account(db_url, "manager")
    with TestClient(app_for) as c:
        assert form_login(c, login, secret).status_code == 303
        page = c.get("/desk/approvals", params={"lang": "en"})
    assert page.status_code == 200
    assert "BE62 xxxx xxxx 7061" in page.text and "not on the person" in page.text
    assert "BE62510007547061" not in page.text


def test_a_search_by_national_number_shows_it_masked_and_logs_which_files(desk, db_url):
    with session_scope(db_url) as s:
        niss = s.get(Person, 1).niss
    r = desk.get("/desk/search", params={"q": niss})
    assert r.status_code == 200 and f"{niss[:2]}.{niss[2:4]}.{niss[4:6]}-xxx.{niss[-2:]}" in r.text
    from caisse.identifiers import format_niss

    assert format_niss(niss) not in r.text
    with session_scope(db_url) as s:
        shown = s.scalars(select(AuditLog).where(AuditLog.entity == "search_result")).all()
        assert [(row.party_id, row.action) for row in shown] == [(1, "read")]
        assert "query" not in str(shown[0].detail) and niss not in str(shown[0].detail)


def test_the_work_queue_and_the_requests_list_are_audited_per_file(app_for, desk, db_url):
    import datetime as dt

    from caisse.cases import service as cases
    from caisse.security.authz import Principal

    with session_scope(db_url) as s:
        cases.open_case(s, Principal.system("t"), 1, "question", "Q", "body", dt.date.today(), channel="phone")
    assert desk.get("/desk/queue").status_code == 200
    with session_scope(db_url) as s:
        assert s.scalar(select(AuditLog.party_id).where(AuditLog.entity == "work_queue")) == 1
    login, secret = make_account(db_url, "affiliate", party_id=1, language="en")
    with TestClient(app_for) as c:
        assert form_login(c, login, secret).status_code == 303
        assert c.get("/my/requests").status_code == 200
    with session_scope(db_url) as s:
        row = s.scalar(select(AuditLog).where(AuditLog.entity == "case_list").order_by(AuditLog.id))
        assert (row.actor, row.party_id) == (login, 1)
