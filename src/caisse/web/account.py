"""The logged-in person's own login: change the password (``/account/password``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from caisse.errors import InvalidInput
from caisse.services import accounts
from caisse.web.auth import PrincipalDep, SessionDep
from caisse.web.rendering import TEMPLATES

router = APIRouter(include_in_schema=False)


def _page(request: Request, who, status_code: int = 200, **context) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "account_password.html", {
        "fund_name": request.app.state.settings.fund_name, "who": who, "csrf": who.csrf_token, **context},
        status_code=status_code)


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, who: PrincipalDep, done: int = 0) -> HTMLResponse:
    return _page(request, who, done=bool(done))


@router.post("/account/password")
def password_change(request: Request, session: SessionDep, who: PrincipalDep,
                    current_password: Annotated[str, Form(max_length=200)],
                    new_password: Annotated[str, Form(max_length=200)],
                    repeat: Annotated[str, Form(max_length=200)]):
    try:
        # nothing is written on a refusal but the failed-attempt count of a wrong current password: kept (no rollback)
        accounts.change_password(session, who, current_password, new_password, repeat,
                                 dt.datetime.now(dt.UTC).replace(tzinfo=None))
    except InvalidInput as exc:
        return _page(request, who, status_code=422, error=exc)
    return RedirectResponse("/account/password?done=1", status_code=303)
