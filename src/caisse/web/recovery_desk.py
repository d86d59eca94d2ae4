"""The desk's recovery pages: a debtor's recovery (``/desk/files/{id}/recovery``: stage and dated history, open
amounts, payment plan, prescription dates, relief requests, the best-solution advice, and the actions) and the
recovery overview (``/desk/recovery``). Thin: reads from ``caisse.services.recovery_desk``, actions are the
services' own (``caisse.recovery.service``, ``caisse.recovery.relief``) — their authorisation, their rules, their
field-named refusals, shown in the form that was sent."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from caisse.errors import CaisseError, Conflict, InvalidInput, NotFound
from caisse.recovery import relief
from caisse.recovery import service as recovery
from caisse.recovery.models import CLOSING_REASONS, WAIVER_GROUNDS
from caisse.security.authz import Forbidden, NeedToKnow
from caisse.services import recovery_desk
from caisse.web.api.affiliation import PathId
from caisse.web.auth import SessionDep
from caisse.web.desk import StaffDep, _page, need_to_know_page
from caisse.web.labels import error_text

router = APIRouter(include_in_schema=False)

#: a service's field name → the input of the form that carries it (the rest: the form's first input)
FIELD_INPUT = {
    "move": {"to_stage": "to_stage", "reason": "reason", "closing_reason": "closing_reason"},
    "contact": {"reason": "outcome", "channel": "channel"},
    "plan": {"schedule": "schedule", "reason": "reason"},
    "relief": {"quarters": "quarters", "grounds": "grounds", "ground_kind": "ground_kind",
               "signed_personally": "signed_personally", "informed_on": "case_id", "case": "case_id",
               "kind": "kind", "applicant_party_id": "quarters"},
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


@router.get("/desk/recovery", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, who: StaffDep,
             as_of: Annotated[str | None, Query(max_length=10)] = None,
             within_days: Annotated[int, Query(ge=0, le=3660)] = 90) -> HTMLResponse:
    """Debtors and amounts per stage, debts about to prescribe (links to the files), partners' balances."""
    from caisse.web.api.recovery import _day

    view = recovery_desk.overview(session, who, _day(as_of), within_days)
    return _page(request, "desk_recovery_overview.html", o=view, within_days=within_days)
