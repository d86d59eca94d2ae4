"""The caseworker's desk (server-rendered): fund overview, search, a file in one screen. Staff only."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from caisse.errors import InvalidInput
from caisse.security.authz import Forbidden, Principal
from caisse.services import files
from caisse.web.api.affiliation import PathId
from caisse.web.auth import PrincipalDep, SessionDep
from caisse.web.rendering import TEMPLATES
from caisse.web.schemas import QueryText

router = APIRouter(include_in_schema=False)


def staff(who: PrincipalDep) -> Principal:
    if not who.is_staff:
        raise Forbidden("the desk is for the fund's staff")
    return who


StaffDep = Annotated[Principal, Depends(staff)]


def _page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    who = getattr(request.state, "principal", None)
    return TEMPLATES.TemplateResponse(request, name, {
        "fund_name": request.app.state.settings.fund_name, "who": who,
        "csrf": who.csrf_token if who else None, **context}, status_code=status_code)


def wants_fragment(request: Request) -> bool:
    """An in-place update asked by htmx (header ``HX-Request``): the part of the page that changes, not the whole
    page. A history restore (``HX-History-Restore-Request``) and every request without htmx get the whole page."""
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"


def _page_or_fragment(request: Request, name: str, fragment: str, status_code: int = 200, **context) -> HTMLResponse:
    """The whole page ``name``, or its part ``fragment`` (a template the page includes) for htmx; the same URL
    answers both, so caches are told the answer varies with ``HX-Request``."""
    if wants_fragment(request):
        return _fragment(request, fragment, status_code, **context)
    response = _page(request, name, status_code, **context)
    response.headers["Vary"] = "HX-Request"
    return response


def _fragment(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    """A part of a page (a template a page includes), for htmx to swap in place."""
    response = _page(request, name, status_code, **context)
    response.headers["Vary"] = "HX-Request"
    return response


def need_to_know_page(request: Request, message: str, party_id: int | None, target: str | None = None,
                      error: str | None = None, status_code: int = 403) -> HTMLResponse:
    from caisse.security.authz import REASON_KINDS

    return _page(request, "need_to_know.html", status_code=status_code, message=message, party_id=party_id,
                 target=target or request.url.path, kinds=REASON_KINDS, error=error)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, session: SessionDep, who: PrincipalDep) -> HTMLResponse:
    today = dt.date.today()
    if not who.is_staff:
        from caisse.web.portal import home_page

        return home_page(request, session, who)
    return _page(request, "desk_index.html", stats=files.fund_stats(session, today), year=today.year)


@router.get("/my/files/{party_id}", response_class=HTMLResponse)
def my_file(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep) -> HTMLResponse:
    """An affiliate's (or their accountant's) own file, read-only."""
    return _page(request, "desk_file.html", file=files.file_view(session, party_id, who, dt.date.today()))


@router.get("/desk/search", response_class=HTMLResponse)
def search(request: Request, session: SessionDep, who: StaffDep, q: QueryText = "") -> HTMLResponse:
    try:
        results, error = files.search(session, q, who), None
    except InvalidInput as exc:
        results, error = [], exc.message
    return _page(request, "desk_search.html", q=q, results=results, error=error)


@router.post("/desk/need-to-know")
def need_to_know(request: Request, session: SessionDep, who: StaffDep, party_id: Annotated[int, Form(ge=1)],
                 reason: Annotated[str, Form(max_length=500)] = "",
                 reason_kind: Annotated[str, Form(max_length=20)] = "",
                 next: Annotated[str, Form(max_length=500)] = "/"):
    """The need-to-know form, POSTed (a reason in a URL would land in access logs); then back to the page."""
    from caisse.services import affiliation as aff_svc
    from caisse.web.auth import _safe_next

    try:
        aff_svc.declare_need_to_know(session, who, party_id, reason, reason_kind or None)
    except InvalidInput as exc:
        session.rollback()
        return need_to_know_page(request, exc.message, party_id, _safe_next(next), error=exc.message,
                                 status_code=422)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.get("/my/files/{party_id}/everything", response_class=HTMLResponse)
def my_data(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep) -> HTMLResponse:
    """Right of access (GDPR art. 15): everything the fund holds about the file, readable."""
    from caisse.services import gdpr

    return _page(request, "gdpr_export.html", data=gdpr.export_file(session, who, party_id),
                 json_url=f"/api/persons/{party_id}/export", pdf_url=f"/my/files/{party_id}/everything.pdf")


@router.get("/my/files/{party_id}/everything.pdf")
def my_data_pdf(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep) -> Response:
    """Right of access as a readable PDF (the same content as the page and the JSON export)."""
    from caisse.documents.gdpr_export import render_pdf
    from caisse.services import gdpr

    pdf = render_pdf(gdpr.export_file(session, who, party_id, document="pdf"), request.app.state.settings.fund_name)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="my-data-{party_id}.pdf"', "Cache-Control": "no-store"})


@router.get("/my/files/{party_id}/account", response_class=HTMLResponse)
def my_account(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep) -> HTMLResponse:
    """What was called, paid and is still due, period by period, with how to pay (IBAN, communication, QR)."""
    from caisse.services.account import account_view

    view = account_view(session, who, party_id, dt.date.today(), request.app.state.settings)
    return _page(request, "my_account.html", view=view)
