"""A person changes their own password; administrators unlock, reset a password, re-enrol two-factor."""

from __future__ import annotations

import datetime as dt

import pyotp
from fastapi.testclient import TestClient

from caisse.errors import InvalidInput
from caisse.security.authz import Principal
from caisse.services import accounts
from caisse.store.db import session_scope
from caisse.store.models import Account
from support.web import PASSWORD, log_in, make_account

NEW = "Zebra-Lantern-Quartz-2041"


def _form(token, current, new, repeat):
    return {"csrf_token": token, "current_password": current, "new_password": new, "repeat": repeat}


def test_a_person_changes_their_password_and_every_other_session_ends(app_for, db_url):
    login, _ = make_account(db_url, "accountant")  # no one-time code: two logins in a row are possible
    here, elsewhere = TestClient(app_for), TestClient(app_for)
    log_in(here, login, None)
    log_in(elsewhere, login, None)
    page = here.get("/account/password")
    assert page.status_code == 200 and 'autocomplete="new-password"' in page.text
    token = here.headers["X-CSRF-Token"]
    assert here.post("/account/password", data=_form(token, "nope", NEW, NEW)).status_code == 422
    assert here.post("/account/password", data=_form(token, PASSWORD, NEW, NEW + "x")).status_code == 422
    weak = here.post("/account/password", data=_form(token, PASSWORD, "password1234", "password1234"))
    assert weak.status_code == 422 and 'role="alert"' in weak.text
    ok = here.post("/account/password", data=_form(token, PASSWORD, NEW, NEW), follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/account/password?done=1"
    assert here.get("/account/password?done=1").status_code == 200  # this session goes on
    assert elsewhere.get("/account/password").status_code == 401  # that one has ended
    with session_scope(db_url) as s:
        assert isinstance(accounts.login(s, login, PASSWORD, None, None, dt.datetime.now()), accounts.LoginRefused)
        assert isinstance(accounts.login(s, login, NEW, None, None, dt.datetime.now()), accounts.LoginResult)
    here.close()
    elsewhere.close()


def test_without_the_csrf_token_nothing_changes(app_for, db_url):
    login, _ = make_account(db_url, "accountant")
    c = TestClient(app_for)
    log_in(c, login, None)
    c.headers.pop("X-CSRF-Token")
    assert c.post("/account/password", data=_form("", PASSWORD, NEW, NEW)).status_code == 403
    c.close()
    with session_scope(db_url) as s:
        assert isinstance(accounts.login(s, login, PASSWORD, None, None, dt.datetime.now()), accounts.LoginResult)


def test_guessing_the_current_password_from_a_stolen_session_locks_the_login(db_url):
    login, _ = make_account(db_url, "accountant")
    now = dt.datetime(2026, 12, 3, 9, 0)
    with session_scope(db_url) as s:
        who = accounts.resolve(s, accounts.login(s, login, PASSWORD, None, None, now).token, now)
    refusals = []
    for _ in range(12):
        with session_scope(db_url) as s:
            try:
                accounts.change_password(s, who, "guess", NEW, NEW, now)
            except InvalidInput as exc:
                refusals.append(exc)
    assert refusals[0].message == "is wrong" and refusals[-1].message == accounts.LOCKED
    with session_scope(db_url) as s:  # the right password is refused too while locked
        assert isinstance(accounts.login(s, login, PASSWORD, None, None, now), accounts.LoginRefused)
    with session_scope(db_url) as s:
        accounts.unlock_account(s, Principal.system("admin"), login)
    with session_scope(db_url) as s:
        assert accounts.change_password(s, who, PASSWORD, NEW, NEW, now) == 0


def test_an_administrator_resets_a_lost_password_and_a_lost_authenticator(db_url):
    login, secret = make_account(db_url, "caseworker", team="t1")
    admin = Principal.system("admin")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with session_scope(db_url) as s:
        assert isinstance(accounts.login(s, login, PASSWORD, pyotp.TOTP(secret).now(), None, now),
                          accounts.LoginResult)
    with session_scope(db_url) as s:
        assert accounts.reset_password(s, admin, login, NEW) == 1  # the open session ended
        _account, new_secret = accounts.reset_totp(s, admin, login)
    assert new_secret != secret
    with session_scope(db_url) as s:
        lost = accounts.login(s, login, NEW, pyotp.TOTP(secret).now(), None, now)
    assert isinstance(lost, accounts.LoginRefused)  # the lost authenticator's codes no longer work
    with session_scope(db_url) as s:
        fresh = accounts.login(s, login, NEW, pyotp.TOTP(new_secret).now(), None, now)
        assert isinstance(fresh, accounts.LoginResult)
        assert s.query(Account).filter_by(login=login).one().totp_secret == new_secret


def test_an_affiliate_has_no_one_time_codes_to_reset(db_url):
    login, _ = make_account(db_url, "accountant")
    with session_scope(db_url) as s:
        try:
            accounts.reset_totp(s, Principal.system("admin"), login)
        except InvalidInput as exc:
            assert exc.field == "login"
        else:
            raise AssertionError("a login without one-time codes was given a secret")
