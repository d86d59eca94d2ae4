"""Requests and messages: the person's secure inbox (/my/requests) and the staff work queue (/desk/queue)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from caisse.cases import attachments
from caisse.cases import service as cases
from caisse.errors import CaisseError, Conflict, InvalidInput
from caisse.security.authz import TEAM_BOUND, Forbidden
from caisse.services import files
from caisse.web.api.affiliation import PathId
from caisse.web.auth import PrincipalDep, SessionDep
from caisse.web.benefits import CONDITION
from caisse.web.desk import StaffDep, _fragment, _page, _page_or_fragment, wants_fragment
from caisse.web.labels import error_text
from caisse.web.schemas import QueryText

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=cases.MAX_BODY)]


@router.get("/my/requests", response_class=HTMLResponse)
def my_requests(request: Request, session: SessionDep, who: PrincipalDep, error: str | None = None) -> HTMLResponse:
    return _my_requests_page(request, session, who, error)


def _my_requests_page(request: Request, session, who, error: str | None = None,
                      status_code: int = 200) -> HTMLResponse:
    mine = files.my_files(session, who)
    rows = [c for f in mine for c in cases.cases_of(session, who, f.id)]
    return _page(request, "my_requests.html", status_code=status_code, files=mine, cases=rows,
                 kinds=cases.PERSON_KINDS, deadlines=cases.deadlines(), error=error, max_mb=_max_mb())


async def _uploads(request: Request) -> list[tuple[str | None, bytes]]:
    """The files chosen in the form's ``files`` field (none chosen: an empty list), each read up to one byte past
    the limit (the checks refuse it then, naming the field)."""
    from caisse.services.uploads import max_bytes

    limit = max_bytes()
    form = await request.form(max_files=attachments.MAX_FILES + 1)
    return [(u.filename, await u.read(limit + 1)) for u in form.getlist("files")
            if not isinstance(u, str) and (u.filename or u.size)]


@router.post("/my/requests")
async def new_request(request: Request, session: SessionDep, who: PrincipalDep, file: Annotated[int, Form()],
                      kind: Annotated[str, Form(max_length=40)], subject: Annotated[str, Form(max_length=200)],
                      body: Text):
    """A new request, with the documents chosen (PDF or JPEG): a refusal of any of them writes nothing."""
    docs = await _uploads(request)

    def act():
        today = dt.date.today()
        try:
            attachments.checked(docs)  # the documents' own refusals before anything is written
            c = cases.open_case(session, who, file, kind, subject, body, today)
            if docs:
                attachments.add(session, who, c.id, docs, today)
        except (InvalidInput, Conflict) as exc:
            session.rollback()
            return _my_requests_page(request, session, who, error_text(exc),
                                     status_code=409 if isinstance(exc, Conflict) else 422)
        return RedirectResponse(f"/my/requests/{c.id}", status_code=303)
    return await run_in_threadpool(act)


def _my_case_page(request: Request, session, who, case_id: int, error: str | None = None,
                  status_code: int = 200) -> HTMLResponse:
    c = cases.get_case(session, who, case_id)
    return _page(request, "case.html", status_code=status_code, case=c, thread=cases.messages(session, c, who),
                 staff=False, error=error, deadline_label=cases.deadlines()[c.kind]["label"],
                 action=f"/my/requests/{c.id}", documents=attachments.of_case(session, c),
                 max_mb=_max_mb(), relief=_relief_of(session, c))


def _relief_of(session, c) -> list:
    """The dispensation or surcharge-waiver requests recorded in the case (the case already read): shown as the
    structured request they are — quarters, amounts, ground, where it stands."""
    from caisse.recovery import relief

    return relief.of_case(session, c.id) if c.kind in ("dispensation", "surcharge_waiver") else []


def _max_mb() -> float:
    from caisse.services.uploads import max_bytes

    return max_bytes() / 1_000_000


@router.get("/my/requests/{case_id}", response_class=HTMLResponse)
def my_request(request: Request, case_id: PathId, session: SessionDep, who: PrincipalDep) -> HTMLResponse:
    return _my_case_page(request, session, who, case_id)


@router.post("/my/requests/{case_id}")
async def my_reply(request: Request, case_id: PathId, session: SessionDep, who: PrincipalDep, body: Text = ""):
    """The person's reply in the thread, with documents or documents alone (a refusal writes nothing)."""
    docs = await _uploads(request)

    def act():
        today = dt.date.today()
        try:
            if body.strip() or not docs:
                cases.write(session, who, case_id, body, today)
            if docs:
                attachments.add(session, who, case_id, docs, today)
        except (InvalidInput, Conflict) as exc:
            session.rollback()
            return _my_case_page(request, session, who, case_id, error=error_text(exc),
                                 status_code=409 if isinstance(exc, Conflict) else 422)
        return RedirectResponse(f"/my/requests/{case_id}", status_code=303)
    return await run_in_threadpool(act)


