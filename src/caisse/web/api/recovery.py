"""Recovery over HTTP: a debtor's recovery (stage and history, open amounts, plan, prescription dates, relief
requests, the best-solution advice) and the actions of the desk's recovery page (move by hand, personal contact,
payment plan, relief requests), the stage and prescription reports and the partners' balances.

The same services as the pages and the command line (``caisse.services.recovery_desk``, ``caisse.recovery.service``,
``caisse.recovery.relief``): the same authorisation (another team's file: a need-to-know reason to read, no change),
the same field-named refusals (422 with the field in ``loc``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from caisse.errors import InvalidInput
from caisse.recovery import relief
from caisse.recovery import service as recovery
from caisse.services import recovery_desk
from caisse.web.api.affiliation import ERRORS, PathId
from caisse.web.auth import PrincipalDep, SessionDep
from caisse.web.schemas import Day, Strict

router = APIRouter(prefix="/api", tags=["recovery"])
Amount = Annotated[str, Field(pattern=r"^[0-9]{1,9}(\.[0-9]{1,2})?$", examples=["300.00"])]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
Quarters = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[0-9Q, ]+$", examples=["2026Q1,2026Q2"])]
AsOf = Annotated[str | None, Query(description="The date, YYYY-MM-DD (default: today)",
                                   pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", examples=["2026-12-01"])]


def _day(value: str | None) -> dt.date:
    """An ISO date from the query string (never a number read as a timestamp), else today."""
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("as_of", "a date YYYY-MM-DD that exists") from None


class MoveIn(Strict):
    to_stage: Annotated[str, Field(max_length=20, examples=["statement"])]
    reason: Reason
    closing_reason: Annotated[str | None, Field(max_length=20)] = None


class ContactIn(Strict):
    outcome: Reason
    channel: Literal["phone", "meeting", "visit", "video"] = "phone"


class InstalmentIn(Strict):
    due_date: Day
    amount: Amount


class PlanIn(Strict):
    schedule: Annotated[list[InstalmentIn], Field(min_length=1, max_length=60)]
    reason: Reason


class ReliefIn(Strict):
    kind: Literal["inform", "dispensation", "surcharge_waiver"] = Field(
        description="inform: the pension consequence told first (dispensation step 1); dispensation: the request "
                    "signed by the person; surcharge_waiver: the waiver of the surcharges of paid quarters")
    quarters: Quarters
    grounds: Annotated[str, Field(max_length=2000)] = ""
    ground_kind: Literal["force_majeure", "good_faith", "hardship"] | None = None
    signed_personally: bool = False
    case_id: Annotated[int | None, Field(ge=1, le=2**31 - 1)] = None


class StepOut(BaseModel):
    id: int
    event: str
    from_stage: str | None
    to_stage: str
    on: dt.date
    amount_cents: int
    letter: str | None


class PlanOut(BaseModel):
    id: int
    status: str = Field(description="active (granted at once) or pending (a manager's approval, four eyes)")
    debt_cents: int
    down_payment_cents: int
    months: int
    approval_id: int | None


class ReliefOut(BaseModel):
    id: int
    kind: str
    status: str
    periods: list[str]
    amount_cents: int
    case_id: int | None


def _step(s) -> StepOut:
    return StepOut(id=s.id, event=s.event, from_stage=s.from_stage, to_stage=s.to_stage, on=s.on,
                   amount_cents=s.amount_cents, letter=s.letter)


@router.get("/files/{party_id}/recovery", responses=ERRORS)
def recovery_file(party_id: PathId, session: SessionDep, who: PrincipalDep) -> dict:
    """A debtor's recovery today: the file (stage, since, contact), its dated history, what is due per period, the
    latest payment plan and its instalments, the prescription date of each open debt, the relief requests and
    dispensed quarters, the best-solution advice, and the stages a move by hand may go to."""
    return recovery_desk.file_view(session, who, party_id, dt.date.today()).as_dict()


@router.get("/files/{party_id}/recovery/advice", responses=ERRORS)
def recovery_advice(party_id: PathId, session: SessionDep, who: PrincipalDep, as_of: AsOf = None) -> dict:
    """Which of reduction, surcharge waiver, payment plan and dispensation apply, what each takes off the debt, what
    it costs and what it changes (``caisse recovery advise``)."""
    return recovery_desk.advice_for(session, who, party_id, _day(as_of)).to_dict()


@router.post("/files/{party_id}/recovery/move", status_code=201, response_model=StepOut, responses=ERRORS)
def move(party_id: PathId, body: MoveIn, session: SessionDep, who: PrincipalDep) -> StepOut:
    """Move the file by hand: the next stage only, ``court`` from the personal contact on, or ``closed`` with a
    closing reason (``caisse recovery move``)."""
    return _step(recovery.move(session, who, party_id, body.to_stage, body.reason, dt.date.today(),
                               closing_reason=body.closing_reason))


@router.post("/files/{party_id}/recovery/contact", status_code=201, response_model=StepOut, responses=ERRORS)
def contact(party_id: PathId, body: ContactIn, session: SessionDep, who: PrincipalDep) -> StepOut:
    """Log the personal contact (mandatory before the first judicial step; ``caisse recovery contact``)."""
    return _step(recovery.log_contact(session, who, party_id, dt.date.today(), body.outcome, body.channel))


@router.post("/files/{party_id}/recovery/plan", status_code=201, response_model=PlanOut, responses=ERRORS)
def plan(party_id: PathId, body: PlanIn, session: SessionDep, who: PrincipalDep) -> PlanOut:
    """Ask a payment plan: the first instalment is the down payment; the schedule covers exactly what is due today;
    four eyes above the fund's threshold (``caisse recovery plan``)."""
    from caisse.money import to_cents

    schedule = [recovery.Instalment(i.due_date, to_cents(i.amount, f"schedule[{n}].amount"))
                for n, i in enumerate(body.schedule)]
    p = recovery.request_plan(session, who, party_id, schedule, body.reason, dt.date.today())
    return PlanOut.model_validate(p, from_attributes=True)


