"""Schemathesis drives the whole API from its OpenAPI schema, anonymously and as a logged-in caseworker:
no 5xx, responses match the schema, bad input is refused with a documented status. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from caisse.config import Settings
from caisse.demo.identities import make_iban, make_kbo, make_niss
from caisse.web.app import create_app
from support.web import log_in, make_account

_birth = st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2008, 12, 31))
schemathesis.openapi.format("be-niss", st.builds(make_niss, _birth, st.integers(1, 998)))
schemathesis.openapi.format("be-kbo", st.builds(make_kbo, st.integers(2_000_000, 19_999_999)))
schemathesis.openapi.format("iban", st.builds(make_iban, st.sampled_from(["001", "068", "734", "096"]),
                                              st.integers(0, 9_999_999)))

APP = create_app(Settings(database_url="sqlite://"))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(params=["anonymous", "caseworker"])
def auth_headers(request, db_url, tmp_path):
    # the rate limit off: every example comes from one test client, and a 429 would cut the contract check short
    # (the limiter has its own tests: test_rate_limit.py; 429 is in the schema of every operation)
    APP.state.settings = Settings(database_url=db_url, exchange_dir=str(tmp_path / "exchange"),
                                  rate_limit_address_per_minute=0, rate_limit_session_per_minute=0)
    if request.param == "anonymous":
        return {}
    login, secret = make_account(db_url, "caseworker", team="t1")
    with TestClient(APP) as c:
        return {"Authorization": f"Bearer {log_in(c, login, secret)}"}


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_honours_its_contract(case, auth_headers):
    # Rules across fields (the birth date must match the national number, the start of an affiliation at most
    # six months ahead, no overlapping periods) cannot be written in OpenAPI, so a schema-valid body may
    # rightly get a 422: the "positive data acceptance" check is left out, every other check runs.
    case.call_and_validate(headers=auth_headers, excluded_checks=[schemathesis.checks.positive_data_acceptance])
