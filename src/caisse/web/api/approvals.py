"""Four-eyes requests over HTTP: order a refund or a write-off; a manager decides (also on the refunds of parked
money asked on the reconciliation desk: no file, ``item_id`` names the bank line's item)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from caisse.money import to_cents
from caisse.services import approvals
from caisse.web.api.affiliation import ERRORS, Iban, PathId
from caisse.web.auth import PrincipalDep, SessionDep
from caisse.web.schemas import Strict

router = APIRouter(prefix="/api", tags=["four eyes"])
Amount = Annotated[str, Field(pattern=r"^[0-9]{1,9}(\.[0-9]{1,2})?$", examples=["592.99"])]


class RefundIn(Strict):
    amount: Amount
    iban: Iban
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class WriteOffIn(Strict):
    account: Annotated[str, Field(max_length=30)]
    period: Annotated[str, Field(pattern=r"^[0-9]{4}(Q[1-4])?$")]
    amount: Amount
    rule: Annotated[str, Field(min_length=1, max_length=100)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class DecisionIn(Strict):
    approve: bool
    note: Annotated[str, Field(max_length=2000)] = ""


class ApprovalOut(BaseModel):
    id: int
    kind: str
    party_id: int | None = Field(None, description="The file; none for a refund of parked money")
    item_id: int | None = Field(None, description="A refund of parked money: the reconciliation item")
    amount_cents: int
    status: str
    reason: str
    requested_by: str
    decided_by: str | None
    ledger_key: str | None
    iban_masked: str | None = Field(None, description="A refund's account, masked")
    iban_on_file: bool | None = Field(None, description="False: the refund goes to an account not on the file")
    iban_from_payer: bool | None = Field(None, description="Parked money: False when the refund goes to another "
                                                           "account than the one the money came from")


def _out(a) -> ApprovalOut:
    out = ApprovalOut.model_validate(a, from_attributes=True)
    view = approvals.iban_view(a)
    if view:
        out.iban_masked, out.iban_on_file, out.iban_from_payer = view["iban_masked"], view.get("on_file"), \
            view.get("from_payer")
    return out


@router.post("/persons/{person_id}/refunds", status_code=201, response_model=ApprovalOut, responses=ERRORS)
def order_refund(person_id: PathId, body: RefundIn, request: Request, session: SessionDep,
                 who: PrincipalDep) -> ApprovalOut:
    """Refund the person's credit; above the four-eyes threshold it waits for a manager."""
    return _out(approvals.request_refund(session, who, person_id, to_cents(body.amount, "amount"), body.iban,
                                         body.reason, dt.date.today(), request.app.state.settings))


@router.post("/persons/{person_id}/write-offs", status_code=201, response_model=ApprovalOut, responses=ERRORS)
def order_write_off(person_id: PathId, body: WriteOffIn, request: Request, session: SessionDep,
                    who: PrincipalDep) -> ApprovalOut:
    return _out(approvals.request_write_off(session, who, person_id, body.account, body.period,
                                            to_cents(body.amount, "amount"), body.rule, body.reason,
                                            dt.date.today(), request.app.state.settings))


@router.get("/approvals", response_model=list[ApprovalOut], responses=ERRORS)
def pending(session: SessionDep, who: PrincipalDep) -> list[ApprovalOut]:
    return [_out(a) for a in approvals.pending(session, who)]


@router.post("/approvals/{approval_id}/decision", response_model=ApprovalOut, responses=ERRORS)
def decide(approval_id: PathId, body: DecisionIn, session: SessionDep, who: PrincipalDep) -> ApprovalOut:
    return _out(approvals.decide(session, who, approval_id, body.approve, body.note, dt.date.today()))