def _download(att) -> Response:
    return Response(att.content, media_type=att.content_type, headers={
        "Content-Disposition": f'attachment; filename="{attachments.download_name(att)}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@router.get("/my/requests/{case_id}/documents/{attachment_id}")
def my_request_document(case_id: PathId, attachment_id: PathId, session: SessionDep, who: PrincipalDep) -> Response:
    """A document of the person's case (the case's own access check; the read audited)."""
    return _download(attachments.get(session, who, case_id, attachment_id))


Holder = Annotated[str | None, Query(pattern="^(me|none|[0-9]{1,9})?$")]
Kind = Annotated[str | None, Query(pattern="^[a-z_]{0,40}$")]


def _queue_page(request: Request, session, who, chosen: dict, *, error: str | None = None,
                status_code: int = 200) -> HTMLResponse:
    """The work queue under the filters ``chosen`` (team, holder, kind, overdue): the whole page, or for htmx the
    list alone (the filters' answer, swapped in place; the count in a live region)."""
    from caisse.services import caseworkers

    today = dt.date.today()
    holder = chosen["holder"]
    assignee = who.account_id if holder == "me" else int(holder) if holder.isdigit() else None
    try:
        items = cases.work_queue(session, who, today, team=chosen["team"] or None, assignee=assignee,
                                 kind=chosen["kind"] or None, unassigned=holder == "none",
                                 overdue=chosen["overdue"])
    except InvalidInput as exc:
        raise HTTPException(422, f"{exc.field}: {exc.message}") from None
    team_bound = who.role in TEAM_BOUND
    return _page_or_fragment(request, "queue.html", "_queue_results.html", status_code=status_code, items=items,
                             today=today, kinds=cases.KINDS, teams=[who.team] if team_bound else cases.teams(session),
                             holders=caseworkers.handlers(session, who.team if team_bound else None),
                             chosen=chosen, error=error)


def _queue_query(chosen: dict) -> str:
    return urlencode({k: ("true" if v is True else v) for k, v in chosen.items() if v})


@router.get("/desk/queue", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, who: StaffDep, team: QueryText = None, holder: Holder = None,
          kind: Kind = None, overdue: bool = False) -> HTMLResponse:
    """Open cases, overdue first with the days left; filters: team, holder (me, nobody, a colleague), kind,
    overdue only. With htmx the filters update the list in place (and the address, so a filter is bookmarkable)."""
    return _queue_page(request, session, who, {"team": team or "", "holder": holder or "", "kind": kind or "",
                                               "overdue": overdue})


@router.post("/desk/queue/{case_id}")
def queue_assign(request: Request, case_id: PathId, session: SessionDep, who: StaffDep,
                 account: Annotated[str, Form(pattern="^(me|[0-9]{1,9})$")],
                 team: Annotated[str, Form(max_length=40)] = "",
                 holder: Annotated[str, Form(pattern="^(me|none|[0-9]{1,9})?$")] = "",
                 kind: Annotated[str, Form(pattern="^[a-z_]{0,40}$")] = "", overdue: Annotated[bool, Form()] = False):
    """Take a case, or give it to a colleague, from the queue (the rules of ``cases.assign``). For htmx: that row
    again, in place; without: back to the queue under the same filters (an error: the queue with it)."""
    from caisse.services import caseworkers
    from caisse.store.models import Account

    chosen = {"team": team, "holder": holder, "kind": kind, "overdue": overdue}
    today = dt.date.today()
    target = who.account_id if account == "me" else int(account)
    error = None
    try:
        c = cases.assign(session, who, case_id, target)
    except (InvalidInput, Conflict) as exc:  # refusals of the data; Forbidden, NeedToKnow, NotFound: their answers
        session.rollback()
        error, status_code = str(exc), 409 if isinstance(exc, Conflict) else 422
        if not wants_fragment(request):
            return _queue_page(request, session, who, chosen, error=f"#{case_id}: {error}", status_code=status_code)
        c = cases.get_case(session, who, case_id)
    if not wants_fragment(request):
        query = _queue_query(chosen)
        return RedirectResponse(f"/desk/queue{'?' + query if query else ''}#case-{case_id}", status_code=303)
    login = session.scalar(select(Account.login).where(Account.id == c.assigned_to)) if c.assigned_to else None
    team_bound = who.role in TEAM_BOUND
    return _fragment(request, "_queue_row.html", status_code if error else 200, i=cases.queue_item(c, today, login),
                     chosen=chosen, row_error=error, row_done=error is None,
                     holders=caseworkers.handlers(session, who.team if team_bound else None))


def _desk_case_page(request: Request, session, who, case_id: int, error: str | None = None,
                    status_code: int = 200) -> HTMLResponse:
    from caisse.benefits.service import checked_by_task
    from caisse.services import caseworkers
    from caisse.store.models import Account

    c = cases.get_case(session, who, case_id)
    holder = session.get(Account, c.assigned_to) if c.assigned_to else None
    check = checked_by_task(session, c)  # a bridging-right claim's caseworker check: where to record the findings
    may_assign = who.role == "manager" or (c.assigned_to is not None and c.assigned_to == who.account_id)
    adjustment = None
    if c.kind == "reduction":  # the buttons name what was asked: a reduction or an increase
        from caisse.recovery.models import ReductionRequest

        adjustment = session.scalar(select(ReductionRequest.direction).where(ReductionRequest.case_id == c.id))
    return _page(request, "case.html", status_code=status_code, case=c, thread=cases.messages(session, c, who),
                 staff=True, error=error, deadline_label=cases.deadlines()[c.kind]["label"], adjustment=adjustment,
                 action=f"/desk/cases/{c.id}", holder=holder, documents=attachments.of_case(session, c),
                 max_mb=_max_mb(), handlers=caseworkers.handlers(session, c.team) if may_assign else [],
                 relief=_relief_of(session, c),
                 check_claim=check and check[0], check_conditions=check and [CONDITION.get(x, x) for x in check[1]])


@router.get("/desk/cases/{case_id}", response_class=HTMLResponse)
def desk_case(request: Request, case_id: PathId, session: SessionDep, who: StaffDep) -> HTMLResponse:
    return _desk_case_page(request, session, who, case_id)


@router.post("/desk/cases/{case_id}")
def desk_act(request: Request, case_id: PathId, session: SessionDep, who: StaffDep,
             action: Annotated[str, Form(max_length=12)], body: Annotated[str, Form(max_length=cases.MAX_BODY)] = "",
             account: Annotated[str, Form(max_length=12)] = ""):
    today = dt.date.today()
    try:
        if action == "answer":
            cases.answer(session, who, case_id, body, today)
        elif action == "ask":
            cases.write(session, who, case_id, body, today, ask_person=True)
        elif action == "note":
            cases.write(session, who, case_id, body, today, internal=True)
        elif action == "close":
            cases.close(session, who, case_id, today)
        elif action == "take":
            cases.assign(session, who, case_id, who.account_id)
        elif action == "assign":
            if not account.isdigit():
                raise InvalidInput("account", "choose a colleague")
            cases.assign(session, who, case_id, int(account))
        elif action == "grant_plan":
            from caisse.recovery.service import grant_asked_plan

            grant_asked_plan(session, who, case_id, today)
        elif action in ("grant_red", "refuse_red"):  # a reduction (or increase) of provisional contributions asked
            from caisse.recovery import reduction

            cases.get_case(session, who, case_id)
            reduction.decide(session, who, reduction.of_case(session, case_id).id, action == "grant_red", body, today)
        else:
            raise InvalidInput("action", "answer, ask, note, close, take, assign, grant_plan, grant_red or refuse_red")
    except Forbidden:
        raise
    except CaisseError as exc:
        session.rollback()
        return _desk_case_page(request, session, who, case_id, error=error_text(exc),
                               status_code=409 if exc.__class__.__name__ == "Conflict" else 422)
    return RedirectResponse(f"/desk/cases/{case_id}", status_code=303)


@router.post("/desk/cases/{case_id}/documents")
async def desk_add_document(request: Request, case_id: PathId, session: SessionDep, who: StaffDep):
    """Staff add a document to the case (a paper document scanned): the same checks as the person's."""
    docs = await _uploads(request)

    def act():
        try:
            attachments.add(session, who, case_id, docs, dt.date.today())
        except (InvalidInput, Conflict) as exc:
            session.rollback()
            return _desk_case_page(request, session, who, case_id, error=error_text(exc),
                                   status_code=409 if isinstance(exc, Conflict) else 422)
        return RedirectResponse(f"/desk/cases/{case_id}#documents", status_code=303)
    return await run_in_threadpool(act)


@router.get("/desk/cases/{case_id}/documents/{attachment_id}")
def desk_case_document(case_id: PathId, attachment_id: PathId, session: SessionDep, who: StaffDep) -> Response:
    """A document of a case, for staff who may read the case (need to know as for the case; the read audited)."""
    return _download(attachments.get(session, who, case_id, attachment_id))


@router.get("/desk/approvals", response_class=HTMLResponse)
def approvals_inbox(request: Request, session: SessionDep, who: StaffDep) -> HTMLResponse:
    """Four-eyes requests waiting for a manager."""
    from caisse.services import approvals

    items = approvals.pending(session, who)
    return _page(request, "approvals.html", items=items, ibans={a.id: approvals.iban_view(a) for a in items},
                 can_decide=who.role in approvals.DECIDERS)


@router.post("/desk/approvals/{approval_id}")
def approvals_decide(approval_id: PathId, session: SessionDep, who: StaffDep,
                     decision: Annotated[str, Form(pattern="^(approve|reject)$")],
                     note: Annotated[str, Form(max_length=2000)] = ""):
    from caisse.services import approvals

    approvals.decide(session, who, approval_id, decision == "approve", note, dt.date.today())
    return RedirectResponse("/desk/approvals", status_code=303)
