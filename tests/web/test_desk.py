"""The caseworker's desk: overview, search, one file on one screen — every read audited."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from caisse.config import Settings
from caisse.demo.generator import generate, load
from caisse.store.db import engine_for, session_scope
from caisse.store.models import AuditLog, Person
from caisse.web.app import create_app


@pytest.fixture
def desk(db_url):
    with engine_for(db_url).begin() as conn:
        load(conn, generate(200, seed=5, as_of=dt.date.today()))
    with TestClient(create_app(Settings(database_url=db_url))) as c:
        yield c


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


def test_a_search_too_short_says_why(desk):
    r = desk.get("/desk/search", params={"q": "a"})
    assert r.status_code == 200 and "at least two characters" in r.text


def test_unknown_file_is_404(desk):
    assert desk.get("/desk/files/99999").status_code == 404
