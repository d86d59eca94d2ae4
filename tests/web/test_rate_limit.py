"""One client cannot hog the web layer: per session, else per address, a clear 429 with Retry-After; the eID
callback and the forgotten-password pages tighter; the address is the socket peer unless a trusted proxy says
otherwise."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.requests import Request

from caisse.config import Settings
from caisse.services import accounts
from caisse.store.db import session_scope
from caisse.store.models import LoginAttempt
from caisse.web.app import create_app
from caisse.web.auth import client_origin
from caisse.web.ratelimit import Buckets
from support.web import log_in, make_account


def _app(db_url, tmp_path, **limits):
    return create_app(Settings(database_url=db_url, exchange_dir=str(tmp_path / "x"), **limits))


def test_an_address_over_its_limit_gets_a_429_with_retry_after(db_url, tmp_path):
    app = _app(db_url, tmp_path, rate_limit_address_per_minute=5)
    with TestClient(app) as c:
        assert [c.get("/simulator?income=30000").status_code for _ in range(5)] == [200] * 5
        api = c.get("/api/persons/1")
        assert api.status_code == 429
        assert 1 <= int(api.headers["Retry-After"]) <= 12  # a token back every 12 s at 5 a minute
        assert "detail" in api.json() and api.json()["retry_after"] == int(api.headers["Retry-After"])
        page = c.get("/login", headers={"accept": "text/html", "accept-language": "nl"})
        assert page.status_code == 429 and "Te veel aanvragen" in page.text and "Retry-After" in page.headers
        assert page.headers["X-Frame-Options"] == "DENY"  # the security headers are on the refusal too
        assert c.get("/health").status_code == 200  # the load balancer's probe is never counted
    with TestClient(app, client=("192.0.2.50", 1)) as other:  # another address has its own bucket
        assert other.get("/login").status_code == 200


def test_each_session_has_its_own_bucket_and_made_up_tokens_do_not_buy_fresh_ones(db_url, tmp_path):
    app = _app(db_url, tmp_path, rate_limit_address_per_minute=6, rate_limit_session_per_minute=4)
    logins = [make_account(db_url, "accountant")[0] for _ in range(2)]
    clients = [TestClient(app) for _ in logins]
    for c, login in zip(clients, logins, strict=True):
        log_in(c, login, None)  # two anonymous requests of the address
    first, second = clients
    assert [first.get("/my/requests").status_code for _ in range(4)] == [200] * 4
    assert first.get("/my/requests").status_code == 429  # that session is out
    assert second.get("/my/requests").status_code == 200  # the other one, same address, is not
    forger = TestClient(app)
    statuses = [forger.get("/api/approvals", headers={"authorization": f"Bearer made-up-{n}"}).status_code
                for n in range(8)]
    assert statuses[:4] == [401] * 4 and statuses[-1] == 429  # each failed token charged to the address
    for c in (*clients, forger):
        c.close()


def test_the_eid_callback_and_the_forgotten_password_pages_are_limited_more_tightly(db_url, tmp_path):
    app = _app(db_url, tmp_path, rate_limit_sensitive_per_minute=3)
    with TestClient(app) as c:
        assert [c.get("/password-reset").status_code for _ in range(3)] == [200] * 3
        assert c.get("/password-reset/new?token=x").status_code == 429
        assert c.get("/login/oidc/callback?code=x&state=y").status_code == 429
        assert c.get("/login").status_code == 200  # the rest of the site goes on


def test_a_bucket_refills_with_time():
    now = [0.0]
    buckets = Buckets(clock=lambda: now[0])
    assert all(buckets.take(("a",), 60) is None for _ in range(60))
    assert buckets.take(("a",), 60) == pytest.approx(1.0)
    now[0] += 1.0
    assert buckets.take(("a",), 60) is None
    assert buckets.take(("a",), 0) is None  # 0: no limit
    small = Buckets(clock=lambda: now[0], max_keys=2)
    for key in ("a", "b", "c"):
        small.take((key,), 1)
    assert small.take(("a",), 1) is None  # the least recently seen was forgotten: a full bucket again


def _request(app, peer: str, forwarded: list[str] | None = None) -> Request:
    headers = [(b"x-forwarded-for", v.encode()) for v in forwarded or []]
    return Request({"type": "http", "app": app, "client": (peer, 1234), "headers": headers, "method": "GET",
                    "path": "/", "query_string": b""})


def test_the_origin_is_the_socket_peer_unless_a_trusted_proxy_forwards_it(db_url, tmp_path):
    plain = _app(db_url, tmp_path)
    assert client_origin(_request(plain, "203.0.113.9", ["198.51.100.1"])) == "203.0.113.9"  # nobody trusted

    proxied = _app(db_url, tmp_path, trusted_proxies="10.0.0.0/8, 192.0.2.7")
    # the proxy appended the address it saw; whatever the client wrote before it is ignored
    assert client_origin(_request(proxied, "10.1.2.3", ["1.2.3.4, 198.51.100.1"])) == "198.51.100.1"
    assert client_origin(_request(proxied, "10.1.2.3", ["198.51.100.1, 192.0.2.7"])) == "198.51.100.1"  # 2 hops
    assert client_origin(_request(proxied, "10.1.2.3", ["1.2.3.4", "198.51.100.1"])) == "198.51.100.1"
    assert client_origin(_request(proxied, "203.0.113.9", ["198.51.100.1"])) == "203.0.113.9"  # not our proxy
    assert client_origin(_request(proxied, "10.1.2.3", [])) == "10.1.2.3"  # no header
    assert client_origin(_request(proxied, "10.1.2.3", ["not-an-address"])) == "10.1.2.3"
    assert client_origin(_request(proxied, "10.1.2.3", ["2001:db8::1"])) == "2001:db8::1"
    with pytest.raises(ValueError):  # a typo in the setting stops the start, it does not open the door
        _app(db_url, tmp_path, trusted_proxies="10.0.0.0/33")


def test_behind_a_trusted_proxy_the_login_throttle_counts_the_real_client(db_url, tmp_path):
    app = _app(db_url, tmp_path, trusted_proxies="127.0.0.1")
    login, _ = make_account(db_url, "accountant")
    with TestClient(app, client=("127.0.0.1", 5000)) as c:
        for client_ip in ("198.51.100.1", "198.51.100.2"):
            r = c.post("/api/session", json={"login": login, "password": "wrong password"},
                       headers={"x-forwarded-for": client_ip})
            assert r.status_code == 401
    with session_scope(db_url) as s:
        origins = dict(s.execute(select(LoginAttempt.origin, func.count()).group_by(LoginAttempt.origin)).all())
        assert origins == {"198.51.100.1": 1, "198.51.100.2": 1}
        assert isinstance(accounts.login(s, login, "x", None, "198.51.100.1", dt.datetime.now()),
                          accounts.LoginRefused)


def test_every_api_operation_documents_the_429(db_url, tmp_path):
    spec = _app(db_url, tmp_path).openapi()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert operations and all("429" in op["responses"] for op in operations)
