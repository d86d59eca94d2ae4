"""Accounts and logins for web tests: accounts are created through the service, logins go through the real
endpoints (the JSON session API, or the HTML form with its CSRF token)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time

import pyotp
from fastapi.testclient import TestClient

from caisse.security.authz import Principal
from caisse.services import accounts
from caisse.store.db import session_scope

PASSWORD = "Correct horse battery staple 42"
_n = itertools.count()
_last_step: dict[str, int] = {}


def totp_code(secret: str | None) -> str | None:
    """A one-time code not used yet: the server refuses a replayed code (its time step or an earlier one), so a
    test logging the same staff account in twice within 30 seconds gets the next step's code (still inside the
    accepted window), and waits for the clock only when it would have to run further ahead."""
    if not secret:
        return None
    otp = pyotp.TOTP(secret)
    step = max(otp.timecode(time.time()), _last_step.get(secret, -1) + 1)
    while step > otp.timecode(time.time()) + 1:
        time.sleep(0.5)
    _last_step[secret] = step
    return otp.generate_otp(step)


def make_account(db_url, role, *, team=None, party_id=None, grants=(), language=None):
    """Create an account; returns (login, totp secret or None). ``language``: the one the person chose for their
    pages (without it an affiliate's pages are in their file's language)."""
    login = f"{role}-{next(_n)}@fund.test"
    system = Principal.system("test-setup")
    with session_scope(db_url) as s:
        account, secret = accounts.create_account(s, system, login, PASSWORD, role, team=team, party_id=party_id,
                                                  language=language)
        for pid in grants:
            accounts.grant_access(s, system, account.id, pid, "mandate", dt.date(2020, 1, 1))
    return login, secret


def log_in(client: TestClient, login: str, secret: str | None) -> str:
    code = totp_code(secret)
    r = client.post("/api/session", json={"login": login, "password": PASSWORD, "code": code})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return r.json()["token"]




def form_login(client, login: str, secret: str | None, password: str = PASSWORD):
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    code = totp_code(secret) or ""
    return client.post("/login", data={"login": login, "password": password, "code": code, "csrf_token": csrf},
                       follow_redirects=False)


def logged_in(app, db_url, role, **kw) -> tuple[TestClient, str]:
    """A new account of ``role`` logged in through the HTML form (English pages, as the person chose): (client,
    login)."""
    login, secret = make_account(db_url, role, **{"language": "en", **kw})
    c = TestClient(app, headers={"accept-language": "en"})
    assert form_login(c, login, secret).status_code == 303
    return c, login


def csrf_of(page) -> str:
    """The session's CSRF token, as a page's forms carry it."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def park_a_payment(db_url) -> None:
    """A bank statement of today with one transfer nobody can be identified for (123.45 from J. PAYER): a line
    waiting on the reconciliation desk."""
    from caisse.collection.coda_import import import_coda
    from caisse.exchange.coda import make_statement, transfer_movement, write_coda

    movement = transfer_movement(1, 12_345, dt.date.today(), text="cotisation", counterparty_iban="BE62510007547061",
                                 counterparty_name="J. PAYER")
    st = make_statement(account_iban="BE71096123456769", old_balance_cents=0, old_balance_date=dt.date.today(),
                        new_balance_date=dt.date.today(), movements=[movement], paper_sequence=1,
                        holder_name="CAISSE")
    import_coda(db_url, write_coda([st]))
