"""The desk's recovery pages: a debtor's recovery (``/desk/files/{id}/recovery``: stage and dated history, open
amounts, payment plan, prescription dates, relief requests, the best-solution advice, the joint calls, the
bankruptcy, and the actions) and the recovery overview (``/desk/recovery``, with the hand-over to the bailiffs and
lawyers for the recovery staff). Thin: reads from ``caisse.services.recovery_desk``, actions are the
services' own (``caisse.recovery.service``, ``caisse.recovery.relief``) — their authorisation, their rules, their
field-named refusals, shown in the form that was sent."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from caisse.errors import CaisseError, Conflict, InvalidInput, NotFound
from caisse.recovery import bankruptcy, joint, relief
from caisse.recovery import service as recovery
from caisse.recovery.models import CLOSING_REASONS, WAIVER_GROUNDS
from caisse.security import authz
from caisse.security.authz import Forbidden, NeedToKnow
from caisse.services import recovery_desk
from caisse.services.affiliation import file_access
from caisse.web.api.affiliation import PathId
from caisse.web.auth import SessionDep
from caisse.web.desk import StaffDep, _page, need_to_know_page
from caisse.web.labels import error_text

router = APIRouter(include_in_schema=False)

#: a service's field name → the input of the form that carries it (the rest: the form's first input)
FIELD_INPUT = {
    "move": {"to_stage": "to_stage", "reason": "reason", "closing_reason": "closing_reason"},
    "contact": {"reason": "outcome", "channel": "channel"},
    "contest": {"kind": "contest-kind", "received_on": "received_on", "reason": "note"},
    "presented": {"presented_on": "presented_on"},
    "served": {"served_on": "served_on"},
    "opposition": {"opposed_on": "opposed_on", "reason": "opposition-note"},
    "plan": {"schedule": "schedule", "reason": "reason"},
    "relief": {"quarters": "quarters", "grounds": "grounds", "ground_kind": "ground_kind",
               "signed_personally": "signed_personally", "informed_on": "case_id", "case": "case_id",
               "kind": "kind", "applicant_party_id": "quarters"},
    "joint": {"company": "other", "director": "other", "period": "periods", "reason": "reason", "as_of": "periods",
              "liable": "liable"},
    "bankruptcy": {"declared_on": "declared_on", "court": "court", "court_ref": "court_ref",
                   "trustee_name": "trustee_name", "trustee_address": "trustee_address",
                   "trustee_email": "trustee_email", "trustee_language": "trustee_language",
                   "party_id": "declared_on"},
    "dividend": {"amount": "amount", "on": "dividend_on", "reference": "reference", "bankruptcy": "amount"},
    "close": {"on": "close_on", "reason": "close_reason", "bankruptcy": "close_on", "status": "close_on"},
}


def _field_of(form: str, exc: CaisseError) -> str | None:
    if not isinstance(exc, InvalidInput):
        return None
    root = exc.field.split("[")[0].split(".")[0]
    return FIELD_INPUT.get(form, {}).get(root)


def recovery_page(request: Request, session, who, party_id: int, *, form: str | None = None,
                  error: str | None = None, field: str | None = None, entered: dict | None = None,
                  status_code: int = 200) -> HTMLResponse:
    today = dt.date.today()
    view = recovery_desk.file_view(session, who, party_id, today)
    return _page(request, "desk_recovery.html", status_code=status_code, v=view, today=today,
                 contrainte=recovery.contrainte_state(session, party_id), month_ends=_contest_ends(session, view.file),
                 failed={"form": form, "error": error, "field": field}, entered=entered or {},
                 can_act=who.role in ("caseworker", "recovery_officer", "manager"),
                 channels=recovery_desk.CONTACT_CHANNELS, closing_reasons=CLOSING_REASONS,
                 ground_kinds=WAIVER_GROUNDS)


@router.get("/desk/files/{party_id}/recovery", response_class=HTMLResponse)
def recovery_file(request: Request, party_id: PathId, session: SessionDep, who: StaffDep) -> HTMLResponse:
    """A debtor's recovery: stage and history, what is due, plan, prescription, relief, advice, actions."""
    return recovery_page(request, session, who, party_id)


