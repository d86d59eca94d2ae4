"""A forgotten password (``/password-reset``): ask for a link by login, then set a new password through it.

Anonymous by design. The request form has a double-submit token like the login form; the new-password form is
authorised by the link's token itself (a cross-site page cannot know it). The answer to a request is the same
page whatever the login; the e-mail goes out after the answer (a background task), so neither the page nor its
timing tells whether the login exists. The rate limiter (``web/ratelimit.py``) gives these pages a tighter
per-address bucket; the service throttles per login and per address in the database.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse

from caisse.cases import mail
from caisse.config import Settings
from caisse.errors import InvalidInput
from caisse.services import password_reset as svc
from caisse.store.db import session_scope
from caisse.web.auth import SessionDep, client_origin
from caisse.web.ratelimit import too_many
from caisse.web.rendering import TEMPLATES

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
CSRF_COOKIE = "caisse_reset_csrf"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _ask_page(request: Request, status: int = 200, **context) -> HTMLResponse:
    csrf = secrets.token_urlsafe(24)
    response = TEMPLATES.TemplateResponse(request, "password_reset.html", {
        "fund_name": request.app.state.settings.fund_name, "csrf": csrf,
        "minutes": request.app.state.settings.password_reset_minutes, **context}, status_code=status)
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/password-reset")
    return response


def _new_page(request: Request, status: int = 200, **context) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "password_reset_new.html", {
        "fund_name": request.app.state.settings.fund_name, **context}, status_code=status)


@router.get("/password-reset", response_class=HTMLResponse)
def ask_form(request: Request) -> HTMLResponse:
    return _ask_page(request)


def _send(settings: Settings, reset: svc.ResetMail, origin: str | None) -> None:
    """After the answer has left: send the link, and audit whether it left (the address is never logged)."""
    failure = mail.send_now(mail.compose_password_reset(reset.to_address, reset.language, reset.token, settings),
                            settings)
    if failure:
        log.warning("password reset mail %s not sent: %s", reset.request_id, failure.split(":")[0])
    with session_scope(settings.database_url) as s:
        svc.record_mail(s, reset, failure is None, origin)


@router.post("/password-reset")
def ask_submit(request: Request, session: SessionDep, background: BackgroundTasks,
               login: Annotated[str, Form(max_length=200)], csrf_token: Annotated[str, Form(max_length=100)]):
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _ask_page(request, 400, error="The form expired; please try again.")
    origin = client_origin(request)
    settings = request.app.state.settings
    try:
        reset = svc.request_reset(session, login, origin, _now(), settings)
    except svc.TooManyRequests as exc:
        session.commit()  # keep the audit row
        return too_many(request, exc.retry_after_seconds)
    session.commit()  # the link must exist before its e-mail leaves
    if reset is not None:
        background.add_task(_send, settings, reset, origin)
    return _ask_page(request, asked=True)


@router.get("/password-reset/new", response_class=HTMLResponse)
def new_form(request: Request, session: SessionDep, token: str | None = None) -> HTMLResponse:
    if not svc.link_is_valid(session, token, _now()):
        return _new_page(request, 400, expired=True)
    return _new_page(request, token=token)


@router.post("/password-reset/new")
def new_submit(request: Request, session: SessionDep, token: Annotated[str, Form(max_length=200)],
               new_password: Annotated[str, Form(max_length=200)], repeat: Annotated[str, Form(max_length=200)]):
    try:
        svc.complete_reset(session, token, new_password, repeat, client_origin(request), _now())
    except InvalidInput as exc:
        if exc.field == "token":
            return _new_page(request, 400, expired=True)
        return _new_page(request, 422, token=token, error=exc)
    return _new_page(request, done=True)
