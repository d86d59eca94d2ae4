"""Security proof fixtures: the app on the test database, accounts, and an affiliate's file."""

from __future__ import annotations

import datetime as dt

import pytest

from caisse.config import Settings
from caisse.store.db import session_scope
from caisse.web.app import create_app
from support.people import register_someone


@pytest.fixture
def settings(db_url, tmp_path):
    return Settings(database_url=db_url, exchange_dir=str(tmp_path / "exchange"))


@pytest.fixture
def app_for(settings):
    return create_app(settings)


@pytest.fixture
def person(db_url):
    """An affiliate's file: (party id, NISS)."""
    with session_scope(db_url) as s:
        p = register_someone(s, birth=dt.date(1984, 4, 4), seq=123)
        return p.id, p.niss
