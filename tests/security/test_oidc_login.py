"""eID / itsme login through OpenID Connect, against a real local provider (authlib's server on 127.0.0.1,
real RS256 ID tokens): the browser's redirects are played by hand, the back-channel token exchange is real HTTP.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from oidc_provider import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, LocalProvider
from sqlalchemy import select

from caisse.security.authz import Principal
from caisse.security.oidc import FLOW_COOKIE, OidcSettings
from caisse.services import accounts
from caisse.store.db import session_scope
from caisse.store.models import Account, AuditLog, LoginAttempt, WebSession
from caisse.web.auth import COOKIE
from support.web import PASSWORD


@pytest.fixture(scope="module")
def provider():
    p = LocalProvider().start()
    yield p
    p.stop()


@pytest.fixture
def oidc_app(app_for, provider):
    provider.person, provider.claims_override, provider.rogue_key = None, {}, False
    provider.codes.clear()
    provider.token_requests.clear()
    provider.authorize_requests.clear()
    app_for.state.oidc_settings = OidcSettings(
        issuer=provider.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri=REDIRECT_URI,
        scope="openid profile egovNRN", niss_claim="egovNRN", label="itsme")
    return app_for


@pytest.fixture
def browser(oidc_app):
    with TestClient(oidc_app, base_url="http://localhost", follow_redirects=False) as c:
        yield c


@pytest.fixture
def affiliate(db_url, person):
    party_id, niss = person
    with session_scope(db_url) as s:
        account, _ = accounts.create_account(s, Principal.system("t"), "eid-person@fund.test", PASSWORD, "affiliate",
                                             party_id=party_id)
        return {"party_id": party_id, "niss": niss, "account_id": account.id}


def start(browser, next_path="/"):
    r = browser.get("/login/oidc", params={"next": next_path})
    assert r.status_code == 303, r.text
    return r.headers["location"]


def at_provider(auth_url):
    """The person authenticates at the provider (card reader); returns the provider's redirect back to us."""
    r = httpx.get(auth_url, follow_redirects=False)
    assert r.status_code == 302, r.text
    return r.headers["location"]


def eid_login(browser, provider, niss, next_path="/"):
    provider.person = niss
    return browser.get(at_provider(start(browser, next_path)))


def with_query(url, **changes):
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    q.update(changes)
    return urlunsplit(parts._replace(query=urlencode(q)))


def test_eid_login_opens_a_session_like_the_password_login(browser, provider, affiliate, db_url):
    auth_url = start(browser, f"/my/files/{affiliate['party_id']}")
    sent = parse_qs(urlsplit(auth_url).query)
    assert sent["code_challenge_method"] == ["S256"] and len(sent["code_challenge"][0]) == 43
    assert sent["state"][0] and sent["nonce"][0] and sent["response_type"] == ["code"]
    assert sent["redirect_uri"] == [REDIRECT_URI] and "egovNRN" in sent["scope"][0].split()
    flow_cookie = next(h for h in browser.cookies.jar if h.name == FLOW_COOKIE)
    assert flow_cookie.has_nonstandard_attr("HttpOnly")

    provider.person = affiliate["niss"]
    back = at_provider(auth_url)
    r = browser.get(back)
    assert r.status_code == 303 and r.headers["location"] == f"/my/files/{affiliate['party_id']}"
    set_cookie = r.headers.get_list("set-cookie")
    session_cookie = next(c for c in set_cookie if c.startswith(f"{COOKIE}="))
    assert "httponly" in session_cookie.lower() and "samesite=lax" in session_cookie.lower()
    assert any(c.startswith(f"{FLOW_COOKIE}=") and "max-age=0" in c.lower() for c in set_cookie)
    # the back channel carried the PKCE verifier and the client's credentials (HTTP Basic)
    assert provider.token_requests[-1]["code_verifier"] and provider.token_requests[-1]["grant_type"] == \
        "authorization_code"
    # the session works: own file yes, API as well
    assert browser.get(f"/api/persons/{affiliate['party_id']}").status_code == 200
    with session_scope(db_url) as s:
        web = s.scalars(select(WebSession)).all()
        assert [w.account_id for w in web] == [affiliate["account_id"]]
        login_row = s.scalars(select(AuditLog).where(AuditLog.action == "login")).one()
        assert login_row.actor == "eid-person@fund.test" and "oidc" in str(login_row.detail)
        attempts = s.scalars(select(LoginAttempt)).all()
        assert all(affiliate["niss"] not in (a.login or "") for a in attempts)
    # the code is single-use: replaying the provider's answer (even with the flow cookie put back) fails
    browser.cookies.set(FLOW_COOKIE, flow_cookie.value, path="/login/oidc")
    again = browser.get(back)
    assert again.status_code == 401 and COOKIE not in "".join(again.headers.get_list("set-cookie"))


def test_unknown_person_gets_a_clear_refusal(browser, provider, affiliate, db_url):
    from caisse.demo.identities import make_niss

    r = eid_login(browser, provider, make_niss(dt.date(1970, 1, 1), 5))
    assert r.status_code == 403 and "No file of this fund belongs to the person identified" in r.text
    assert not any(c.startswith(f"{COOKIE}=") for c in r.headers.get_list("set-cookie"))
    with session_scope(db_url) as s:
        assert s.scalars(select(WebSession)).all() == []


