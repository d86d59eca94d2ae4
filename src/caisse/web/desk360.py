"""The desk's 360° file (``/desk/files/{id}``), its contact notes and the named caseworker, and the
reconciliation desk (``/desk/reconciliation``). Staff only; authorisation and audit are in the services
(``caisse.services.file360``, ``caisse.cases.notes``, ``caisse.services.caseworkers``,
``caisse.services.reconciliation_desk``): this module turns requests into calls and results into pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from caisse.cases import notes
from caisse.cases.models import NOTE_CHANNELS
from caisse.errors import CaisseError, Conflict, InvalidInput, NotFound
from caisse.security.authz import Forbidden, NeedToKnow
from caisse.services import caseworkers, file360, reconciliation_desk
from caisse.web.api.affiliation import PathId
from caisse.web.auth import SessionDep
from caisse.web.desk import StaffDep, _fragment, _page, need_to_know_page, wants_fragment
from caisse.web.labels import error_text

router = APIRouter(include_in_schema=False)
Channel = Annotated[str | None, Query(pattern="^(" + "|".join(NOTE_CHANNELS) + ")$")]


def file_page(request: Request, session, who, party_id: int, *, channel: str | None = None,
              error: str | None = None, entered: dict | None = None, status_code: int = 200) -> HTMLResponse:
    today = dt.date.today()
    view = file360.view(session, who, party_id, today, channel)
    from caisse.web.benefits import REQUEST_STATUS

    return _page(request, "desk_360.html", status_code=status_code, file=view.file, v=view, today=today,
                 channels=NOTE_CHANNELS, error=error, entered=entered or {},
                 can_assign=who.role in caseworkers.ASSIGNERS, request_status=REQUEST_STATUS)


@router.get("/desk/files/{party_id}", response_class=HTMLResponse)
def file(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
         channel: Channel = None) -> HTMLResponse:
    """The 360° file: everything to answer the person in one screen (another team's file: a reason first)."""
    return file_page(request, session, who, party_id, channel=channel)


def _on_the_file(request: Request, session, who, party_id: int, action, entered: dict | None = None):
    """``(action(), None)``, or ``(None, the page answering its refusal)``: the need-to-know form when the file is
    another team's (back to the file, a GET, once the reason is stated — not to the POST), else the file with the
    error named (409 for a conflict, 422 otherwise) and what was typed. Forbidden and NotFound go up as they are."""
    try:
        return action(), None
    except NeedToKnow as exc:
        session.rollback()
        return None, need_to_know_page(request, str(exc), exc.party_id, f"/desk/files/{party_id}")
    except (Forbidden, NotFound):
        raise
    except CaisseError as exc:
        session.rollback()
        return None, file_page(request, session, who, party_id, error=error_text(exc), entered=entered,
                               status_code=409 if isinstance(exc, Conflict) else 422)


@router.post("/desk/files/{party_id}/notes")
def add_note(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
             channel: Annotated[str, Form(max_length=10)], summary: Annotated[str, Form(max_length=4000)],
             happened_on: Annotated[str, Form(max_length=10)] = "",
             direction: Annotated[str, Form(max_length=8)] = "in",
             case_id: Annotated[str, Form(max_length=12)] = ""):
    entered = {"channel": channel, "summary": summary, "happened_on": happened_on, "direction": direction,
               "case_id": case_id}
    today = dt.date.today()

    def add():
        try:
            day = dt.date.fromisoformat(happened_on) if happened_on else today
        except ValueError:
            raise InvalidInput("happened_on", "a date YYYY-MM-DD that exists") from None
        if case_id and not case_id.isdigit():
            raise InvalidInput("case_id", "a case number")
        notes.add(session, who, party_id, channel, direction, day, summary, today,
                  int(case_id) if case_id else None)

    _, refused = _on_the_file(request, session, who, party_id, add, entered)
    if refused is not None:
        return refused
    return RedirectResponse(f"/desk/files/{party_id}#contacts", status_code=303)


@router.post("/desk/files/{party_id}/caseworker")
def assign_caseworker(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
                      account: Annotated[int, Form(ge=1)], reason: Annotated[str, Form(max_length=500)] = ""):
    try:
        caseworkers.assign(session, who, party_id, account, dt.date.today(), reason)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return file_page(request, session, who, party_id, error=error_text(exc),
                         status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/desk/files/{party_id}#caseworker", status_code=303)


# ---------------------------------------------------------------- certificates of payment status


@router.post("/desk/files/{party_id}/paid-up-certificate")
def issue_paid_up_certificate(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
                              language: Annotated[str, Form(pattern="^(fr|nl|de)?$")] = ""):
    """The certificate of payment status of the file as of today, for the person (docs/certificates.md)."""
    from caisse.services import paid_up
    from caisse.web.portal import _pdf

    issued, refused = _on_the_file(request, session, who, party_id, lambda: paid_up.issue(
        session, who, party_id, dt.date.today(), request.app.state.settings, language=language or None))
    if refused is not None:
        return refused
    row, pdf = issued
    return _pdf(pdf, f"paid-up-certificate-{row.reference}.pdf")


@router.get("/desk/paid-up-certificates", response_class=HTMLResponse)
def confirm_paid_up_certificate(request: Request, session: SessionDep, who: StaffDep,
                                reference: Annotated[str, Query(max_length=40)] = "") -> HTMLResponse:
    """Is a certificate shown by a bank or a contracting authority one the fund issued, and what did it say?"""
    from caisse.services import paid_up

    found, error = None, None
    if reference.strip():
        try:
            found = paid_up.confirm(session, who, reference)
        except NeedToKnow as exc:
            session.rollback()
            return need_to_know_page(request, str(exc), exc.party_id, f"{request.url.path}?{request.url.query}")
        except InvalidInput as exc:
            error = error_text(exc)
    return _page(request, "desk_paid_up.html", reference=reference, found=found, error=error,
                 status_code=422 if error else 200)


# ---------------------------------------------------------------- reconciliation desk


@router.get("/desk/reconciliation", response_class=HTMLResponse)
def reconciliation(request: Request, session: SessionDep, who: StaffDep,
                   show: Annotated[str, Query(pattern="^(open|resolved|all)$")] = "open") -> HTMLResponse:
    rows = reconciliation_desk.queue(session, who, status=None if show == "all" else show)
    return _page(request, "reconciliation.html", rows=rows, show=show)


def _list_row(request: Request, session, who, item_id: int, show: str, *, done: int | None = None,
              error: str | None = None, need_reason: bool = False, status_code: int = 200) -> HTMLResponse:
    """One line of the list, as it stands now: htmx's answer to booking it from the list (the row swapped)."""
    row = reconciliation_desk.item(session, who, item_id)
    return _fragment(request, "_reconciliation_row.html", status_code, r=row, show=show, row_done=done,
                     row_error=error, need_reason=need_reason)


def _item_page(request: Request, session, who, item_id: int, *, error: str | None = None,
               status_code: int = 200) -> HTMLResponse:
    row = reconciliation_desk.item(session, who, item_id)
    return _page(request, "reconciliation_item.html", status_code=status_code, row=row, it=row.item, error=error)


@router.get("/desk/reconciliation/{item_id}", response_class=HTMLResponse)
def reconciliation_item(request: Request, item_id: PathId, session: SessionDep, who: StaffDep) -> HTMLResponse:
    return _item_page(request, session, who, item_id)


@router.post("/desk/reconciliation/{item_id}")
def reconciliation_act(request: Request, item_id: PathId, session: SessionDep, who: StaffDep,
                       action: Annotated[str, Form(pattern="^(assign|refund|acknowledge)$")],
                       debtor: Annotated[str, Form(max_length=12)] = "",
                       period: Annotated[str, Form(max_length=6)] = "",
                       reason: Annotated[str, Form(max_length=2000)] = "",
                       iban: Annotated[str, Form(max_length=50)] = "",
                       show: Annotated[str, Form(pattern="^(open|resolved|all)?$")] = ""):
    """Settle a line: from its page, back to its page; from the list (``show``: which lines it showed), back to the
    list — with htmx, the line's row alone, swapped in place."""
    in_place = bool(show) and wants_fragment(request)
    try:
        if action == "assign":
            if not debtor.strip().isdigit():
                raise InvalidInput("debtor", "the debtor's file number")
            reconciliation_desk.assign(session, who, item_id, int(debtor), period)
        elif action == "refund":
            reconciliation_desk.refund(session, who, item_id, reason, iban)
        else:
            reconciliation_desk.acknowledge(session, who, item_id, reason)
    except NeedToKnow as exc:
        session.rollback()
        if in_place:  # the reason is stated from the line's page (its form leads to the need-to-know form)
            return _list_row(request, session, who, item_id, show, error=str(exc), need_reason=True,
                             status_code=403)
        return need_to_know_page(request, str(exc), exc.party_id, f"/desk/reconciliation/{item_id}")
    except (Forbidden, NotFound):
        raise
    except CaisseError as exc:
        session.rollback()
        status_code = 409 if isinstance(exc, Conflict) else 422
        if in_place:
            return _list_row(request, session, who, item_id, show, error=error_text(exc), status_code=status_code)
        return _item_page(request, session, who, item_id, error=error_text(exc), status_code=status_code)
    if in_place:
        return _list_row(request, session, who, item_id, show, done=int(debtor) if action == "assign" else None)
    if show:
        return RedirectResponse(f"/desk/reconciliation?show={show}#line-{item_id}", status_code=303)
    return RedirectResponse(f"/desk/reconciliation/{item_id}", status_code=303)
