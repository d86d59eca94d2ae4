"""The person's portal pages: home, my documents (PDF downloads), the direct-debit mandate, life events.

Authorisation and audit are in ``caisse.services.portal`` / ``caisse.services.life_events``; this module only
turns requests into calls and results into pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from caisse.errors import Conflict, InvalidInput
from caisse.security.authz import Principal
from caisse.services import life_events, portal
from caisse.store.models import Party
from caisse.web.api.affiliation import PathId
from caisse.web.auth import PrincipalDep, SessionDep
from caisse.web.desk import _page, _page_or_fragment

router = APIRouter(include_in_schema=False)
EventName = Annotated[str, Path(pattern="^(" + "|".join(life_events.EVENTS) + ")$")]


def home_page(request: Request, session, who: Principal) -> HTMLResponse:
    """``/`` for an affiliate, an accountant or a company director (called by ``caisse.web.desk.index``).

    The page is rendered before its audit rows are written (same transaction, committed before the page leaves):
    the audit chain's head row is locked from the first row to the commit, and every page of every user waits
    for it — rendering inside that window made the whole portal queue behind one page's rendering."""
    files = portal.home_files(session, who, dt.date.today(), request.app.state.settings)
    page = _page(request, "my_home.html", files=files, events=life_events.EVENTS, this_year=dt.date.today().year)
    portal.record_home(session, who, files)
    return page


@router.get("/my/documents", response_class=HTMLResponse)
def my_documents(request: Request, session: SessionDep, who: PrincipalDep) -> HTMLResponse:
    today = dt.date.today()
    docs = [portal.documents(session, who, pid, today) for pid in portal.scope(who)]
    return _page(request, "my_documents.html", docs=docs)


def _pdf(content: bytes, name: str) -> Response:
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@router.get("/my/notices/{notice_id}/pdf")
def my_notice_pdf(notice_id: PathId, session: SessionDep, who: PrincipalDep) -> Response:
    notice, pdf = portal.notice_pdf(session, who, notice_id, dt.date.today())
    return _pdf(pdf, f"notice-{notice.party_id}-{notice.period}-{notice.id}.pdf")


@router.get("/my/files/{party_id}/statement/pdf")
def my_statement_pdf(party_id: PathId, session: SessionDep, who: PrincipalDep) -> Response:
    today = dt.date.today()
    return _pdf(portal.statement_pdf(session, who, party_id, today), f"statement-{party_id}-{today}.pdf")


@router.post("/my/files/{party_id}/paid-up-certificate")
def my_paid_up_certificate(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep,
                           language: Annotated[str, Form(pattern="^(fr|nl|de)?$")] = "") -> Response:
    """The certificate of payment status as of today (docs/certificates.md): issued, recorded and audited at each
    request (a POST: each one is a document with its own reference)."""
    from caisse.services import paid_up

    row, pdf = paid_up.issue(session, who, party_id, dt.date.today(), request.app.state.settings,
                             language=language or None)
    return _pdf(pdf, f"paid-up-certificate-{row.reference}.pdf")


Year = Annotated[int, Query(ge=2000, le=2099)]


@router.get("/my/files/{party_id}/summary", response_class=HTMLResponse)
def my_yearly_summary(request: Request, party_id: PathId, year: Year, session: SessionDep,
                      who: PrincipalDep, income: Annotated[str, Query(max_length=30)] = "") -> HTMLResponse:
    """The yearly personal summary: what was paid, what it opened, what is coming (docs/yearly-summary.md); with
    ``income``, what the regularisation of the year would be on that income (a what-if, nothing recorded)."""
    from caisse.documents.yearly_summary import T, forecast_lines, lines_for
    from caisse.money import to_cents
    from caisse.web.i18n import current
    from caisse.web.labels import error_text

    today = dt.date.today()
    summary = portal.yearly_summary(session, who, party_id, year, today)
    shown = current.get() if current.get() in T else summary.language  # the page's language (English: the file's)
    summary.language, file_language = shown, summary.language
    doc = lines_for(summary)
    summary.language = file_language
    what_if, error, status = None, None, 200
    if income.strip() and summary.regularisation.status == "estimate":
        try:
            cents = to_cents(income, "income")
            what_if = forecast_lines(portal.regularisation_forecast(session, who, party_id, year, cents, today),
                                     shown)
            what_if["estimate"] = f"{cents // 100}.{cents % 100:02d}"
        except InvalidInput as exc:
            error, status = error_text(exc), 422
    return _page(request, "my_summary.html", status_code=status, summary=summary, doc=doc, what_if=what_if,
                 income=income, error=error,
                 may_adjust=year in (today.year, today.year + 1))  # the years the form can still adjust


