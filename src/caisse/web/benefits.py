"""Rights and benefits on screen (issue 8): the person's "My rights" page and claim forms (portal), the benefits
officer's list of claims and claim page with the decide button (desk).

Thin: authorisation, audit and pre-filling are in ``caisse.services.benefit_claims``; every check and the decision
itself in ``caisse.benefits.service``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from caisse.benefits import insurance_requests as ir
from caisse.benefits.models import BRIDGING_CASES, INSURANCE_REQUEST_KINDS
from caisse.errors import CaisseError, Conflict, InvalidInput, UnknownParameter
from caisse.security.authz import Principal
from caisse.services import benefit_claims as svc
from caisse.web.api.affiliation import PathId
from caisse.web.auth import PrincipalDep, SessionDep
from caisse.web.desk import StaffDep, _page
from caisse.web.i18n import N_
from caisse.web.labels import error_text

router = APIRouter(include_in_schema=False)
KindName = Annotated[str, Path(pattern="^(" + "|".join(svc.PORTAL_KINDS) + ")$")]

#: the fields of each claim form, in order: (name, type, label)
DATE, NUMBER, YESNO, CHOICE, ANSWER = "date", "number", "yesno", "choice", "answer"  # answer: yes or no, required
FIELD = {
    "birth_date": (DATE, N_("Date of birth of the child")),
    "death_date": (DATE, N_("Date of the death")),
    "event_date": (DATE, N_("Date of the event (bankruptcy, interruption)")),
    "case": (CHOICE, N_("Why you stopped")),
    "start": (DATE, N_("First day")),
    "end": (DATE, N_("Last day")),
    "days": (NUMBER, N_("Full days")),
    "half_days": (NUMBER, N_("Half-days")),
    "months": (NUMBER, N_("Months")),
    "full_weeks": (NUMBER, N_("Full-time weeks")),
    "half_weeks": (NUMBER, N_("Half-time weeks")),
    "pension_quarters": (NUMBER, N_("Quarters counting for your pension (if you know)")),
    "family_charge": (YESNO, N_("I have a dependent family")),
    "professional_activity": (ANSWER, N_("Do you exercise a professional activity (as an employee or self-employed) "
                                         "during the interruption?")),
    "replacement_income": (ANSWER, N_("Do you receive a replacement income (unemployment, sickness or disability "
                                      "benefit, pension…) during the period?")),
    "multiple_birth": (YESNO, N_("A multiple birth")),
    "partial": (YESNO, N_("A partial interruption (half-time)")),
    "vouchers_requested": (DATE, N_("Day you asked the 105 service vouchers (if you did)")),
}
FORM_FIELDS = {
    "birth_leave": ("birth_date", "start", "end", "days", "half_days"),
    "maternity": ("birth_date", "start", "full_weeks", "half_weeks", "multiple_birth", "vouchers_requested"),
    "bridging_right": ("case", "event_date", "start", "months", "family_charge", "pension_quarters",
                       "professional_activity", "replacement_income"),
    "carer": ("start", "months", "partial"),
    "bereavement": ("death_date", "start", "end", "days"),
}
CASE_LABEL = {
    "bankruptcy": N_("bankruptcy"), "disaster": N_("natural disaster"), "fire": N_("fire"),
    "damage": N_("damage to the business premises"), "allergy": N_("an allergy caused by the activity"),
    "third_party": N_("a third party's decision (economic dependence)"),
    "economic_event": N_("an event with economic impact (e.g. a pandemic)"),
    "economic_difficulties": N_("economic difficulties"),
    "collective_debt_settlement": N_("collective debt settlement"),
}
CLAIM_STATUS = {"application": N_("being examined"), "granted": N_("granted"), "refused": N_("refused"),
                "closed": N_("closed")}
CLAIM_STEP = {
    "application": N_("claim received"), "completed": N_("claim completed"), "checks": N_("checked"),
    "decision": N_("decided"), "payment_ordered": N_("payment ordered"), "paid": N_("paid"), "late": N_("late"),
    "decision_late": N_("decision overdue"), "interest_due": N_("late interest due"), "closed": N_("closed"),
    "forwarded": N_("sent to the mutuality"), "dispensation": N_("dispensation of contributions"),
    "rights_maintained": N_("health-care rights kept without contributions"),
    "set_off": N_("set off against an undue benefit"),
    "withdrawn": N_("withdrawn"), "document_added": N_("document added"),
    "document_requested": N_("document asked (decision deadline suspended)"),
    "document_received": N_("document received (deadline running again)"),
    "reminder_sent": N_("reminder sent (Charter art. 11)"),
    "may_decide": N_("may be decided on the information available"),
    "notified": N_("decision notified"),
    "set_off_consent": N_("set-off against contributions agreed"),
    "set_off_withdrawn": N_("agreement to the set-off withdrawn"),
    "set_off_debts": N_("set off against contributions"),
    "payment_due_moved": N_("payment deadline moved by a change of the rule (Charter art. 12)"),
    "declared": N_("declarations recorded"),
    "caseworker_check": N_("waiting for a caseworker's check"),
    "verified": N_("checked by the fund"),
}
#: the conditions a caseworker verifies on a bridging-right claim (``bridging_checks.VERIFIABLE``), short
CONDITION = {
    "living_wage": N_("Living wage of the CPAS at the cessation"),
    "low_income": N_("Professional incomes of the cessation year and the year before"),
    "debt_settlement": N_("Collective debt settlement"),
    "pension_quarters": N_("Pension quarters declared by the person"),
}
#: the desk's words for a bridging-right claimant's declarations (the portal's form asks them in the second person)
DECLARATION = {
    "professional_activity": (ANSWER, N_("A professional activity (employee or self-employed) during the "
                                         "interruption")),
    "replacement_income": (ANSWER, N_("A replacement income (unemployment, sickness or disability benefit, "
                                      "pension…) during the period")),
    "family_charge": (ANSWER, N_("A dependent family")),
    "pension_quarters": (NUMBER, N_("Quarters counting for the pension")),
    "months_before": (NUMBER, N_("Months of bridging right received outside this fund's records")),
    "rights_quarters_before": (NUMBER, N_("Quarters of health-care rights kept outside this fund's records")),
}
DECLARED_BY = {"letter": N_("by letter"), "phone": N_("by phone"), "office": N_("at the office")}
#: how the person agreed to a set-off against their contributions (``benefit_set_off_consent.channel``)
CONSENT_BY = {"portal": N_("on the portal"), "letter": N_("by letter"), "desk": N_("signed at the office")}


def _typed(name: str, typ: str, raw: str):
    """A value typed on a claim form (the person's or the desk's), read as its type; else a refusal naming it."""
    if typ == ANSWER:
        if raw not in ("yes", "no"):
            raise InvalidInput(name, "answer yes or no")
        return raw == "yes"
    if typ == DATE:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(name, "not a date (YYYY-MM-DD): {value!r}", value=raw) from None
    if typ == NUMBER:
        if not raw.isdigit():
            raise InvalidInput(name, "not a whole number: {value}", value=raw)
        return int(raw)
    if raw not in BRIDGING_CASES:
        raise InvalidInput(name, "one of {cases}", cases=", ".join(BRIDGING_CASES))
    return raw


def _read_form(kind: str, form) -> dict:
    """The typed facts of a submitted form; a value that is not of its type names its field."""
    facts: dict = {}
    for name in FORM_FIELDS[kind]:
        typ = FIELD[name][0]
        raw = str(form.get(name, "") or "").strip()
        if typ == YESNO:
            facts[name] = raw in ("yes", "on", "true")
            continue
        if typ != ANSWER:  # the person's declaration (ANSWER) is never presumed: always read
            if not raw:
                continue
            if len(raw) > 30:
                raise InvalidInput(name, "too long")
        facts[name] = _typed(name, typ, raw)
    if kind == "bridging_right" and "case" not in facts:
        raise InvalidInput("case", "required for a bridging_right claim")
    return facts


# --- portal ---------------------------------------------------------------------------------------------------

Id = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


@router.get("/my/files/{party_id}/rights", response_class=HTMLResponse)
def my_rights(request: Request, party_id: PathId, session: SessionDep, who: PrincipalDep, done: Id = None,
              asked: Id = None, withdrawn: Id = None) -> HTMLResponse:
    return _rights_page(request, session, who, party_id, done=done, asked=asked, withdrawn=withdrawn)


def _rights_page(request: Request, session, who: Principal, party_id: int, *, done: int | None = None,
                 asked: int | None = None, withdrawn: int | None = None, error: str | None = None,
                 status_code: int = 200) -> HTMLResponse:
    from caisse.benefits import service

    today = dt.date.today()
    claims = svc.claims_of(session, who, party_id)
    requests = ir.requests_of(session, who, party_id)
    moved = service.moved_days(session, [c.id for c in claims if c.status == "application"])
    return _page(request, "my_rights.html", status_code=status_code, party_id=party_id, claims=claims,
                 pending=svc.pending(session, claims),
                 deadline_of={c.id: service.deadline_state(c, today, moved.get(c.id, 0)) for c in claims},
                 payment_due_of={c.id: service.current_payment_due(session, c) for c in claims},
                 kinds=svc.PORTAL_KINDS, done=done, asked=asked, withdrawn=withdrawn, error=error, today=today,
                 statuses=CLAIM_STATUS, requests=requests, request_kinds=INSURANCE_REQUEST_KINDS,
                 request_status=REQUEST_STATUS, withdrawable=ir.WITHDRAWABLE,
                 deadlines={r.id: _case_deadline(session, r.case_id) for r in requests},
                 quarters_text=ir.quarters_text)


@router.post("/my/insurance-requests/{request_id}/withdraw")
async def my_request_withdraw(request: Request, request_id: PathId, session: SessionDep, who: PrincipalDep):
    """The person (or their accountant) withdraws an assimilation or continued-insurance request not decided yet,
    from My rights. Async only to read the form; the withdrawal runs in the thread pool."""
    form = await request.form()
    reason = str(form.get("reason", "") or "")[:1000]
    return await run_in_threadpool(_my_request_withdrawn, request, session, who, request_id, reason)


def _my_request_withdrawn(request: Request, session, who: Principal, request_id: int, reason: str):
    try:
        r = ir.withdraw(session, who, request_id, dt.date.today(), reason)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        from caisse.benefits.models import InsuranceRequest

        person_id = session.get(InsuranceRequest, request_id).person_id  # theirs: the access check came first
        return _rights_page(request, session, who, person_id, error=error_text(exc),
                            status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/my/files/{r.person_id}/rights?withdrawn={r.id}#requests", status_code=303)


# --- assimilation for illness and continued insurance: requests the fund forwards -----------------------------------

REQUEST_STATUS = {"proposed": N_("prepared by the fund: check it and send it"),
                  "requested": N_("received: the fund checks it and forwards it"),
                  "forwarded": N_("forwarded: the institution decides"), "granted": N_("granted"),
                  "refused": N_("refused"), "withdrawn": N_("withdrawn: the fund no longer handles it")}
REQUEST_FIELD = {
    "incapacity_start": (DATE, N_("First day of the incapacity")),
    "incapacity_end": (DATE, N_("Last day of the incapacity (if known)")),
    "cessation_date": (DATE, N_("Day your activity ceased")),
    "option": (CHOICE, N_("Continued insurance for")),
    "extension": (YESNO, N_("Extended up to my pension (only if it starts at the earliest 7 years before the "
                            "legal pension age)")),
    "no_other_status": (YESNO, N_("I have no other social status (employee, civil servant, benefits...)")),
}
REQUEST_FIELDS = {"illness_assimilation": ("incapacity_start", "incapacity_end"),
                  "continued_insurance": ("cessation_date", "option", "extension", "no_other_status")}
OPTION_LABEL = {"pension": N_("pension only"), "pension_health": N_("pension and health care")}
RequestKind = Annotated[str, Path(pattern="^(" + "|".join(INSURANCE_REQUEST_KINDS) + ")$")]


def _case_deadline(session, case_id: int):
    from caisse.cases.models import Case

    return session.get(Case, case_id).deadline


def _request_form(request: Request, session, who: Principal, party_id: int, kind: str, request_id: int | None,
                  values: dict | None = None, error: InvalidInput | None = None, status_code: int = 200):
    prepared = ir.get(session, who, request_id) if request_id else None
    if prepared is not None and (prepared.person_id != party_id or prepared.kind != kind):
        prepared = None
    if values is None:
        values = dict(prepared.facts) if prepared is not None else ir.prefill(session, party_id, kind)
    return _page(request, "my_insurance_request_form.html", status_code=status_code, party_id=party_id, kind=kind,
                 prepared=prepared, values=values, fields=[(n, *REQUEST_FIELD[n]) for n in REQUEST_FIELDS[kind]],
                 cases=OPTION_LABEL, error=error, field_label=lambda n: REQUEST_FIELD.get(n, (None, n))[1])


@router.get("/my/files/{party_id}/requests/{request_kind}", response_class=HTMLResponse)
def my_request_form(request: Request, party_id: PathId, request_kind: RequestKind, session: SessionDep,
                    who: PrincipalDep,
                    prepared: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> HTMLResponse:
    svc.claims_of(session, who, party_id)  # the same access (and read audit) as My rights
    return _request_form(request, session, who, party_id, request_kind, prepared)


@router.post("/my/files/{party_id}/requests/{request_kind}")
async def my_request_submit(request: Request, party_id: PathId, request_kind: RequestKind, session: SessionDep,
                            who: PrincipalDep):
    """Async only to read the form; the request (database work) runs in the thread pool, off the event loop."""
    form = await request.form()
    return await run_in_threadpool(_request_submitted, request, session, who, party_id, request_kind, form)


def _form_id(form, name: str) -> int | None:
    """A record number sent back by a form (hidden field), or None when absent or not a plausible id."""
    raw = str(form.get(name, "") or "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _request_submitted(request: Request, session, who: Principal, party_id: int, kind: str, form):
    prepared = _form_id(form, "prepared")
    values: dict = {}
    for n in REQUEST_FIELDS[kind]:
        raw_value = str(form.get(n, "") or "")[:30]
        values[n] = raw_value in ("yes", "on", "true") if REQUEST_FIELD[n][0] == YESNO else raw_value or None
    try:
        r = ir.file_request(session, who, party_id, kind, values, dt.date.today(), request_id=prepared)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _request_form(request, session, who, party_id, kind, prepared, values=values, error=exc,
                             status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/my/files/{party_id}/rights?asked={r.id}", status_code=303)


def _form_page(request: Request, session, who: Principal, party_id: int, kind: str, claim_id: int | None,
               values: dict | None = None, error: InvalidInput | None = None, status_code: int = 200):
    facts, claim, event = svc.prefill(session, who, party_id, kind, dt.date.today(), claim_id)
    if values is not None:
        facts = values
    shown = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in facts.items()}
    for name in FORM_FIELDS[kind]:  # a declaration shown as the answer given (a pre-filled claim has none)
        if FIELD[name][0] == ANSWER and isinstance(shown.get(name), bool):
            shown[name] = "yes" if shown[name] else "no"
    return _page(request, "my_claim_form.html", status_code=status_code, party_id=party_id, kind=kind,
                 claim=claim, event=event, values=shown, fields=[(n, *FIELD[n]) for n in FORM_FIELDS[kind]],
                 cases=CASE_LABEL, error=error, field_label=lambda n: FIELD.get(n, (None, n))[1])


@router.get("/my/files/{party_id}/rights/{kind}", response_class=HTMLResponse)
def my_claim_form(request: Request, party_id: PathId, kind: KindName, session: SessionDep, who: PrincipalDep,
                  claim: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> HTMLResponse:
    return _form_page(request, session, who, party_id, kind, claim)


@router.post("/my/files/{party_id}/rights/{kind}")
async def my_claim_submit(request: Request, party_id: PathId, kind: KindName, session: SessionDep,
                          who: PrincipalDep):
    """Async only to read the form; the claim (database work) runs in the thread pool, off the event loop."""
    form = await request.form()
    return await run_in_threadpool(_claim_submitted, request, session, who, party_id, kind, form)


def _claim_submitted(request: Request, session, who: Principal, party_id: int, kind: str, form):
    complete = _form_id(form, "claim")
    values = {n: str(form.get(n, "") or "")[:30] for n in FORM_FIELDS[kind]}
    for n in FORM_FIELDS[kind]:
        if FIELD[n][0] == YESNO:
            values[n] = values[n] in ("yes", "on", "true")
    try:
        facts = _read_form(kind, form)
        c = svc.claim(session, who, party_id, kind, facts, dt.date.today(), complete=complete)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _form_page(request, session, who, party_id, kind, complete, values=values, error=exc,
                          status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/my/files/{party_id}/rights?done={c.id}", status_code=303)


@router.get("/my/claims/{claim_id}/decision.pdf")
def my_decision_pdf(claim_id: PathId, session: SessionDep, who: PrincipalDep) -> Response:
    c, pdf = svc.decision_pdf(session, who, claim_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="decision-{c.person_id}-{c.id}.pdf"',
        "Cache-Control": "no-store"})


def _my_claim_page(request: Request, session, who: Principal, claim_id: int, error: str | None = None,
                   done: str | None = None, status_code: int = 200) -> HTMLResponse:
    from caisse.benefits import service, setoff

    claim, steps = svc.get(session, who, claim_id)
    start = service.may_decide_from(claim)
    moved = sum(int((s.detail or {}).get("suspended_days") or 0) for s in steps if s.step == "document_received")
    consent = setoff.active_consent(session, claim.id)
    return _page(request, "my_claim.html", status_code=status_code, claim=claim, steps=steps, consent=consent,
                 may_set_off=claim.status == "application" and claim.kind not in ("maternity", "adoption"),
                 may_consent=who.role == "affiliate" and claim.person_id == who.party_id,
                 deadline=service.deadline_state(claim, dt.date.today(), moved),
                 appeal_until=service.appeal_until(claim), answer_until=start and start - dt.timedelta(days=1),
                 documents=svc.documents(session, claim), error=error, done=done, statuses=CLAIM_STATUS,
                 step_label=CLAIM_STEP, today=dt.date.today(),
                 max_mb=request.app.state.settings.upload_max_bytes / 1_000_000)


@router.get("/my/claims/{claim_id}", response_class=HTMLResponse)
def my_claim(request: Request, claim_id: PathId, session: SessionDep, who: PrincipalDep,
             done: Annotated[str | None, Query(pattern="^(withdrawn|document|set_off|set_off_withdrawn)$")] = None
             ) -> HTMLResponse:
    return _my_claim_page(request, session, who, claim_id, done=done)


@router.post("/my/claims/{claim_id}/withdraw")
async def my_claim_withdraw(request: Request, claim_id: PathId, session: SessionDep, who: PrincipalDep):
    form = await request.form()
    reason = str(form.get("reason", "") or "")[:500]
    return await run_in_threadpool(_my_claim_act, request, session, who, claim_id, "withdrawn",
                                   lambda: svc.withdraw(session, who, claim_id, dt.date.today(), reason))


@router.post("/my/claims/{claim_id}/set-off")
async def my_claim_set_off(request: Request, claim_id: PathId, session: SessionDep, who: PrincipalDep):
    """The person agrees that the benefit is set off against their contribution debts due (or withdraws it)."""
    form = await request.form()
    if form.get("withdraw"):
        return await run_in_threadpool(_my_claim_act, request, session, who, claim_id, "set_off_withdrawn",
                                       lambda: svc.withdraw_set_off(session, who, claim_id, dt.date.today()))
    most = str(form.get("max", "") or "")[:20]
    return await run_in_threadpool(_my_claim_act, request, session, who, claim_id, "set_off",
                                   lambda: svc.agree_to_set_off(session, who, claim_id, dt.date.today(), most))


def _my_claim_act(request: Request, session, who: Principal, claim_id: int, done: str, act):
    """A change to the person's claim (run in the thread pool): the claim page again with the refusal, or on."""
    try:
        act()
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _my_claim_page(request, session, who, claim_id, error=error_text(exc),
                              status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/my/claims/{claim_id}?done={done}", status_code=303)


@dataclass
class Posted:
    """A form with one document: its fields, the document (name, bytes — at most the limit and one byte, so that
    too large is said) or None, and the refusal of a body too large to be read at all (said in the thread pool,
    once the claim's file is known to be the sender's)."""

    form: dict
    document: tuple[str | None, bytes] | None
    too_large: InvalidInput | None = None


async def _posted(request: Request, name: str, max_fields: int) -> Posted:
    limit = request.app.state.settings.upload_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 65_536:  # refused before reading it all
        from caisse.services.uploads import too_large

        return Posted({}, None, too_large(limit, name))
    form = await request.form(max_files=1, max_fields=max_fields)
    upload = form.get(name)
    fields = {k: str(v)[:2000] for k, v in form.items() if isinstance(v, str)}
    if upload is None or isinstance(upload, str) or not upload.filename:
        return Posted(fields, None)
    return Posted(fields, (upload.filename, await upload.read(limit + 1)))


@router.post("/my/claims/{claim_id}/documents")
async def my_claim_document(request: Request, claim_id: PathId, session: SessionDep, who: PrincipalDep):
    posted = await _posted(request, "file", 5)

    def act():
        if posted.too_large:
            raise posted.too_large
        name, content = posted.document or (None, None)
        svc.add_document(session, who, claim_id, name, content, dt.date.today())
    return await run_in_threadpool(_my_claim_act, request, session, who, claim_id, "document", act)


@router.get("/my/claims/{claim_id}/documents/{attachment_id}")
def my_claim_document_file(claim_id: PathId, attachment_id: PathId, session: SessionDep,
                           who: PrincipalDep) -> Response:
    from caisse.benefits.attachments import download_name

    att = svc.document(session, who, claim_id, attachment_id)
    return Response(att.content, media_type=att.content_type, headers={
        "Content-Disposition": f'attachment; filename="{download_name(att)}"', "Cache-Control": "no-store"})


# --- desk -----------------------------------------------------------------------------------------------------

@router.get("/desk/benefits", response_class=HTMLResponse)
def desk_claims(request: Request, session: SessionDep, who: StaffDep,
                status: Annotated[str | None, Query(pattern="^(application|granted|refused|closed)$")] = None):
    today = dt.date.today()
    rows = svc.desk_list(session, who, today, status)
    return _page(request, "desk_benefits.html", rows=rows, status=status, today=today, statuses=CLAIM_STATUS)


def _claim_page(request: Request, session, who: Principal, claim_id: int, error: str | None = None,
                done: str | None = None, status_code: int = 200) -> HTMLResponse:
    from caisse.benefits import service, setoff
    from caisse.benefits.bridging_checks import CaseworkerCheck

    claim, steps = svc.get(session, who, claim_id)
    preview, not_decidable, to_verify = None, None, []
    if claim.status == "application":
        try:  # the checks as they stand today (nothing written)
            preview = service.evaluate(session, claim, dt.date.today())
        except CaseworkerCheck as exc:  # what to verify, in every language: the form below, one per condition
            to_verify = exc.items
        except CaisseError as exc:
            not_decidable = error_text(exc)
    return _page(request, "desk_claim.html", status_code=status_code, claim=claim, steps=steps, preview=preview,
                 payment_due=service.current_payment_due(session, claim),
                 not_decidable=not_decidable, error=error, done=done, statuses=CLAIM_STATUS, step_label=CLAIM_STEP,
                 can_decide=who.role in ("benefits_officer", "manager"), today=dt.date.today(),
                 can_withdraw=who.role in ("caseworker", "benefits_officer", "manager"),
                 documents=svc.documents(session, claim), appeal_until=service.appeal_until(claim),
                 decide_from=service.may_decide_from(claim),
                 declarations=[(n, *DECLARATION[n]) for n in svc.DECLARATIONS] if claim.kind == "bridging_right"
                 else [], declared_by=DECLARED_BY,
                 can_record=claim.status == "application" and who.role in ("caseworker", "benefits_officer",
                                                                            "manager"),
                 may_set_off=claim.status == "application" and claim.kind not in ("maternity", "adoption"),
                 consent=setoff.active_consent(session, claim.id), consent_by=CONSENT_BY,
                 consent_document={(s.detail or {}).get("consent"): s.detail["attachment"] for s in steps
                                   if s.step == "set_off_consent" and (s.detail or {}).get("attachment")},
                 to_verify=to_verify, conditions=CONDITION, check_task=service.check_task(session, claim),
                 findings=[s for s in steps if s.step == "verified"], notes=_notes(session, steps))


def _notes(session, steps) -> dict[int, str]:
    """The caseworkers' notes of the claim's verifications (internal notes of its task), by message id."""
    from sqlalchemy import select

    from caisse.cases.models import CaseMessage

    ids = [s.detail["note"] for s in steps if s.step == "verified" and (s.detail or {}).get("note")]
    return dict(session.execute(select(CaseMessage.id, CaseMessage.body).where(CaseMessage.id.in_(ids))).all()) \
        if ids else {}


DESK_DONE = ("^(decided|withdrawn|requested|reminded|received|notified|declared|set_off|set_off_withdrawn|verified|"
             "verified_undecided)$")


@router.get("/desk/benefits/{claim_id}", response_class=HTMLResponse)
def desk_claim(request: Request, claim_id: PathId, session: SessionDep, who: StaffDep,
               done: Annotated[str | None, Query(pattern=DESK_DONE)] = None) -> HTMLResponse:
    return _claim_page(request, session, who, claim_id, done=done)


@router.post("/desk/benefits/{claim_id}/decide")
def desk_decide(request: Request, claim_id: PathId, session: SessionDep, who: StaffDep):
    try:
        svc.decide(session, who, claim_id, dt.date.today())
    except (InvalidInput, Conflict, UnknownParameter) as exc:
        session.rollback()
        return _claim_page(request, session, who, claim_id, error=error_text(exc),
                           status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/desk/benefits/{claim_id}?done=decided", status_code=303)


async def _desk_act(request: Request, session, who: Principal, claim_id: int, act, done: str):
    """Async only to read the form; the act and the page (database work) run in the thread pool."""
    form = await request.form()
    return await run_in_threadpool(_desk_acted, request, session, who, claim_id, act, done, form)


def _desk_acted(request: Request, session, who: Principal, claim_id: int, act, done: str, form):
    try:
        act(form)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _claim_page(request, session, who, claim_id, error=error_text(exc),
                           status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/desk/benefits/{claim_id}?done={done}", status_code=303)


@router.post("/desk/benefits/{claim_id}/withdraw")
async def desk_withdraw(request: Request, claim_id: PathId, session: SessionDep, who: StaffDep):
    """Withdrawn on the person's word (a letter, a call): the reason says so."""
    return await _desk_act(request, session, who, claim_id, lambda form: svc.withdraw(
        session, who, claim_id, dt.date.today(), str(form.get("reason", "") or "")[:500]), "withdrawn")


@router.post("/desk/benefits/{claim_id}/request-document")
async def desk_request_document(request: Request, claim_id: PathId, session: SessionDep, who: StaffDep):
    return await _desk_act(request, session, who, claim_id, lambda form: svc.request_document(
        session, who, claim_id, str(form.get("what", "") or "")[:1000], dt.date.today()), "requested")


@router.post("/desk/benefits/{claim_id}/document-received")
async def desk_document_received(request: Request, claim_id: PathId, session: SessionDep, who: StaffDep):
    return await _desk_act(request, session, who, claim_id, lambda form: svc.document_received(
        session, who, claim_id, dt.date.today()), "received")


@router.post("/desk/benefits/{claim_id}/remind")
async def desk_remind(request: Request, claim_id: PathId, session: SessionDep, who: StaffDep):
    """Charter art. 11: the person reminded of the information asked and still missing."""
    return await _desk_act(request, session, who, claim_id, lambda form: svc.send_reminder(
        session, who, claim_id, dt.date.today()), "reminded")


def _declarations(form: dict) -> dict:
    """The declarations typed on the desk's form: a field left empty is not recorded (what is on file stays)."""
    out: dict = {}
    for name in svc.DECLARATIONS:
        typ = DECLARATION[name][0]
        raw = form.get(name, "").strip()[:30]
        if not raw:
            continue
        if typ == NUMBER and len(raw) > 4:
            raise InvalidInput(name, "not a whole number: {value}", value=raw)
        out[name] = _typed(name, typ, raw)
    return out


@router.post("/desk/benefits/{claim_id}/declarations")
async def desk_declarations(request: Request, claim_id: PathId, session: SessionDep, who: StaffDep):
    """A bridging-right claimant's declarations received on paper, by phone or at the office, with the scan if any:
    the same checks as the person's own form (``benefits.service.complete_claim``)."""
    posted = await _posted(request, "scan", 12)

    def act(form):
        if posted.too_large:
            raise posted.too_large
        on = _day(form, "declared_on")
        if on is None:
            raise InvalidInput("declared_on", "the day the person declared it (YYYY-MM-DD)")
        svc.record_declarations(session, who, claim_id, _declarations(form), on, form.get("channel", ""),
                                dt.date.today(), posted.document)
    return await run_in_threadpool(_desk_acted, request, session, who, claim_id, act, "declared", posted.form)


@router.post("/desk/benefits/{claim_id}/set-off")
async def desk_set_off(request: Request, claim_id: PathId, session: SessionDep, who: StaffDep):
    """The person's agreement to a set-off against their contributions received in writing (a letter, a form signed
    at the office: the day, the scan, at most an amount), or its withdrawal — never an accountant's word."""
    posted = await _posted(request, "document", 8)
    withdraw = bool(posted.form.get("withdraw"))

    def act(form):
        if posted.too_large:
            raise posted.too_large
        today = dt.date.today()
        if withdraw:
            svc.withdraw_set_off(session, who, claim_id, today, _day(form, "withdrawn_on", today), posted.document)
            return
        svc.record_set_off_consent(session, who, claim_id, _day(form, "given_on"), form.get("channel", ""),
                                   form.get("max", "")[:20], posted.document, today)
    return await run_in_threadpool(_desk_acted, request, session, who, claim_id, act,
                                   "set_off_withdrawn" if withdraw else "set_off", posted.form)


@router.post("/desk/benefits/{claim_id}/verify")
async def desk_verify(request: Request, claim_id: PathId, session: SessionDep, who: StaffDep):
    """A caseworker's finding on a condition the fund's records could not answer (met or not, the day verified, a
    note, the proof scanned), then the claim decided again: ``record_check`` and ``decide``, as the CLI's
    ``benefits verify`` and ``benefits decide`` (a benefits officer of the file's team or a manager)."""
    posted = await _posted(request, "scan", 8)
    outcome: list = []

    def act(form):
        if posted.too_large:
            raise posted.too_large
        finding = form.get("finding", "")
        outcome.append(svc.record_verification(
            session, who, claim_id, form.get("condition", "")[:40],
            {"met": True, "not_met": False}.get(finding), _day(form, "verified_on"), dt.date.today(),
            form.get("note", "")[:1000], posted.document))

    def acted():
        page = _desk_acted(request, session, who, claim_id, act, "verified", posted.form)
        if outcome and outcome[0].decided:
            return RedirectResponse(f"/desk/benefits/{claim_id}?done=decided", status_code=303)
        if outcome and outcome[0].refusal is not None:
            return RedirectResponse(f"/desk/benefits/{claim_id}?done=verified_undecided", status_code=303)
        return page
    return await run_in_threadpool(acted)


def _notified_on(form) -> dt.date:
    raw = str(form.get("on", "") or "").strip()[:30]
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("on", "not a date (YYYY-MM-DD): {value!r}", value=raw) from None


@router.post("/desk/benefits/{claim_id}/notified")
async def desk_notified(request: Request, claim_id: PathId, session: SessionDep, who: StaffDep):
    """Charter art. 23: how and when the decision was notified (a registered letter, a letter posted later)."""
    return await _desk_act(request, session, who, claim_id, lambda form: svc.record_notification(
        session, who, claim_id, _notified_on(form), str(form.get("by", "") or "")[:20], dt.date.today()),
        "notified")


# --- desk: assimilation and continued-insurance requests ------------------------------------------------------------

def _desk_request_page(request: Request, session, who: Principal, request_id: int, error: str | None = None,
                       done: str | None = None, entered: dict | None = None,
                       status_code: int = 200) -> HTMLResponse:
    """One request as the desk sees it (the file's access check and need to know, the read audited:
    ``insurance_requests.read``) with what may be done next: forward it, record the institution's decision,
    withdraw it on the person's word."""
    r = ir.read(session, who, request_id)
    return _page(request, "desk_insurance_request.html", status_code=status_code, r=r, error=error, done=done,
                 entered=entered or {}, today=dt.date.today(), request_status=REQUEST_STATUS,
                 deadline=_case_deadline(session, r.case_id), quarters_text=ir.quarters_text, options=OPTION_LABEL,
                 facts=[(n, REQUEST_FIELD[n][1], r.facts.get(n)) for n in REQUEST_FIELDS[r.kind] if n in r.facts],
                 can_decide=who.role in ("benefits_officer", "manager"),
                 can_withdraw=who.role in ("caseworker", "benefits_officer", "manager"),
                 withdrawable=ir.WITHDRAWABLE, inasti=ir.INASTI)


REQUEST_DONE = "^(forwarded|decided|withdrawn)$"


@router.get("/desk/insurance-requests/{request_id}", response_class=HTMLResponse)
def desk_insurance_request(request: Request, request_id: PathId, session: SessionDep, who: StaffDep,
                           done: Annotated[str | None, Query(pattern=REQUEST_DONE)] = None) -> HTMLResponse:
    return _desk_request_page(request, session, who, request_id, done=done)


async def _desk_request_act(request: Request, session, who: Principal, request_id: int, act, done: str):
    """Async only to read the form; the act and the page (database work) run in the thread pool."""
    form = await request.form()
    entered = {k: str(v)[:2000] for k, v in form.items() if k != "csrf_token" and isinstance(v, str)}
    return await run_in_threadpool(_desk_request_acted, request, session, who, request_id, act, done, entered)


def _desk_request_acted(request: Request, session, who: Principal, request_id: int, act, done: str, entered: dict):
    try:
        act(entered)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _desk_request_page(request, session, who, request_id, error=error_text(exc), entered=entered,
                                  status_code=409 if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/desk/insurance-requests/{request_id}?done={done}", status_code=303)


def _day(form: dict, name: str, default: dt.date | None = None) -> dt.date | None:
    raw = form.get(name, "").strip()[:30]
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(name, "not a date (YYYY-MM-DD): {value!r}", value=raw) from None


@router.post("/desk/insurance-requests/{request_id}/forward")
async def desk_request_forward(request: Request, request_id: PathId, session: SessionDep, who: StaffDep):
    """Record the forwarding to the institution that decides (INASTI for a continued insurance; for an
    assimilation the officer names it). A benefits officer of the file's team or a manager."""
    def act(form):
        ir.forward(session, who, request_id, dt.date.today(), institution=form.get("institution") or None,
                   on=_day(form, "on"))
    return await _desk_request_act(request, session, who, request_id, act, "forwarded")


@router.post("/desk/insurance-requests/{request_id}/decision")
async def desk_request_decision(request: Request, request_id: PathId, session: SessionDep, who: StaffDep):
    """Record the institution's decision (granted for quarters, or refused with its reasons): the person gets the
    letter in their language, the case closes. A benefits officer of the file's team or a manager."""
    def act(form):
        decided_on = _day(form, "decided_on")
        if decided_on is None:
            raise InvalidInput("decided_on", "the day of the institution's decision (YYYY-MM-DD)")
        ir.record_decision(session, who, request_id, dt.date.today(), outcome=form.get("outcome", ""),
                           decided_on=decided_on, reference=form.get("reference", ""),
                           quarters=form.get("quarters") or None, reason=form.get("reason", ""))
    return await _desk_request_act(request, session, who, request_id, act, "decided")


@router.post("/desk/insurance-requests/{request_id}/withdraw")
async def desk_request_withdraw(request: Request, request_id: PathId, session: SessionDep, who: StaffDep):
    """Withdrawn on the person's word (a letter, a call): the reason says how they asked."""
    def act(form):
        ir.withdraw(session, who, request_id, dt.date.today(), form.get("reason", ""))
    return await _desk_request_act(request, session, who, request_id, act, "withdrawn")
