"""A person who forgot their password gets a link by e-mail (a real SMTP server), uses it once, within 30
minutes; nobody learns from the page whether a login exists; staff are left to an administrator."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from caisse.config import Settings
from caisse.errors import InvalidInput
from caisse.services import accounts
from caisse.services import password_reset as svc
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, PasswordReset, Person
from caisse.web.app import create_app
from support.smtp import smtp_server
from support.web import PASSWORD, log_in, make_account

NEW = "Zebra-Lantern-Quartz-2041"


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def reset_app(db_url, tmp_path, smtp):
    port, _inbox = smtp
    return create_app(Settings(database_url=db_url, exchange_dir=str(tmp_path / "x"), smtp_host="127.0.0.1",
                               smtp_port=port, portal_url="https://portal.example/",
                               rate_limit_sensitive_per_minute=0))


def _affiliate(db_url, person_id, email="ana@example.be", language="nl"):
    login, _ = make_account(db_url, "affiliate", party_id=person_id)
    with session_scope(db_url) as s:
        p = s.get(Person, person_id)
        p.email = email
        p.party.language = language
    return login


def _ask(client, login):
    page = client.get("/password-reset")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/password-reset", data={"login": login, "csrf_token": csrf})


def _link(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"https://portal\.example(/password-reset/new\?token=[A-Za-z0-9_-]+)", body).group(1)


def _answer(response) -> str:
    """The page without what differs on every load (the form's token)."""
    return re.sub(r'name="csrf_token" value="[^"]+"', "", response.text)


def test_a_forgotten_password_is_reset_through_a_link_that_works_once(reset_app, db_url, smtp, person):
    _port, inbox = smtp
    party_id, niss = person
    login = _affiliate(db_url, party_id)
    elsewhere = TestClient(reset_app)
    log_in(elsewhere, login, None)  # a session open somewhere (perhaps a thief's)
    assert elsewhere.get("/my/requests").status_code == 200

    browser = TestClient(reset_app)
    assert 'href="/password-reset"' in browser.get("/login").text
    answer = _ask(browser, login)
    assert answer.status_code == 200 and 'role="status"' in answer.text

    assert len(inbox.received) == 1
    message = inbox.received[0]
    assert message["To"] == "ana@example.be"
    assert message["Subject"] == "Uw aanvraag voor een nieuw wachtwoord"  # the file's language
    body = message.get_payload(decode=True).decode()
    assert "30 minuten" in body
    for personal in (login, niss, "Person", str(party_id) + "\n"):
        assert personal not in body and personal not in message["Subject"]
    link = _link(message)
    token = link.split("token=")[1]
    with session_scope(db_url) as s:  # only the token's hash is kept
        assert s.scalar(select(PasswordReset).where(PasswordReset.token_hash == token)) is None
        assert s.scalar(select(PasswordReset.outcome).where(PasswordReset.login == login)) == "sent"

    form = browser.get(link)
    assert form.status_code == 200 and 'autocomplete="new-password"' in form.text
    weak = browser.post("/password-reset/new", data={"token": token, "new_password": "password1234",
                                                     "repeat": "password1234"})
    assert weak.status_code == 422 and 'role="alert"' in weak.text  # the policy applies; the link still works
    done = browser.post("/password-reset/new", data={"token": token, "new_password": NEW, "repeat": NEW})
    assert done.status_code == 200 and 'role="status"' in done.text

    assert elsewhere.get("/my/requests").status_code == 401  # every session ended
    with session_scope(db_url) as s:
        assert isinstance(accounts.login(s, login, PASSWORD, None, None, dt.datetime.now()), accounts.LoginRefused)
        assert isinstance(accounts.login(s, login, NEW, None, None, dt.datetime.now()), accounts.LoginResult)

    # once only
    assert browser.get(link).status_code == 400
    again = browser.post("/password-reset/new", data={"token": token, "new_password": NEW + "!", "repeat": NEW + "!"})
    assert again.status_code == 400 and "/password-reset" in again.text
    with session_scope(db_url) as s:
        assert isinstance(accounts.login(s, login, NEW, None, None, dt.datetime.now()), accounts.LoginResult)
        steps = [(a.action, (a.detail or {}).get("outcome") or (a.detail or {}).get("sent")
                  or (a.detail or {}).get("reason")) for a in s.scalars(select(AuditLog).where(
                      AuditLog.action.like("%password_reset%") | (AuditLog.action == "reset_password_by_link"))
                      .order_by(AuditLog.id))]
    assert steps == [("password_reset_request", "sent"), ("password_reset_mail", True),
                     ("reset_password_by_link", None), ("password_reset_refused", "used")]
    browser.close()
    elsewhere.close()


def test_an_unknown_login_gets_the_same_page_and_no_mail(reset_app, db_url, smtp, person):
    _port, inbox = smtp
    party_id, _niss = person
    known = _affiliate(db_url, party_id)
    staff, _ = make_account(db_url, "caseworker", team="t1")
    with session_scope(db_url) as s:
        from caisse.store.models import Account

        s.scalar(select(Account).where(Account.login == staff)).email = "staff@fund.example"
    no_address, _ = make_account(db_url, "accountant")
    browser = TestClient(reset_app)
    pages = {who: _ask(browser, who) for who in ("nobody@nowhere.test", staff, no_address, known)}
    assert {r.status_code for r in pages.values()} == {200}
    assert len({_answer(r) for r in pages.values()}) == 1  # word for word the same answer
    assert [m["To"] for m in inbox.received] == ["ana@example.be"]  # only the real, self-service login
    with session_scope(db_url) as s:
        outcomes = dict(s.execute(select(PasswordReset.login, PasswordReset.outcome)).all())
        actors = set(s.scalars(select(AuditLog.actor).where(AuditLog.action == "password_reset_request")))
    assert outcomes == {"nobody@nowhere.test": "refused", staff: "refused", no_address: "refused", known: "sent"}
    assert "nobody@nowhere.test" not in actors  # an unknown (perhaps mistyped) login is not written in the audit log
    browser.close()


def test_the_link_expires_after_30_minutes(db_url, person):
    party_id, _niss = person
    login = _affiliate(db_url, party_id)
    at = dt.datetime(2026, 12, 3, 10, 0)
    with session_scope(db_url) as s:
        late = svc.request_reset(s, login, "192.0.2.1", at)
    with session_scope(db_url) as s:
        assert svc.link_is_valid(s, late.token, at + dt.timedelta(minutes=29))
        assert not svc.link_is_valid(s, late.token, at + dt.timedelta(minutes=30))
        with pytest.raises(InvalidInput) as refused:
            svc.complete_reset(s, late.token, NEW, NEW, "192.0.2.1", at + dt.timedelta(minutes=31))
        assert refused.value.field == "token"
    with session_scope(db_url) as s:
        assert s.scalar(select(AuditLog.detail).where(AuditLog.action == "password_reset_refused")) == {
            "reason": "expired"}
        in_time = svc.request_reset(s, login, "192.0.2.1", at + dt.timedelta(minutes=40))
    with session_scope(db_url) as s:
        assert svc.complete_reset(s, in_time.token, NEW, NEW, "192.0.2.1", at + dt.timedelta(minutes=69)) == 0
    with session_scope(db_url) as s:
        assert isinstance(accounts.login(s, login, NEW, None, None, dt.datetime.now()), accounts.LoginResult)


def test_a_newer_link_replaces_an_older_one(db_url, person):
    party_id, _niss = person
    login = _affiliate(db_url, party_id)
    at = dt.datetime(2026, 12, 3, 10, 0)
    with session_scope(db_url) as s:
        first = svc.request_reset(s, login, "192.0.2.1", at)
        second = svc.request_reset(s, login, "192.0.2.1", at + dt.timedelta(minutes=1))
    with session_scope(db_url) as s:
        assert not svc.link_is_valid(s, first.token, at + dt.timedelta(minutes=2))
        assert svc.link_is_valid(s, second.token, at + dt.timedelta(minutes=2))


def test_requests_are_throttled_per_login_and_per_address(reset_app, db_url, smtp, person):
    _port, inbox = smtp
    party_id, _niss = person
    login = _affiliate(db_url, party_id)
    browser = TestClient(reset_app)
    answers = [_ask(browser, login) for _ in range(4)]
    assert len({_answer(r) for r in answers}) == 1  # the fourth is answered the same, and sends nothing
    assert len(inbox.received) == 3
    for n in range(6):  # other logins from the same address, up to 10 requests an hour
        assert _ask(browser, f"someone-{n}@example.test").status_code == 200
    refused = _ask(browser, "yet-another@example.test")
    assert refused.status_code == 429 and 3000 < int(refused.headers["Retry-After"]) <= 3601
    # another address is not affected
    other = TestClient(reset_app, client=("192.0.2.99", 40000))
    assert _ask(other, "yet-another@example.test").status_code == 200
    with session_scope(db_url) as s:
        assert s.scalar(select(AuditLog.detail).where(AuditLog.action == "password_reset_request",
                                                      AuditLog.origin == "testclient")
                        .order_by(AuditLog.id.desc()).limit(1)) == {"outcome": "throttled_address"}
    browser.close()
    other.close()


def test_the_request_form_needs_its_own_token(reset_app, db_url, smtp, person):
    _port, inbox = smtp
    login = _affiliate(db_url, person[0])
    with TestClient(reset_app) as c:
        c.get("/password-reset")
        r = c.post("/password-reset", data={"login": login, "csrf_token": "forged"})
    assert r.status_code == 400 and inbox.received == []


def test_an_unreachable_mail_server_is_audited_and_the_answer_is_the_same(db_url, tmp_path, person):
    from support.smtp import free_port

    login = _affiliate(db_url, person[0])
    app = create_app(Settings(database_url=db_url, exchange_dir=str(tmp_path / "x"), smtp_port=free_port(),
                              rate_limit_sensitive_per_minute=0))
    with TestClient(app) as c:
        assert _ask(c, login).status_code == 200
    with session_scope(db_url) as s:
        assert s.scalar(select(AuditLog.detail).where(AuditLog.action == "password_reset_mail"))["sent"] is False


def test_a_links_token_never_reaches_the_logs():
    from caisse.security.logmask import mask

    line = '127.0.0.1:5 - "GET /password-reset/new?token=Xy_9-abcdefghijklmnopqrstuvwxyz012345 HTTP/1.1" 200'
    assert mask(line) == '127.0.0.1:5 - "GET /password-reset/new?token=[TOKEN] HTTP/1.1" 200'


def test_requests_older_than_a_year_are_deleted_by_the_retention_batch(db_url, person):
    from caisse.security.authz import Principal
    from caisse.services import gdpr

    login = _affiliate(db_url, person[0])
    with session_scope(db_url) as s:
        svc.request_reset(s, login, "192.0.2.1", dt.datetime(2025, 11, 30, 10))
        svc.request_reset(s, "nobody@nowhere.test", "192.0.2.1", dt.datetime(2026, 12, 1, 10))
    with session_scope(db_url) as s:
        result = gdpr.apply_retention(s, Principal.system("retention"), dt.date(2026, 12, 3))
        assert result.password_resets_deleted == 1
        assert list(s.scalars(select(PasswordReset.login))) == ["nobody@nowhere.test"]
