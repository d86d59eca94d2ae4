"""Login, logout, the session cookie and CSRF protection for the web layer.

The cookie ``caisse_session`` is HttpOnly, SameSite=Lax, Secure when served over TLS, and carries a random
token whose SHA-256 is the only thing stored. Every state-changing request authenticated by that cookie must
carry the session's CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``). The login form itself is
protected by a double-submit token (cookie ``caisse_login_csrf`` + hidden field).
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import ipaddress
import logging
import secrets
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from caisse.security import oidc
from caisse.security.authz import NotAuthenticated, Principal
from caisse.services import accounts
from caisse.store.db import end, session_factory
from caisse.web.schemas import Strict

COOKIE = "caisse_session"
LOGIN_CSRF_COOKIE = "caisse_login_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

router = APIRouter()
log = logging.getLogger(__name__)


async def db(request: Request):
    """The request's unit of work (``store.db.session_scope``): opened here without a thread (a session takes a
    connection only at its first statement), committed or rolled back in one — shielded, so that a client going
    away never leaves a connection checked out."""
    session = session_factory(request.app.state.settings.database_url)()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(end, session, False)
        raise
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(end, session, True)


# scope="function": the unit of work commits before the response leaves, so a client that follows a redirect
# (or reads what it just wrote) never races the commit.
SessionDep = Annotated[Session, Depends(db, scope="function")]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@functools.lru_cache(maxsize=16)
def trusted_networks(setting: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``CAISSE_TRUSTED_PROXIES``: addresses or networks, comma-separated; a malformed entry is refused at once."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip())


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_origin(request: Request) -> str | None:
    """The client's address, for throttles and the audit log.

    The socket peer, unless it is one of the configured reverse proxies (``CAISSE_TRUSTED_PROXIES``): then the
    ``X-Forwarded-For`` chain is read from the right (the entry our own proxy appended) and the first address that
    is not a trusted proxy is the client. Anything a client wrote further left is ignored, as is the header when
    the peer is not a trusted proxy (anyone can send it) or when the entry is not an IP address."""
    peer = request.client.host if request.client else None
    settings = getattr(request.app.state, "settings", None)
    networks = trusted_networks(getattr(settings, "trusted_proxies", "") or "")
    if not networks or peer is None or not _trusted(peer, networks):
        return peer
    chain = [part.strip() for header in request.headers.getlist("x-forwarded-for") for part in header.split(",")]
    client = peer
    for hop in reversed(chain):
        try:
            client = str(ipaddress.ip_address(hop))
        except ValueError:
            break  # a garbled entry: do not guess past it
        if not _trusted(client, networks):
            break
    return client


class CsrfError(NotAuthenticated):
    """A state-changing request without the session's CSRF token."""


async def principal(request: Request, session: SessionDep) -> Principal:
    """The authenticated principal; 401 without a valid session, 403 without the CSRF token on a change.

    Async only to read a posted form's CSRF token; the session lookup, a database call, runs in the thread pool.
    On the event loop it would stop it while waiting for a pooled connection — and the requests holding the
    connections (and the audit chain's head row) give them back only in their teardown, which the loop schedules:
    under a few dozen concurrent requests every page then stalled until the pool's timeout."""
    token = request.cookies.get(COOKIE)
    bearer = request.headers.get("authorization", "")
    by_cookie = True
    if bearer.lower().startswith("bearer "):
        token, by_cookie = bearer[7:].strip(), False
    who = await run_in_threadpool(accounts.resolve, session, token, _now(), request.app.state.settings)
    who = Principal(**{**who.__dict__, "origin": client_origin(request)})
    who = await _in_their_language(request, session, who)
    if by_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token")
        if sent is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf_token")
        if not sent or not who.csrf_token or not hmac.compare_digest(str(sent), who.csrf_token):
            raise CsrfError("missing or wrong CSRF token")
    request.state.principal = who
    return who


PrincipalDep = Annotated[Principal, Depends(principal)]


async def _in_their_language(request: Request, session: Session, who: Principal) -> Principal:
    """A logged-in person's pages are in their language (``caisse.web.i18n``): a language chosen on this page
    (``?lang=``) is kept on their account, for every later page and session; else the one they chose before, else
    their file's. The browser's cookie follows, so the login page after a logout is in it too."""
    from caisse.web import i18n

    asked = request.query_params.get("lang")
    if asked in i18n.LANGUAGES:
        who = await run_in_threadpool(accounts.choose_language, session, who, asked)
    if who.language in i18n.LANGUAGES:
        i18n.current.set(who.language)  # this request's context only: the language middleware resets its own
        request.state.language = who.language
    return who


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    s = request.app.state.settings
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        max_age=s.session_max_hours * 3600, path="/")


# ---------------------------------------------------------------- pages