@router.get("/my/files/{party_id}/summary/pdf")
def my_yearly_summary_pdf(party_id: PathId, year: Year, session: SessionDep, who: PrincipalDep) -> Response:
    pdf = portal.yearly_summary_pdf(session, who, party_id, year, dt.date.today())
    return _pdf(pdf, f"yearly-summary-{year}-{party_id}.pdf")


def _mandate_page(request: Request, session, who: Principal, party_id: int, *, error=None, entered: str = "",
                  done: str | None = None, status_code: int = 200, rhythm: str = "quarterly") -> HTMLResponse:
    view = portal.mandate_view(session, who, party_id)
    return _page(request, "my_mandate.html", status_code=status_code, view=view, error=error, entered=entered,
                 done=done, rhythm=rhythm)


@router.get("/my/files/{party_id}/mandate", response_class=HTMLResponse)
def my_mandate(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep,
               done: Annotated[str | None, Query(pattern="^(signed|revoked|amended|rhythm)$")] = None
               ) -> HTMLResponse:
    return _mandate_page(request, session, who, party_id, done=done)


@router.post("/my/files/{party_id}/mandate")
def my_mandate_sign(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep,
                    account: Annotated[str, Form(pattern="^(file|other)$")],
                    iban: Annotated[str, Form(max_length=50)] = "",
                    rhythm: Annotated[str, Form(max_length=20)] = "quarterly"):
    try:
        portal.sign_mandate(session, who, party_id, dt.date.today(), use_file_iban=account == "file", iban=iban,
                            rhythm=rhythm)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _mandate_page(request, session, who, party_id, error=exc, entered=iban, rhythm=rhythm,
                             status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/my/files/{party_id}/mandate?done=signed", status_code=303)


@router.post("/my/files/{party_id}/mandate/account")
def my_mandate_account(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep,
                       account: Annotated[str, Form(pattern="^(file|other)$")],
                       iban: Annotated[str, Form(max_length=50)] = ""):
    """Another account for the active mandate: the same mandate, amended (the next collection tells the bank)."""
    try:
        portal.change_mandate_account(session, who, party_id, dt.date.today(), use_file_iban=account == "file",
                                      iban=iban)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _mandate_page(request, session, who, party_id, error=exc, entered=iban,
                             status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/my/files/{party_id}/mandate?done=amended", status_code=303)


@router.post("/my/files/{party_id}/mandate/rhythm")
def my_mandate_rhythm(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep,
                      rhythm: Annotated[str, Form(max_length=20)]):
    """Quarterly or monthly collection of the active mandate, from the next collection."""
    try:
        portal.change_mandate_rhythm(session, who, party_id, rhythm)
    except InvalidInput as exc:
        session.rollback()
        return _mandate_page(request, session, who, party_id, error=exc, status_code=422)
    return RedirectResponse(f"/my/files/{party_id}/mandate?done=rhythm", status_code=303)


@router.post("/my/files/{party_id}/mandate/revoke")
def my_mandate_revoke(party_id: PathId, session: SessionDep, who: PrincipalDep):
    portal.revoke_active_mandate(session, who, party_id, dt.date.today())
    return RedirectResponse(f"/my/files/{party_id}/mandate?done=revoked", status_code=303)


@router.get("/my/files/{party_id}/life/{event}", response_class=HTMLResponse)
def my_life_event(request: Request, party_id: PathId, event: EventName, session: SessionDep,
                  who: PrincipalDep) -> HTMLResponse:
    view = life_events.life_event(session, who, party_id, event, dt.date.today(), request.app.state.settings)
    return _page(request, "my_life_event.html", view=view, events=life_events.EVENTS)


@router.get("/my/files/{party_id}/payment-plan", response_class=HTMLResponse)
def my_payment_plan(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep,
                    months: Annotated[int, Query(ge=2, le=24)] = 6, error: str | None = None) -> HTMLResponse:
    from caisse.recovery import proposal

    p = proposal.view(session, who, party_id, months, dt.date.today())
    return _page_or_fragment(request, "my_payment_plan.html", "_payment_plan.html", status_code=422 if error else 200,
                             proposal=p, party_id=party_id, error=error)


@router.post("/my/files/{party_id}/payment-plan")
def ask_payment_plan(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep,
                     months: Annotated[int, Form(ge=2, le=24)],
                     words: Annotated[str, Form(max_length=2000)] = ""):
    from caisse.recovery import proposal
    from caisse.web.i18n import gettext, say

    text = words.strip() or gettext("I ask to pay what I owe in instalments, as proposed.")
    try:
        case = proposal.ask(session, who, party_id, months, dt.date.today(), text)
    except InvalidInput as exc:
        session.rollback()
        return my_payment_plan(request, party_id, session, who, months, error=say(exc))
    return RedirectResponse(f"/my/requests/{case.id}", status_code=303)


ADJUST = "/my/files/{party_id}/provisional-contributions"  # the form's address; ``…/reduction``: its older alias


def _reduction_page(request: Request, session, who: Principal, party_id: int, year: int | None, estimate: str,
                    justification: str = "", *, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    """The form "Adjust my provisional contributions": the year (this one, prefilled, or the next), the estimate,
    and once an estimate is given the provisional contribution of a quarter today and on the estimate, what each
    quarter becomes (the quarterly call's own computation) and — lowered — the surcharge warning with its example,
    or — raised — what the increase avoids and what becomes of a surplus, before anything is asked. Plain
    GET/POST: no JavaScript needed."""
    from caisse.money import to_cents
    from caisse.recovery import reduction
    from caisse.services.affiliation import file_access
    from caisse.services.uploads import max_bytes
    from caisse.web.i18n import current
    from caisse.web.labels import error_text

    today = dt.date.today()
    file_access(session, who, "file.read", party_id)
    year = year or today.year
    p, lines = None, []
    if estimate.strip() and error is None:
        try:
            p = reduction.preview(session, party_id, year, to_cents(estimate, "estimate"), today)
        except (InvalidInput, Conflict) as exc:
            error, status_code = error_text(exc), 409 if isinstance(exc, Conflict) else 422
    if p is not None:
        lang = current.get() if current.get() in ("fr", "nl", "de") else session.get(Party, party_id).language
        lines = (reduction.increase_lines(p.year, lang) if p.direction == "increase" else
                 reduction.warning_lines(p.year, p.estimate, p.example_income, p.example, lang))
    return _page(request, "my_adjustment.html", status_code=status_code, party_id=party_id, years=(today.year,
                 today.year + 1), year=year, estimate=estimate, justification=justification, preview=p,
                 warning=lines, error=error, max_mb=max_bytes() / 1_000_000,
                 action=ADJUST.format(party_id=party_id))


ReductionYear = Annotated[int | None, Query(ge=2000, le=2099)]


@router.get(ADJUST, response_class=HTMLResponse)
@router.get("/my/files/{party_id}/reduction", response_class=HTMLResponse)
def my_reduction(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep,
                 year: ReductionYear = None,
                 estimate: Annotated[str, Query(max_length=30)] = "") -> HTMLResponse:
    return _reduction_page(request, session, who, party_id, year, estimate)


@router.post(ADJUST)
@router.post("/my/files/{party_id}/reduction")
async def ask_reduction(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep,
                        year: Annotated[int, Form(ge=2000, le=2099)], estimate: Annotated[str, Form(max_length=30)],
                        justification: Annotated[str, Form(max_length=2000)] = ""):
    """The request with the documents chosen (PDF or JPEG, on the request's case): a refusal writes nothing. Async
    only to read the files; the request (database work) runs in the thread pool."""
    from caisse.web.cases import _uploads

    docs = await _uploads(request)
    return await run_in_threadpool(_reduction_asked, request, session, who, party_id, year, estimate,
                                   justification, docs)


def _reduction_asked(request: Request, session, who: Principal, party_id: int, year: int, estimate: str,
                     justification: str, docs: list):
    from caisse.money import to_cents
    from caisse.recovery import reduction
    from caisse.web.labels import error_text

    try:
        r = reduction.request(session, who, party_id, year, to_cents(estimate, "estimate"), justification,
                              dt.date.today(), documents=docs)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _reduction_page(request, session, who, party_id, year, estimate, justification, error=error_text(exc),
                               status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/my/requests/{r.case_id}", status_code=303)


def _waiver_page(request: Request, session, who: Principal, party_id: int, *, chosen: list[str] | None = None,
                 ground_kind: str = "", grounds: str = "", error=None, status_code: int = 200) -> HTMLResponse:
    """The form "Ask the waiver of my surcharges": the surcharges quarter by quarter (from the ledger, each line with
    its rule), whether each quarter can be asked today and why not, the requests already made, then the quarters to
    ask (those that can, ticked unless the person chose), the ground, the words and the documents. A refusal of the
    service re-renders it naming the field, what was entered kept. Plain GET/POST: no JavaScript needed."""
    from caisse.recovery import waiver
    from caisse.services.uploads import max_bytes

    v = waiver.view(session, who, party_id, dt.date.today())
    if chosen is None:
        asked = request.query_params.getlist("quarter")
        chosen = [q.period for q in v.askable if not asked or q.period in asked]
    return _page(request, "my_waiver.html", status_code=status_code, view=v, party_id=party_id, chosen=chosen,
                 ground_kind=ground_kind, grounds=grounds, error=error, max_mb=max_bytes() / 1_000_000)


@router.get("/my/files/{party_id}/waiver", response_class=HTMLResponse)
def my_waiver(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep) -> HTMLResponse:
    return _waiver_page(request, session, who, party_id)


@router.post("/my/files/{party_id}/waiver")
async def ask_waiver(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep):
    """The request with the documents chosen (PDF or JPEG, on the request's case), filed through the desk's own
    service (``relief.request_waiver``): a refusal writes nothing. Async only to read the form; the request
    (database work) runs in the thread pool."""
    from caisse.web.cases import _uploads

    docs = await _uploads(request)
    form = await request.form()
    chosen = [str(q)[:10] for q in form.getlist("quarters")][:80]
    ground_kind = str(form.get("ground_kind") or "")[:20]
    grounds = str(form.get("grounds") or "")[:2000]
    return await run_in_threadpool(_waiver_asked, request, session, who, party_id, chosen, ground_kind, grounds,
                                   docs)


def _waiver_asked(request: Request, session, who: Principal, party_id: int, chosen: list[str], ground_kind: str,
                  grounds: str, docs: list):
    from caisse.recovery import relief

    try:
        r = relief.request_waiver(session, who, party_id, chosen, grounds, ground_kind, dt.date.today(),
                                  documents=docs)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _waiver_page(request, session, who, party_id, chosen=chosen, ground_kind=ground_kind, grounds=grounds,
                            error=exc, status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/my/requests/{r.case_id}", status_code=303)
