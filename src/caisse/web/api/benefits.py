"""Benefit claims over HTTP (issue 8): the claims of a file, one claim with its steps and decision, claiming,
deciding, the person's agreement to a set-off against their contributions. Thin: authorisation, audit and
pre-filling are in ``caisse.services.benefit_claims``, the rules and the decision in ``caisse.benefits.service``.
A refused fact is a 422 naming ``facts.<field>``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from caisse.benefits.models import BRIDGING_CASES, KINDS
from caisse.errors import InvalidInput
from caisse.services import benefit_claims as svc
from caisse.web.api.affiliation import ERRORS, PathId
from caisse.web.auth import PrincipalDep, SessionDep
from caisse.web.schemas import Day, Strict

router = APIRouter(prefix="/api", tags=["benefits"])
Small = Annotated[int, Field(ge=0, le=1000)]


class FactsIn(Strict):
    """The declared facts of a claim; which ones a kind takes: docs/benefits.md (``caisse benefits claim``)."""

    case: Literal[BRIDGING_CASES] | None = None  # type: ignore[valid-type]
    event_date: Day | None = None
    birth_date: Day | None = None
    death_date: Day | None = None
    start: Day | None = None
    end: Day | None = None
    vouchers_requested: Day | None = None
    months: Small | None = None
    days: Small | None = None
    half_days: Small | None = None
    full_weeks: Small | None = None
    half_weeks: Small | None = None
    months_before: Small | None = None
    pension_quarters: Small | None = None
    cumulation_months: Small | None = None
    family_charge: bool | None = None
    multiple_birth: bool | None = None
    partial: bool | None = None
    replacement_income: bool | None = Field(None, description="Bridging right: a replacement income declared for "
                                                              "the period (false: none)")
    professional_activity: bool | None = Field(None, description="Bridging right: a professional activity declared "
                                                                 "during the months of total interruption (false: "
                                                                 "none)")
    rights_quarters_before: Small | None = Field(None, description="Bridging right: quarters of maintained rights "
                                                                   "already used outside this fund's records")


class ClaimIn(Strict):
    person_id: Annotated[int, Field(ge=1, le=2**31 - 1, description="The person's file")]
    kind: Literal[KINDS]  # type: ignore[valid-type]
    facts: FactsIn
    received_on: Day | None = Field(None, description="Staff only: the day a letter was received (default today)")
    completes: Annotated[int | None, Field(ge=1, le=2**31 - 1, description=(
        "The id of an application the fund pre-filled (from a life event) that these facts complete"))] = None


class StepOut(BaseModel):
    step: str
    on: dt.date
    actor: str


class ClaimOut(BaseModel):
    id: int
    person_id: int
    kind: str
    status: str
    outcome: str | None
    facts: dict
    period_start: dt.date
    period_end: dt.date
    received_on: dt.date
    decision_due: dt.date = Field(description="Charter art. 10: decision within 4 months of the request")
    decided_on: dt.date | None
    amount_cents: int | None
    payer: str | None
    payment_due: dt.date | None = Field(description="Charter art. 12 (birth, bereavement: month after the leave)")
    paid_on: dt.date | None
    late: bool
    case_id: int | None
    notified_on: dt.date | None = Field(None, description="Charter art. 23: the appeal period (3 months) runs from the "
                                                         "notification of the decision")
    notified_by: str | None = Field(None, description="sent (made available / posted) or registered (letter)")
    reminded_on: dt.date | None = Field(None, description="Charter art. 11: reminder of the information asked")


class ClaimDetailOut(ClaimOut):
    steps: list[StepOut]
    decision: dict | None = Field(description="The motivated decision as taken: checks, reasons and computation "
                                              "in fr/nl/de/en, parameters, appeal route, Charter art. 14 mentions")


def _out(c, session=None) -> ClaimOut:
    out = ClaimOut.model_validate(c, from_attributes=True)
    if session is not None:  # the payment deadline as the rule reads now for the notification (Charter art. 12)
        from caisse.benefits.service import current_payment_due

        out.payment_due = current_payment_due(session, c)
    return out


@router.get("/persons/{person_id}/claims", response_model=list[ClaimOut], responses=ERRORS)
def claims_of_file(person_id: PathId, session: SessionDep, who: PrincipalDep) -> list[ClaimOut]:
    """The benefit claims of a file, newest first."""
    return [_out(c, session) for c in svc.claims_of(session, who, person_id)]


@router.get("/claims/{claim_id}", response_model=ClaimDetailOut, responses=ERRORS)
def read_claim(claim_id: PathId, session: SessionDep, who: PrincipalDep) -> ClaimDetailOut:
    """One claim: facts, deadlines, every dated step, the decision."""
    c, steps = svc.get(session, who, claim_id)
    return ClaimDetailOut(**_out(c, session).model_dump(), decision=c.decision,
                          steps=[StepOut(step=s.step, on=s.happened_on, actor=s.actor) for s in steps])


@router.post("/claims", status_code=201, response_model=ClaimOut, responses=ERRORS)
def file_claim(body: ClaimIn, session: SessionDep, who: PrincipalDep) -> ClaimOut:
    """Claim a benefit (or complete a pre-filled application): a tracked case with the Charter's decision deadline."""
    facts = body.facts.model_dump(exclude_none=True)
    try:
        c = svc.claim(session, who, body.person_id, body.kind, facts, dt.date.today(), received_on=body.received_on,
                      complete=body.completes)
    except InvalidInput as exc:
        if exc.field in FactsIn.model_fields:
            raise InvalidInput(f"facts.{exc.field}", exc.message) from None
        raise
    return _out(c)