@router.post("/files/{party_id}/recovery/relief", status_code=201, response_model=ReliefOut, responses=ERRORS)
def relief_request(party_id: PathId, body: ReliefIn, session: SessionDep, who: PrincipalDep) -> ReliefOut:
    """Dispensation (first ``inform``, then ``dispensation`` in the same case) or surcharge waiver, checked and
    recorded for INASTI (``caisse relief pension-notice / dispensation-request / waiver-request``). The staff's
    route (``recovery.manage``): the person and their accountant ask a waiver from the portal's form."""
    from caisse.security import authz

    authz.require(who, "recovery.manage")
    today = dt.date.today()
    if body.kind == "inform":
        r, _lines = relief.pension_notice(session, who, party_id, body.quarters, today, case_id=body.case_id)
    elif body.kind == "dispensation":
        r = relief.request_dispensation(session, who, party_id, body.quarters, body.grounds, today,
                                        signed_personally=body.signed_personally, case_id=body.case_id)
    else:
        r = relief.request_waiver(session, who, party_id, body.quarters, body.grounds, body.ground_kind or "",
                                  today, case_id=body.case_id)
    return ReliefOut(id=r.id, kind=r.kind, status=r.status, periods=list(r.periods), amount_cents=r.amount_cents,
                     case_id=r.case_id)


@router.get("/recovery/report", responses=ERRORS)
def stage_report(session: SessionDep, who: PrincipalDep, as_of: AsOf = None) -> dict:
    """Debtors and amounts per stage on a date (``caisse recovery report``): figures, no file."""
    return recovery_desk.stages(session, who, _day(as_of))


@router.get("/recovery/prescription", responses=ERRORS)
def prescription_report(session: SessionDep, who: PrincipalDep, as_of: AsOf = None,
                        within_days: Annotated[int, Query(ge=0, le=3660)] = 90) -> dict:
    """Debts prescribed by ``as_of`` + ``within_days`` (``caisse recovery prescription-report``); a team-bound
    reader gets their team's files and the count of the others."""
    o = recovery_desk.prescription_rows(session, who, _day(as_of), within_days)
    return {**o.prescription, "other_teams_rows": o.hidden}


@router.get("/recovery/partner-balances", responses=ERRORS)
def partner_balances(session: SessionDep, who: PrincipalDep, as_of: AsOf = None) -> dict:
    """What each bailiff or lawyer collected, remitted and still owes, and since when (managers)."""
    day = _day(as_of)
    return {"as_of": day.isoformat(), "partners": [b.as_dict() for b in recovery_desk.balances(session, who, day)]}