def test_a_file_without_an_account_and_a_disabled_account_are_refused(browser, provider, affiliate, db_url):
    with session_scope(db_url) as s:
        s.get(Account, affiliate["account_id"]).disabled = True
    r = eid_login(browser, provider, affiliate["niss"])
    assert r.status_code == 403 and "no personal login yet" in r.text


def test_staff_accounts_never_log_in_by_eid(browser, provider, person, db_url):
    party_id, niss = person
    with session_scope(db_url) as s:
        accounts.create_account(s, Principal.system("t"), "manager-with-a-file@fund.test", PASSWORD, "manager",
                                party_id=party_id)
    r = eid_login(browser, provider, niss)
    assert r.status_code == 403


def test_state_must_match_the_flow_started_in_this_browser(browser, provider, affiliate):
    provider.person = affiliate["niss"]
    back = at_provider(start(browser))
    r = browser.get(with_query(back, state="forged-state"))
    assert r.status_code == 400 and "does not match" in r.text
    assert provider.token_requests == []  # the code was never even traded


def test_a_callback_in_another_browser_is_refused(oidc_app, provider, affiliate):
    """Login CSRF: an attacker sends their own provider answer to a victim's browser (no flow cookie)."""
    def browser_():
        return TestClient(oidc_app, base_url="http://localhost", follow_redirects=False)

    with browser_() as attacker, browser_() as victim:
        provider.person = affiliate["niss"]
        back = at_provider(start(attacker))
        r = victim.get(back)
        assert r.status_code == 400 and "not started here" in r.text
        assert provider.token_requests == []


def test_the_pkce_verifier_is_checked(browser, provider, affiliate):
    provider.person = affiliate["niss"]
    back = at_provider(start(browser))
    flow = browser.cookies.get(FLOW_COOKIE, path="/login/oidc")
    state, nonce, _verifier, nxt = flow.split(".")
    browser.cookies.delete(FLOW_COOKIE, path="/login/oidc")
    browser.cookies.set(FLOW_COOKIE, ".".join((state, nonce, "x" * 64, nxt)), path="/login/oidc")
    r = browser.get(back)
    assert r.status_code == 401 and "refused to confirm" in r.text


@pytest.mark.parametrize("override", [{"nonce": "another-flow"}, {"aud": ["another-client"]},
                                      {"iss": "http://127.0.0.1:1"}, {"exp": 1_000_000_000}, {"azp": "someone"}])
def test_an_id_token_not_meant_for_this_flow_is_refused(browser, provider, affiliate, override, db_url):
    provider.claims_override = override
    r = eid_login(browser, provider, affiliate["niss"])
    assert r.status_code == 401 and "could not be verified" in r.text
    with session_scope(db_url) as s:
        assert s.scalars(select(WebSession)).all() == []


def test_an_id_token_signed_by_another_key_is_refused(browser, provider, affiliate):
    provider.rogue_key = True
    r = eid_login(browser, provider, affiliate["niss"])
    assert r.status_code == 401 and "could not be verified" in r.text


def test_the_provider_denying_the_login(browser, provider, affiliate):
    r = eid_login(browser, provider, None)
    assert r.status_code == 401 and "did not confirm your identity" in r.text


def test_a_missing_niss_claim_is_refused(browser, provider, affiliate, oidc_app):
    oidc_app.state.oidc_settings.niss_claim = "BENationalNumber"
    oidc_app.state.oidc_client = None
    r = eid_login(browser, provider, affiliate["niss"])
    assert r.status_code == 401 and "did not share your national number" in r.text


def test_a_planted_session_cookie_is_not_the_session_after_eid_login(browser, provider, affiliate, db_url):
    browser.cookies.set(COOKIE, "planted-by-an-attacker", domain="localhost.local", path="/")
    r = eid_login(browser, provider, affiliate["niss"])
    assert r.status_code == 303
    values = [c.value for c in browser.cookies.jar if c.name == COOKIE]
    assert len(values) == 1 and values[0] != "planted-by-an-attacker"
    with TestClient(browser.app, base_url="http://localhost") as attacker:
        attacker.cookies.set(COOKIE, "planted-by-an-attacker")
        assert attacker.get(f"/api/persons/{affiliate['party_id']}").status_code == 401


def test_the_login_page_offers_eid_and_no_configuration_means_no_route(browser, app_for):
    assert "Se connecter avec itsme" in browser.get("/login").text  # French by default
    app_for.state.oidc_settings = OidcSettings(issuer=None, client_id=None)
    app_for.state.oidc_client = None
    assert browser.get("/login/oidc").status_code == 404
    assert "Se connecter avec" not in browser.get("/login").text


def test_an_open_redirect_is_not_possible(browser, provider, affiliate):
    r = eid_login(browser, provider, affiliate["niss"], next_path="//evil.example/x")
    assert r.status_code == 303 and r.headers["location"] == "/"
