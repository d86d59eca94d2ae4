"""The caseworker's desk (server-rendered): fund overview, search, a file in one screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from caisse.errors import InvalidInput
from caisse.services import files
from caisse.web.api.affiliation import PathId, SessionDep

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)
ACTOR = "desk"


def _page(request: Request, name: str, **context) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, {"fund_name": request.app.state.settings.fund_name, **context})


@router.get("/", response_class=HTMLResponse)
def index(request: Request, session: SessionDep) -> HTMLResponse:
    today = dt.date.today()
    return _page(request, "desk_index.html", stats=files.fund_stats(session, today), year=today.year)


@router.get("/desk/search", response_class=HTMLResponse)
def search(request: Request, session: SessionDep, q: str = "") -> HTMLResponse:
    try:
        results, error = files.search(session, q, ACTOR), None
    except InvalidInput as exc:
        results, error = [], exc.message
    return _page(request, "desk_search.html", q=q, results=results, error=error)


@router.get("/desk/files/{party_id}", response_class=HTMLResponse)
def file(request: Request, party_id: PathId, session: SessionDep) -> HTMLResponse:
    return _page(request, "desk_file.html", file=files.file_view(session, party_id, ACTOR, dt.date.today()))
