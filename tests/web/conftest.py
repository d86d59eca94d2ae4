"""Web fixtures: the app on the test database, and clients logged in with a role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from caisse.config import Settings
from caisse.web.app import create_app
from support.web import log_in, make_account


@pytest.fixture
def app_for(db_url, tmp_path):
    return create_app(Settings(database_url=db_url, exchange_dir=str(tmp_path / "exchange")))


@pytest.fixture
def client_as(app_for, db_url):
    """``client_as("caseworker", team="t1")`` → a TestClient logged in with a new account of that role."""
    clients = []

    def make(role, **kw):
        login, secret = make_account(db_url, role, **kw)
        c = TestClient(app_for)
        clients.append(c)
        log_in(c, login, secret)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client(client_as):
    """A caseworker of team ``t1`` (the files they create belong to their team)."""
    return client_as("caseworker", team="t1")


@pytest.fixture(autouse=True)
def _fresh_public_figures():
    """The public page's figures are kept ten minutes per database URL; the PostgreSQL tests of a worker share one
    database (emptied between tests), so each test starts with none kept."""
    from caisse.services import dashboard

    dashboard._cache.clear()
    yield
    dashboard._cache.clear()


@pytest.fixture
def carer_application(db_url):
    """``carer_application(received)`` → (person, claim): a Dutch-speaking person of team ``t1`` asked a month of
    carer leave from the 1st of next month on ``received`` (default today); not decided yet."""
    import datetime as dt
    import sys
    from pathlib import Path

    from sqlalchemy import update

    from caisse.benefits import service
    from caisse.security.authz import Principal
    from caisse.store.db import session_scope
    from caisse.store.models import Party

    sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
    from fund import Fund

    def make(received: dt.date | None = None) -> tuple[int, int]:
        today = dt.date.today()
        pid = Fund(db_url).person(language="nl")
        with session_scope(db_url) as s:
            s.execute(update(Party).where(Party.id == pid).values(team="t1"))
            start = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            cid = service.file_claim(s, Principal.system("setup"), pid, "carer", {"start": start, "months": 1},
                                     received or today).id
        return pid, cid
    return make