@router.post("/claims/{claim_id}/decision", response_model=ClaimDetailOut, responses={
    **ERRORS, 422: {"description": "A figure is not published for the date (the claim stays an application)"}})
def decide_claim(claim_id: PathId, session: SessionDep, who: PrincipalDep) -> ClaimDetailOut:
    """Decide (benefits officer or manager): checks, motivated decision, payment ordered when granted."""
    svc.decide(session, who, claim_id, dt.date.today())
    return read_claim(claim_id, session, who)


class SignedDocument(Strict):
    filename: Annotated[str, Field(max_length=200)]
    content_base64: Annotated[str, Field(max_length=40_000_000, description="The scan (PDF or JPEG), base64")]


class SetOffConsentIn(Strict):
    """The person agrees on their own login (``max_eur`` only); staff record what the person signed (the day, how it
    came, the signed agreement scanned — required, as on the desk)."""

    max_eur: Annotated[str | None, Field(max_length=20, description="At most this amount (EUR), if given")] = None
    given_on: Day | None = Field(None, description="Staff: the day the person signed")
    channel: Literal["letter", "desk"] | None = Field(None, description="Staff: received by letter, or signed at "
                                                                         "the office (desk)")
    document: SignedDocument | None = Field(None, description="Staff: the agreement signed by the person, scanned")


class SetOffWithdrawalIn(Strict):
    withdrawn_on: Day | None = Field(None, description="Staff: the day of the person's letter (default today)")
    document: SignedDocument | None = Field(None, description="Staff: the person's letter, scanned (optional)")


class SetOffConsentOut(BaseModel):
    claim_id: int
    given_on: dt.date
    channel: str = Field(description="portal (the person's own login, also over this API), letter or desk")
    max_cents: int | None
    recorded_by: str
    withdrawn_on: dt.date | None
    withdrawn_by: str | None


def _document(doc: SignedDocument | None) -> tuple[str, bytes] | None:
    import base64
    import binascii

    if doc is None:
        return None
    try:
        return doc.filename, base64.b64decode(doc.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("document", "not base64") from None


CONSENT_ERRORS = {**ERRORS, 403: {"description": "Not the person's own agreement: an accountant's mandate does not "
                                                 "cover it"}}


@router.post("/claims/{claim_id}/set-off-consent", status_code=201, response_model=SetOffConsentOut,
             responses=CONSENT_ERRORS)
def agree_to_set_off(claim_id: PathId, body: SetOffConsentIn, session: SessionDep,
                     who: PrincipalDep) -> SetOffConsentOut:
    """The person agrees that the benefit of the claim is set off against their contribution debts due (not
    contested, not in a payment plan), up to ``max_eur``; staff record the agreement the person signed, with its
    scan. Only while the payment is not ordered; never on an accountant's word (``benefit.set_off_consent``)."""
    today = dt.date.today()
    if not who.is_staff:  # the person today (an accountant: 403 there, whatever the body)
        if who.role == "affiliate" and (body.given_on or body.channel or body.document):
            raise InvalidInput("given_on", "the person agrees today, on their own login")
        consent = svc.agree_to_set_off(session, who, claim_id, today, body.max_eur)
    else:
        consent = svc.record_set_off_consent(session, who, claim_id, body.given_on, body.channel or "",
                                             body.max_eur, lambda: _document(body.document), today)
    return SetOffConsentOut.model_validate(consent, from_attributes=True)


@router.post("/claims/{claim_id}/set-off-consent/withdrawal", response_model=SetOffConsentOut,
             responses=CONSENT_ERRORS)
def withdraw_set_off(claim_id: PathId, session: SessionDep, who: PrincipalDep,
                     body: SetOffWithdrawalIn | None = None) -> SetOffConsentOut:
    """The agreement withdrawn while the payment is not ordered: nothing will be set off. The person today (no body
    needed); staff on the day of the person's letter, its scan if any."""
    body = body or SetOffWithdrawalIn()
    if who.role == "affiliate" and (body.withdrawn_on or body.document):
        raise InvalidInput("withdrawn_on", "the person withdraws today, on their own login")
    consent = svc.withdraw_set_off(session, who, claim_id, dt.date.today(), body.withdrawn_on,
                                   lambda: _document(body.document))
    return SetOffConsentOut.model_validate(consent, from_attributes=True)


@router.get("/claims/{claim_id}/decision.pdf", response_class=Response, responses={
    **ERRORS, 200: {"content": {"application/pdf": {}}, "description": "The decision, in the person's language"}})
def decision_pdf(claim_id: PathId, session: SessionDep, who: PrincipalDep) -> Response:
    c, pdf = svc.decision_pdf(session, who, claim_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="decision-{c.person_id}-{c.id}.pdf"',
        "Cache-Control": "no-store"})
