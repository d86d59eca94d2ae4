"""Brute force, throttling, enumeration and session lifetime, proved on the service with the clock in hand
(``now`` is a parameter of every call): nothing sleeps, nothing is mocked."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
from sqlalchemy import select

from caisse.config import Settings, get_settings
from caisse.security import passwords
from caisse.security.authz import NotAuthenticated, Principal
from caisse.services import accounts
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, WebSession
from support.web import PASSWORD

T0 = dt.datetime(2026, 11, 24, 9, 0)
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def member(db_url, person):
    with session_scope(db_url) as s:
        accounts.create_account(s, Principal.system("t"), "member@fund.test", PASSWORD, "affiliate",
                                party_id=person[0])
    return "member@fund.test"


def attempt(db_url, login, password, at, origin="192.0.2.1", settings=None):
    with session_scope(db_url) as s:
        return accounts.login(s, login, password, None, origin, at, settings)


def ok(result):
    return isinstance(result, accounts.LoginResult)


def test_n_failures_lock_the_account_even_for_the_right_password_until_the_period_ends(db_url, member):
    s = get_settings()
    for i in range(s.login_max_failures):
        r = attempt(db_url, member, "wrong password", T0 + i * MIN, origin=f"192.0.2.{i}")
        assert r.message == accounts.WRONG
    after = T0 + s.login_max_failures * MIN
    locked = attempt(db_url, member, PASSWORD, after, origin="198.51.100.7")
    assert not ok(locked) and locked.message == accounts.LOCKED
    lock_end = T0 + (s.login_max_failures - 1) * MIN + dt.timedelta(minutes=s.login_lock_minutes)
    assert not ok(attempt(db_url, member, PASSWORD, lock_end - dt.timedelta(seconds=1), origin="198.51.100.8"))
    assert ok(attempt(db_url, member, PASSWORD, lock_end + dt.timedelta(seconds=1)))
    with session_scope(db_url) as session:
        assert session.scalar(select(AuditLog.action).where(AuditLog.action == "lock")) == "lock"


def test_a_success_resets_the_count(db_url, member):
    n = get_settings().login_max_failures
    for i in range(n - 1):
        attempt(db_url, member, "wrong password", T0 + i * MIN)
    assert ok(attempt(db_url, member, PASSWORD, T0 + n * MIN))
    for i in range(n - 1):
        attempt(db_url, member, "wrong password", T0 + (n + 1 + i) * MIN)
    assert ok(attempt(db_url, member, PASSWORD, T0 + 3 * n * MIN))


def test_an_address_that_fails_too_often_is_throttled_whatever_the_login(db_url, member, settings):
    tight = settings.model_copy(update={"login_max_failures_per_origin": 6, "login_max_failures": 100})
    for i in range(6):
        attempt(db_url, f"guess-{i}@fund.test", "wrong password", T0 + i * MIN, origin="203.0.113.9", settings=tight)
    r = attempt(db_url, member, PASSWORD, T0 + 7 * MIN, origin="203.0.113.9", settings=tight)
    assert not ok(r) and "too many failed attempts from this address" in r.message
    assert ok(attempt(db_url, member, PASSWORD, T0 + 7 * MIN, origin="203.0.113.10", settings=tight))
    # the window slides: 15 minutes after the last failures the address may try again
    assert ok(attempt(db_url, member, PASSWORD, T0 + 21 * MIN, origin="203.0.113.9", settings=tight))


def test_unknown_login_and_wrong_password_are_indistinguishable_by_message(db_url, member):
    n = get_settings().login_max_failures
    known = [attempt(db_url, member, "wrong password", T0 + i * MIN).message for i in range(n + 2)]
    unknown = [attempt(db_url, "nobody@fund.test", "wrong password", T0 + i * MIN).message for i in range(n + 2)]
    assert known == unknown
    assert known[0] == accounts.WRONG and known[-1] == accounts.LOCKED


@pytest.fixture
def production_hashing(monkeypatch):
    """Argon2 at a cost where hashing dominates the work (the suite uses a cheap cost)."""
    monkeypatch.setenv("CAISSE_ARGON2_TIME_COST", "2")
    monkeypatch.setenv("CAISSE_ARGON2_MEMORY_KIB", "32768")
    for cached in (get_settings, passwords.hasher, passwords._dummy_hash):
        cached.cache_clear()
    yield
    for cached in (get_settings, passwords.hasher, passwords._dummy_hash):
        cached.cache_clear()


def test_unknown_login_and_wrong_password_cost_the_same_work(db_url, person, production_hashing):
    with session_scope(db_url) as s:
        accounts.create_account(s, Principal.system("t"), "timed@fund.test", PASSWORD, "affiliate",
                                party_id=person[0])
    roomy = Settings(database_url=db_url, login_max_failures=1000, login_max_failures_per_origin=1000)
    passwords.dummy_verify()  # warm the dummy hash

    def timed(login):  # this process's CPU time: the password hashing, not the other processes of a busy machine
        started = time.process_time()
        r = attempt(db_url, login, "wrong password", T0, settings=roomy)
        assert r.message == accounts.WRONG
        return time.process_time() - started

    known, unknown = [], []
    for _ in range(7):
        known.append(timed("timed@fund.test"))
        unknown.append(timed("nobody@fund.test"))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.6 < ratio < 1.6, (statistics.median(known), statistics.median(unknown))


def test_sessions_expire_when_idle_and_after_the_absolute_maximum(db_url, member):
    s = get_settings()
    token = attempt(db_url, member, PASSWORD, T0).token
    with session_scope(db_url) as session:
        # idle: each use extends the session by the idle period…
        assert accounts.resolve(session, token, T0 + dt.timedelta(minutes=s.session_idle_minutes - 1)).login == member
    with session_scope(db_url) as session:
        idle_end = T0 + dt.timedelta(minutes=2 * s.session_idle_minutes - 1)
        with pytest.raises(NotAuthenticated):  # …and one idle period without use ends it
            accounts.resolve(session, token, idle_end + dt.timedelta(seconds=1))

    token = attempt(db_url, member, PASSWORD, T0).token
    step = dt.timedelta(minutes=s.session_idle_minutes - 5)
    at = T0
    while at + step < T0 + dt.timedelta(hours=s.session_max_hours):
        at += step
        with session_scope(db_url) as session:
            accounts.resolve(session, token, at)  # kept busy, it lives…
    with session_scope(db_url) as session, pytest.raises(NotAuthenticated):
        accounts.resolve(session, token, T0 + dt.timedelta(hours=s.session_max_hours))  # …but never past the max


def test_logout_everywhere_ends_every_session_of_the_account_only(db_url, member, person):
    tokens = [attempt(db_url, member, PASSWORD, T0 + i * MIN, origin=f"192.0.2.{i}").token for i in range(3)]
    with session_scope(db_url) as s:
        accounts.create_account(s, Principal.system("t"), "other@fund.test", PASSWORD, "affiliate",
                                party_id=person[0])
    other = attempt(db_url, "other@fund.test", PASSWORD, T0).token
    with session_scope(db_url) as session:
        who = accounts.resolve(session, tokens[0], T0 + 5 * MIN)
        assert accounts.logout_everywhere(session, who) == 3
    for t in tokens:
        with session_scope(db_url) as session, pytest.raises(NotAuthenticated):
            accounts.resolve(session, t, T0 + 6 * MIN)
    with session_scope(db_url) as session:
        assert accounts.resolve(session, other, T0 + 6 * MIN).login == "other@fund.test"


def test_every_login_gets_a_fresh_token_and_only_its_hash_is_stored(db_url, member):
    a = attempt(db_url, member, PASSWORD, T0).token
    b = attempt(db_url, member, PASSWORD, T0).token
    assert a != b and len(a) >= 43
    with session_scope(db_url) as session:
        stored = session.scalars(select(WebSession.token_hash)).all()
    assert a not in stored and b not in stored and len(stored) == 2


def test_a_used_one_time_code_is_refused_when_replayed_within_its_window(db_url):
    import pyotp

    with session_scope(db_url) as s:
        _, secret = accounts.create_account(s, Principal.system("t"), "totp@fund.test", PASSWORD, "manager")
    code = pyotp.TOTP(secret).now()
    with session_scope(db_url) as s:
        assert ok(accounts.login(s, "totp@fund.test", PASSWORD, code, "192.0.2.1", T0))
    with session_scope(db_url) as s:
        replay = accounts.login(s, "totp@fund.test", PASSWORD, code, "192.0.2.2", T0 + MIN)
    assert not ok(replay) and "one-time code" in replay.message
    # an older code of the window is refused too; the next time step's code is accepted
    previous = pyotp.TOTP(secret).at(time.time() - 30)
    nxt = pyotp.TOTP(secret).at(time.time() + 30)
    with session_scope(db_url) as s:
        assert not ok(accounts.login(s, "totp@fund.test", PASSWORD, previous, "192.0.2.3", T0 + 2 * MIN))
    with session_scope(db_url) as s:
        assert ok(accounts.login(s, "totp@fund.test", PASSWORD, nxt, "192.0.2.4", T0 + 3 * MIN))