def _act(request: Request, session, who, party_id: int, form: str, entered: dict, action, anchor: str):
    try:
        action()
    except NeedToKnow as exc:  # back to the page (a GET) once the reason is stated
        session.rollback()
        return need_to_know_page(request, str(exc), exc.party_id, f"/desk/files/{party_id}/recovery")
    except (Forbidden, NotFound):
        raise
    except CaisseError as exc:
        session.rollback()
        return recovery_page(request, session, who, party_id, form=form, error=error_text(exc),
                             field=_field_of(form, exc), entered=entered,
                             status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/desk/files/{party_id}/recovery#{anchor}", status_code=303)


Text = Annotated[str, Form(max_length=2000)]


@router.post("/desk/files/{party_id}/recovery/move")
def move(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
         to_stage: Annotated[str, Form(max_length=20)], reason: Text = "",
         closing_reason: Annotated[str, Form(max_length=20)] = ""):
    entered = {"to_stage": to_stage, "reason": reason, "closing_reason": closing_reason}
    return _act(request, session, who, party_id, "move", entered, lambda: recovery.move(
        session, who, party_id, to_stage, reason, dt.date.today(),
        closing_reason=closing_reason or None), "history")


@router.post("/desk/files/{party_id}/recovery/contact")
def contact(request: Request, party_id: PathId, session: SessionDep, who: StaffDep, outcome: Text = "",
            channel: Annotated[str, Form(max_length=10)] = "phone"):
    entered = {"outcome": outcome, "channel": channel}
    return _act(request, session, who, party_id, "contact", entered, lambda: recovery.log_contact(
        session, who, party_id, dt.date.today(), outcome, channel), "history")


@router.post("/desk/files/{party_id}/recovery/contest")
def contest(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
            kind: Annotated[str, Form(max_length=10)] = "", received_on: Annotated[str, Form(max_length=10)] = "",
            note: Text = ""):
    """The debtor's registered letter after the formal notice (art. 46): a contestation or payment terms asked."""
    entered = {"kind": kind, "received_on": received_on, "note": note}
    return _act(request, session, who, party_id, "contest", entered, lambda: recovery.record_contestation(
        session, who, party_id, kind, _form_date(received_on, "received_on"), note, dt.date.today()), "history")


def _contest_ends(session, f) -> dt.date | None:
    """The last day of the debtor's month after the formal notice of the current cycle (art. 46), if any."""
    from caisse.recovery.policy import policy

    notice = recovery.notice_on(session, f) if f is not None and f.stage not in ("closed", "plan") else None
    return policy(notice).contest_ends(notice, f.notice_presented_on) if notice else None


@router.post("/desk/files/{party_id}/recovery/notice-presented")
def notice_presented(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
                     presented_on: Annotated[str, Form(max_length=10)] = ""):
    """The day the formal notice (registered letter) was presented: the debtor's month (art. 46) runs from it."""
    return _act(request, session, who, party_id, "presented", {"presented_on": presented_on},
                lambda: recovery.record_notice_presented(session, who, party_id,
                                                         _form_date(presented_on, "presented_on"),
                                                         dt.date.today()), "contrainte")


@router.post("/desk/files/{party_id}/recovery/served")
def served(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
           served_on: Annotated[str, Form(max_length=10)] = ""):
    """The day the bailiff served the contrainte: the month of opposition (art. 47bis §5) runs from it."""
    return _act(request, session, who, party_id, "served", {"served_on": served_on},
                lambda: recovery.record_service(session, who, party_id, _form_date(served_on, "served_on"),
                                                dt.date.today()), "contrainte")


@router.post("/desk/files/{party_id}/recovery/opposition")
def opposition(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
               opposed_on: Annotated[str, Form(max_length=10)] = "", note: Text = ""):
    """The debtor's opposition to the contrainte (citation of the fund): the file goes to court."""
    return _act(request, session, who, party_id, "opposition", {"opposed_on": opposed_on, "note": note},
                lambda: recovery.record_opposition(session, who, party_id, _form_date(opposed_on, "opposed_on"),
                                                   note, dt.date.today()), "contrainte")


@router.post("/desk/files/{party_id}/recovery/plan")
def plan(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
         schedule: Annotated[str, Form(max_length=2000)] = "", reason: Text = ""):
    entered = {"schedule": schedule, "reason": reason}
    return _act(request, session, who, party_id, "plan", entered, lambda: recovery.request_plan(
        session, who, party_id, recovery.parse_schedule(schedule), reason, dt.date.today()), "plan")


@router.post("/desk/files/{party_id}/recovery/relief")
def relief_request(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
                   kind: Annotated[str, Form(pattern="^(inform|dispensation|surcharge_waiver)$")],
                   quarters: Annotated[str, Form(max_length=200)] = "", grounds: Text = "",
                   ground_kind: Annotated[str, Form(max_length=20)] = "",
                   signed_personally: Annotated[str, Form(max_length=5)] = "",
                   case_id: Annotated[str, Form(max_length=12)] = ""):
    entered = {"kind": kind, "quarters": quarters, "grounds": grounds, "ground_kind": ground_kind,
               "signed_personally": signed_personally, "case_id": case_id}
    today = dt.date.today()

    def act():
        if case_id and not case_id.strip().isdigit():
            raise InvalidInput("case", "a case number")
        case = int(case_id) if case_id.strip() else None
        if kind == "inform":
            relief.pension_notice(session, who, party_id, quarters, today, case_id=case)
        elif kind == "dispensation":
            relief.request_dispensation(session, who, party_id, quarters, grounds, today,
                                        signed_personally=signed_personally == "yes", case_id=case)
        else:
            relief.request_waiver(session, who, party_id, quarters, grounds, ground_kind, today, case_id=case)

    return _act(request, session, who, party_id, "relief", entered, act, "relief")


def _form_date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput(field, "a date is required (YYYY-MM-DD)") from None


def _pdf(content: bytes, name: str) -> Response:
    return Response(content, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.post("/desk/files/{party_id}/recovery/joint-call")
def joint_call(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
               liable: Annotated[str, Form(pattern="^(company|director)$")],
               other: Annotated[str, Form(max_length=12)] = "", periods: Annotated[str, Form(max_length=200)] = "",
               reason: Text = "", outside_mandate: Annotated[str, Form(max_length=5)] = ""):
    """A joint call from the file (either side): the company for its director's contributions of the mandate, or
    a director for the company's annual contribution (``recovery.joint``: its checks, its letter, its audit)."""
    from caisse.store.models import Company

    entered = {"liable": liable, "other": other, "periods": periods, "reason": reason,
               "outside_mandate": outside_mandate}

    def act():
        file_access(session, who, "recovery.manage", party_id)
        if not other.strip().isdigit():
            raise InvalidInput("director" if session.get(Company, party_id) else "company", "a file number")
        company, director = (party_id, int(other)) if session.get(Company, party_id) else (int(other), party_id)
        wanted = [p.strip() for p in periods.split(",") if p.strip()] or None
        if liable == "company":
            joint.call(session, who, company, director, dt.date.today(), reason, periods=wanted)
        else:
            joint.call_director(session, who, company, director, dt.date.today(), reason, periods=wanted,
                                outside_mandate=outside_mandate == "yes")

    return _act(request, session, who, party_id, "joint", entered, act, "joint")


@router.get("/desk/files/{party_id}/recovery/joint-calls/{call_id}/letter.pdf")
def joint_call_letter(party_id: PathId, call_id: PathId, session: SessionDep, who: StaffDep) -> Response:
    """A joint call's registered letter (PDF, the called party's language); the read audited on both files."""
    jc, pdf = recovery_desk.joint_letter(session, who, party_id, call_id)
    return _pdf(pdf, f"joint-call-{jc.id}.pdf")


@router.post("/desk/files/{party_id}/recovery/bankruptcy")
def bankruptcy_record(request: Request, party_id: PathId, session: SessionDep, who: StaffDep,
                      declared_on: Annotated[str, Form(max_length=10)] = "", court: Text = "",
                      court_ref: Annotated[str, Form(max_length=60)] = "", trustee_name: Text = "",
                      trustee_address: Text = "", trustee_email: Annotated[str, Form(max_length=200)] = "",
                      trustee_language: Annotated[str, Form(max_length=2)] = ""):
    """A debtor's bankruptcy and its trustee recorded (``recovery.bankruptcy.record``): recovery stops."""
    entered = {"declared_on": declared_on, "court": court, "court_ref": court_ref, "trustee_name": trustee_name,
               "trustee_address": trustee_address, "trustee_email": trustee_email,
               "trustee_language": trustee_language}
    def act():
        file_access(session, who, "recovery.manage", party_id)
        bankruptcy.record(session, who, party_id, _form_date(declared_on, "declared_on"), court, trustee_name,
                          trustee_address, trustee_language, dt.date.today(), court_ref=court_ref or None,
                          trustee_email=trustee_email or None)

    return _act(request, session, who, party_id, "bankruptcy", entered, act, "bankruptcy")


def _bankruptcy_of(session, who, party_id: int, bankruptcy_id: int):
    """The page's file first (its need to know, the right to act), then the bankruptcy, which must be its own."""
    file_access(session, who, "recovery.manage", party_id)
    b = bankruptcy.get(session, who, bankruptcy_id)
    if b.party_id != party_id:
        raise NotFound("bankruptcy", bankruptcy_id)
    return b


@router.post("/desk/files/{party_id}/recovery/bankruptcy/{bankruptcy_id}/claim")
def bankruptcy_claim(request: Request, party_id: PathId, bankruptcy_id: PathId, session: SessionDep,
                     who: StaffDep):
    """The claim declared to the trustee: the amounts owed on the judgment day fixed once (the PDF: the link)."""
    def act():
        _bankruptcy_of(session, who, party_id, bankruptcy_id)
        bankruptcy.claim(session, who, bankruptcy_id, dt.date.today())

    return _act(request, session, who, party_id, "claim", {}, act, "bankruptcy")


@router.get("/desk/files/{party_id}/recovery/bankruptcy/{bankruptcy_id}/claim.pdf")
def bankruptcy_claim_pdf(party_id: PathId, bankruptcy_id: PathId, session: SessionDep, who: StaffDep) -> Response:
    """The declaration of claim as declared (PDF, the trustee's language); the read audited."""
    b, pdf = recovery_desk.claim_pdf(session, who, party_id, bankruptcy_id)
    return _pdf(pdf, f"claim-{b.party_id}-{b.id}.pdf")


@router.post("/desk/files/{party_id}/recovery/bankruptcy/{bankruptcy_id}/dividend")
def bankruptcy_dividend(request: Request, party_id: PathId, bankruptcy_id: PathId, session: SessionDep,
                        who: StaffDep, amount: Annotated[str, Form(max_length=20)] = "",
                        dividend_on: Annotated[str, Form(max_length=10)] = "",
                        reference: Annotated[str, Form(max_length=60)] = ""):
    """The trustee's dividend booked and imputed (``recovery.bankruptcy.dividend``)."""
    from caisse.money import to_cents

    entered = {"amount": amount, "dividend_on": dividend_on, "reference": reference}

    def act():
        _bankruptcy_of(session, who, party_id, bankruptcy_id)
        bankruptcy.dividend(session, who, bankruptcy_id, to_cents(amount, "amount"),
                            _form_date(dividend_on, "on"), reference, dt.date.today())

    return _act(request, session, who, party_id, "dividend", entered, act, "bankruptcy")


@router.post("/desk/files/{party_id}/recovery/bankruptcy/{bankruptcy_id}/close")
def bankruptcy_close(request: Request, party_id: PathId, bankruptcy_id: PathId, session: SessionDep,
                     who: StaffDep, close_on: Annotated[str, Form(max_length=10)] = "",
                     close_reason: Text = ""):
    """The procedure ended: the file closed (insolvency), the rest of the claim proposed for write-off — executed
    up to the four-eyes threshold, above it waiting for a manager who did not ask (``/desk/approvals``)."""
    entered = {"close_on": close_on, "close_reason": close_reason}

    def act():
        _bankruptcy_of(session, who, party_id, bankruptcy_id)
        bankruptcy.close(session, who, bankruptcy_id, _form_date(close_on, "on"), close_reason, dt.date.today(),
                         request.app.state.settings)

    return _act(request, session, who, party_id, "close", entered, act, "bankruptcy")


@router.get("/desk/recovery", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, who: StaffDep,
             as_of: Annotated[str | None, Query(max_length=10)] = None,
             within_days: Annotated[int, Query(ge=0, le=3660)] = 90) -> HTMLResponse:
    """Debtors and amounts per stage, debts about to prescribe (links to the files), partners' balances, the
    hand-overs (recovery staff)."""
    from caisse.web.api.recovery import _day

    view = recovery_desk.overview(session, who, _day(as_of), within_days)
    return _page(request, "desk_recovery_overview.html", o=view, within_days=within_days)


@router.post("/desk/recovery/handover", response_class=HTMLResponse)
def handover(request: Request, session: SessionDep, who: StaffDep) -> HTMLResponse:
    """Hand every file at bailiff (to a bailiff) or court (to a lawyer) not handed over yet to its partner, as of
    today (``recovery.partners.handover``: one CSV and one cover letter per partner, recorded, never the same step
    twice). The files are kept in the database and downloaded from the overview."""
    import tempfile

    from caisse.recovery.partners import handover as hand_over

    authz.require(who, "recovery.handover")
    session.commit()  # the hand-over writes in its own transaction
    with tempfile.TemporaryDirectory() as out:
        result = hand_over(request.app.state.settings.database_url, dt.date.today(), out, who)
    view = recovery_desk.overview(session, who, dt.date.today(), 90)
    return _page(request, "desk_recovery_overview.html", o=view, within_days=90, handed=result)


@router.get("/desk/recovery/handovers/{handover_id}/{what}")
def handover_file(handover_id: PathId, what: Annotated[str, Path(pattern="^(csv|pdf)$")], session: SessionDep,
                  who: StaffDep) -> Response:
    """A hand-over's CSV as sent, or its cover letter; one read row per debtor named."""
    name, content, media = recovery_desk.handover_file(session, who, handover_id, what)
    return Response(content, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
