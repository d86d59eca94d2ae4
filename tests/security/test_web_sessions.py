"""The web session: fixation, CSRF on every state-changing route (generated from the app's routes), cookie
flags, logout and logout everywhere — through the real app and its real login endpoints."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from caisse.security.authz import NotAuthenticated
from caisse.services import accounts
from caisse.store.db import session_scope
from caisse.web import auth
from caisse.web.auth import COOKIE, LOGIN_CSRF_COOKIE, _now
from support.web import PASSWORD, form_login, log_in, make_account

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# State-changing routes that do not run on a session, each with the reason; every other one must need the
# session's CSRF token. A new route that forgets the principal dependency fails the test below.
NO_SESSION = {
    "/login": "the login form itself: protected by its own double-submit token (tested below)",
    "/api/session": "the JSON login: no session yet; JSON only (no cross-site form can send it)",
    "/api/simulate/": "public calculators: read nothing, write nothing, need no login",
    "/password-reset": "a forgotten password: no session by nature; its own double-submit token "
                       "(test_password_reset_by_mail.py::test_the_request_form_needs_its_own_token)",
    "/password-reset/new": "a forgotten password: authorised by the e-mailed link's single-use token alone, which "
                           "a cross-site page cannot know",
}


def _changing_routes(app):
    for rc in iter_route_contexts(app.routes):
        methods = (rc.methods or set()) & CHANGING
        for method in sorted(methods):
            yield method, rc.path, rc


def _uses_session(rc) -> bool:
    def walk(dependant):
        return any(d.call is auth.principal or walk(d) for d in dependant.dependencies)

    return walk(rc.dependant)


def _exempt(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in NO_SESSION)


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_route_list_is_real(app_for):
    routes = list(_changing_routes(app_for))
    paths = {p for _, p, _ in routes}
    assert {"/logout", "/logout-everywhere", "/api/persons", "/api/affiliations/{affiliation_id}/cease"} <= paths
    assert len(routes) >= 15


def test_every_state_changing_route_runs_on_the_session_unless_listed(app_for):
    unlisted = [f"{m} {p}" for m, p, rc in _changing_routes(app_for) if not _exempt(p) and not _uses_session(rc)]
    assert not unlisted, f"state-changing routes without a session (so without CSRF protection): {unlisted}"


@pytest.fixture
def manager(app_for, db_url):
    login, secret = make_account(db_url, "manager")
    with TestClient(app_for) as c:
        log_in(c, login, secret)
        token = c.headers.pop("X-CSRF-Token")
        yield c, token


def test_csrf_every_state_changing_route_refuses_a_cookie_session_without_the_token(app_for, manager):
    client, token = manager
    checked = 0
    for method, path, _rc in _changing_routes(app_for):
        if _exempt(path):
            continue
        url = _fill(path)
        assert client.request(method, url, json={}).status_code == 403, f"{method} {path} without token"
        assert client.request(method, url, json={}, headers={"X-CSRF-Token": "forged"}).status_code == 403
        assert client.request(method, url, data={"csrf_token": "forged"}).status_code == 403, f"{method} {path}"
        if not path.startswith("/logout"):  # the control: with the token the CSRF check lets it through
            with_token = client.request(method, url, json={}, headers={"X-CSRF-Token": token})
            assert with_token.status_code != 403 or "CSRF" not in with_token.text, f"{method} {path} with token"
        checked += 1
    assert checked >= 9
    # the session survived all that (no forged request logged it out)
    assert client.get("/api/persons/999999").status_code in (404, 422)


def test_logout_with_the_form_token_works_and_without_it_does_not(app_for, db_url):
    login, secret = make_account(db_url, "auditor")
    with TestClient(app_for) as c:
        token = log_in(c, login, secret)
        csrf = c.headers.pop("X-CSRF-Token")
        assert c.post("/logout", data={}, follow_redirects=False).status_code == 403
        assert c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
        c.cookies.set(COOKIE, token)
        assert c.get("/api/persons/1").status_code == 401  # the token is dead, not just the cookie gone


def test_the_login_form_needs_its_double_submit_token(app_for, db_url):
    login, secret = make_account(db_url, "auditor")
    with TestClient(app_for) as c:
        r = c.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": "guess"},
                   follow_redirects=False)
        assert r.status_code == 400 and COOKIE not in r.cookies


def test_session_fixation_a_planted_cookie_is_never_the_session_after_login(app_for, db_url):
    victim_login, victim_secret = make_account(db_url, "manager")
    attacker_login, attacker_secret = make_account(db_url, "auditor")
    with TestClient(app_for) as attacker:
        attacker_token = log_in(attacker, attacker_login, attacker_secret)
    for planted in ("chosen-by-the-attacker", attacker_token):
        with TestClient(app_for) as victim:
            victim.cookies.set(COOKIE, planted)
            r = form_login(victim, victim_login, victim_secret)
            assert r.status_code == 303
            set_cookie = [c for c in r.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")]
            assert set_cookie and set_cookie[0].split(";")[0].split("=", 1)[1] != planted
        # the planted token never became the victim's session: unknown stays unknown, the attacker's stays theirs
        with session_scope(db_url) as s:
            if planted == attacker_token:
                assert accounts.resolve(s, planted, _now()).login == attacker_login
            else:
                with pytest.raises(NotAuthenticated):
                    accounts.resolve(s, planted, _now())


def test_cookie_flags_over_http_and_https(app_for, db_url):
    login, secret = make_account(db_url, "manager")
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        with TestClient(app_for, base_url=base) as c:
            page = c.get("/login")
            login_csrf = next(h for h in page.headers.get_list("set-cookie") if h.startswith(LOGIN_CSRF_COOKIE))
            r = form_login(c, login, secret)
            session = next(h for h in r.headers.get_list("set-cookie") if h.startswith(f"{COOKIE}="))
            for header in (session, login_csrf):
                flags = [f.strip().lower() for f in header.split(";")[1:]]
                assert "httponly" in flags, header
                assert any(f.startswith("samesite=") and f.split("=")[1] in ("lax", "strict") for f in flags), header
                assert ("secure" in flags) is secure, header
            assert any(f.strip().lower().startswith("max-age=") for f in session.split(";"))


def test_logout_everywhere_from_the_web(app_for, db_url):
    login, secret = make_account(db_url, "manager")
    with TestClient(app_for) as a, TestClient(app_for) as b:
        log_in(a, login, secret)
        log_in(b, login, secret)
        assert b.get("/api/persons/999999").status_code != 401
        assert a.post("/logout-everywhere", follow_redirects=False).status_code == 303
        assert b.get("/api/persons/999999").status_code == 401
        assert a.get("/api/persons/999999").status_code == 401


def test_every_page_offers_logout_everywhere_with_the_csrf_token(app_for, db_url, person):
    import re

    from support.web import form_login

    login, secret = make_account(db_url, "affiliate", party_id=person[0])
    with TestClient(app_for) as a, TestClient(app_for) as b:
        assert form_login(a, login, secret).status_code == 303
        assert form_login(b, login, secret).status_code == 303
        page = a.get("/", params={"lang": "en"})
        form = re.search(r'<form action="/logout" method="post".*?</form>', page.text, re.S).group(0)
        assert 'formaction="/logout-everywhere"' in form and "Log out everywhere" in form
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        assert a.post("/logout-everywhere", data={"csrf_token": "wrong"}).status_code == 403
        assert a.post("/logout-everywhere", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
        assert b.get("/", follow_redirects=False).status_code in (303, 401)