def _login_page(request: Request, error: str | None = None, status: int = 200,
                chosen: str | None = None) -> HTMLResponse:
    """``chosen``: the language the person picked on this login page (``?lang=``), carried by the form so that
    the login keeps it on their account."""
    from caisse.web.i18n import LANGUAGES
    from caisse.web.rendering import TEMPLATES

    csrf = secrets.token_urlsafe(24)
    oidc = _oidc_client(request)
    response = TEMPLATES.TemplateResponse(request, "login.html", {
        "fund_name": request.app.state.settings.fund_name, "csrf": csrf, "error": error,
        "demo": request.app.state.settings.demo_mode,
        "oidc_label": oidc.settings.label if oidc else None,
        "chosen": chosen if chosen in LANGUAGES else request.query_params.get("lang")}, status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/login")
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login", include_in_schema=False)
def login_submit(request: Request, session: SessionDep, login: Annotated[str, Form()],
                 password: Annotated[str, Form()], csrf_token: Annotated[str, Form()],
                 code: Annotated[str | None, Form()] = None, next: Annotated[str | None, Form()] = None,
                 lang: Annotated[str | None, Form(max_length=2)] = None):
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _login_page(request, "The form expired; please try again.", 400, chosen=lang)
    result = accounts.login(session, login, password, code, client_origin(request), _now(),
                            request.app.state.settings)
    if isinstance(result, accounts.LoginRefused):
        session.commit()  # keep the failed attempt and any lock
        return _login_page(request, result.message[:1].upper() + result.message[1:] + ".", 401, chosen=lang)
    if lang in accounts.PAGE_LANGUAGES:  # chosen on the login page: the choice made last
        accounts.choose_language(session, result.principal, lang)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, result.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def _safe_next(next_path: str | None) -> str:
    """Only a local path: never another site (open redirect)."""
    if next_path and next_path.startswith("/") and not next_path.startswith(("//", "/\\")) \
            and "\x00" not in next_path and len(next_path) < 500:
        return next_path
    return "/"


# ---------------------------------------------------------------- eID / itsme (OpenID Connect)


def _oidc_client(request: Request) -> oidc.OidcClient | None:
    """The relying party, when configured (``app.state.oidc_settings`` or the ``CAISSE_OIDC_*`` environment)."""
    state = request.app.state
    client = getattr(state, "oidc_client", None)
    if client is None:
        settings = getattr(state, "oidc_settings", None) or oidc.get_oidc_settings()
        if not settings.configured:
            return None
        client = state.oidc_client = oidc.OidcClient(settings)
    return client


def _oidc_refused(request: Request, message: str, status: int) -> HTMLResponse:
    response = _login_page(request, message[:1].upper() + message[1:] + ".", status)
    response.delete_cookie(oidc.FLOW_COOKIE, path="/login/oidc")
    return response


@router.get("/login/oidc", include_in_schema=False)
def oidc_start(request: Request, next: str | None = None) -> Response:
    """Send the browser to the identity provider (PKCE challenge, state and nonce of a fresh flow)."""
    client = _oidc_client(request)
    if client is None:
        return HTMLResponse("The eID login is not configured on this server.", status_code=404)
    flow = oidc.Flow.new(_safe_next(next))
    try:
        url = client.authorization_url(flow)
    except oidc.OidcRefused as exc:
        return _oidc_refused(request, str(exc), 502)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(oidc.FLOW_COOKIE, flow.dump(), max_age=oidc.FLOW_MAX_AGE, path="/login/oidc",
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


@router.get("/login/oidc/callback", include_in_schema=False)
def oidc_callback(request: Request, session: SessionDep, code: str | None = None, state: str | None = None,
                  error: str | None = None) -> Response:
    """The provider's answer: check state, trade the code (PKCE), verify the ID token (nonce), open a session."""
    client = _oidc_client(request)
    if client is None:
        return HTMLResponse("The eID login is not configured on this server.", status_code=404)
    flow = oidc.Flow.load(request.cookies.get(oidc.FLOW_COOKIE))
    if flow is None:
        return _oidc_refused(request, "this eID login was not started here or took too long; please start again",
                             400)
    if not state or not hmac.compare_digest(state.encode(), flow.state.encode()):
        return _oidc_refused(request, "this eID login does not match the one started in this browser; "
                             "please start again", 400)
    if error or not code:
        return _oidc_refused(request, "the identity provider did not confirm your identity", 401)
    try:
        token = client.exchange(code, flow)
        claims = client.identity(token, flow)
        niss = client.niss(claims)
    except oidc.OidcRefused as exc:
        log.warning("eID login refused: %s", exc.__cause__.__class__.__name__ if exc.__cause__ else exc)
        return _oidc_refused(request, str(exc), 401)
    result = accounts.login_with_identity(session, niss, client_origin(request), _now(),
                                          settings=request.app.state.settings)
    if isinstance(result, accounts.LoginRefused):
        session.commit()
        return _oidc_refused(request, result.message, 403)
    response = RedirectResponse(flow.next, status_code=303)
    set_session_cookie(request, response, result.token)
    response.delete_cookie(oidc.FLOW_COOKIE, path="/login/oidc")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, session: SessionDep, who: PrincipalDep) -> RedirectResponse:
    accounts.logout(session, request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/logout-everywhere", include_in_schema=False)
def logout_everywhere(session: SessionDep, who: PrincipalDep) -> RedirectResponse:
    accounts.logout_everywhere(session, who)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# ---------------------------------------------------------------- API


class SessionIn(Strict):
    login: Annotated[str, Field(min_length=1, max_length=100)]
    password: Annotated[str, Field(min_length=1, max_length=200)]
    code: Annotated[str | None, Field(max_length=10)] = None


class SessionOut(BaseModel):
    token: str
    csrf_token: str
    role: str
    expires_at: dt.datetime


@router.post("/api/session", response_model=SessionOut, tags=["session"],
             responses={401: {"description": "Login refused"}, 400: {"description": "Malformed JSON"}})
def api_login(request: Request, body: SessionIn, session: SessionDep):
    """Log in: the token works as a Bearer token (no CSRF needed) or as the session cookie (CSRF needed)."""
    result = accounts.login(session, body.login, body.password, body.code, client_origin(request), _now(),
                            request.app.state.settings)
    if isinstance(result, accounts.LoginRefused):
        session.commit()
        return JSONResponse({"detail": result.message}, status_code=401)
    out = SessionOut(token=result.token, csrf_token=result.principal.csrf_token, role=result.principal.role,
                     expires_at=result.expires_at)
    response = JSONResponse(out.model_dump(mode="json"))
    set_session_cookie(request, response, result.token)
    return response
