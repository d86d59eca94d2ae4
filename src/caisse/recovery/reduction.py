"""Reduction or increase of provisional contributions (réduction / augmentation des cotisations provisoires,
vermindering / vrijwillige verhoging van de voorlopige bijdragen, Herabsetzung / Erhöhung der vorläufigen Beiträge):
since 1-1-2022 the self-employed may choose the income their provisional contributions of a year are computed on,
justified by objective evidence, never below the category minimum; the fund decides (legislation.md §1.4, AR n° 38
art. 11 §3). Lowered: if the income proves higher, a surcharge follows at regularisation (legislation.md §4.3,
addendum §4.3: a SECONDARY source, the article of law was NOT found —
``rules.surcharges.unjustified_reduction_surcharge``, charged by ``batches.regularisation``). Raised ("pay more than
the provisional proposal to avoid a large regularisation; the surplus is set off at regularisation, excess
refunded", legislation.md §1.4 — the notes give no other condition, no minimum, and no article of its own): the
same request, named an increase (``direction``), no §4.3 surcharge.

The direction compares the estimate's quarterly contribution with the one the quarterly call computes without a
chosen income (the income of N-3 revalued, a starter's basis): what the law calls the provisional contribution. A
second request after a granted reduction is still a reduction while it stays below that (the surcharge still
applies), even though it raises what is called now. No such contribution to compare with (no income of N-3
known, not a starter): a reduction, the careful reading (its warning is shown, the surcharge rule applies).

1. **preview** (nothing written): what the provisional contribution of each quarter of the year becomes on the
   estimate — the quarterly call's own computation (``batches.quarterly_call.compute`` on the person's
   population of the quarter with the estimate in place), with the fee rate of the call already run for a quarter,
   the fund's current rate for the quarters to come — and an example of the surcharge;
2. **request**: the checks (each refusal naming its field, nothing written), then a case of kind ``reduction``
   (its deadline from cases/deadlines.yaml; it suspends the recovery batch) and a ``reduction_request`` row;
3. **decision** by a caseworker: granted → a ``professional_income`` row (source ``estimate``: the latest one wins,
   as ``batches.population`` reads it; the older ones stay as history), and for every quarter of the year already
   called a correction (kind ``charge``, key ``reduction/<id>/<period>``, naming the call it corrects): the
   contribution and management fee the call gives on the estimate minus what was charged for the quarter so far;
   the quarters still to call follow from the estimate by themselves. A primostarter's first quarter of activity keeps
   its art. 12 §1bis reduction (the call's computation takes it off); what of it the quarter's charges do not yet
   take off goes on a line of its own, as the regularisation does. Refused → motivated. Either way the request
   is answered in the person's language and a decision letter can be printed (``documents.reduction_letters``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caisse.batches.population import MISSING
from caisse.errors import Conflict, InvalidInput, NotFound, UnknownParameter
from caisse.ledger import DebtLine, charge, impute
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.money import fmt
from caisse.recovery.models import ReductionRequest
from caisse.recovery.reduction_texts import t
from caisse.rules import contributions as rc
from caisse.rules.explain import fmt_date, fmt_money
from caisse.rules.surcharges import ReductionSurchargeResult, unjustified_reduction_surcharge
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access, file_record
from caisse.services.calendar import Quarter
from caisse.store.models import Party, ProfessionalIncome

RULE = "AR n° 38 art. 11 §3 (reduction/increase)"  # the quarterly call's rule for a chosen income
FIRST_YEAR = 2022  # the free choice of the income exists since 1-1-2022 (legislation.md §1.4)
EXAMPLE_MORE = 1_000_000  # the surcharge example: the income proves 10,000.00 EUR higher than the estimate
CASE_SUBJECTS = {"reduction": "Reduction of provisional contributions {year}",
                 "increase": "Increase of provisional contributions {year}"}  # web.labels.CASE_SUBJECT_TEMPLATES
CASE_SUBJECT = CASE_SUBJECTS["reduction"]


@dataclass
class QuarterChange:
    """One quarter of the year: what the call charged (None: not called yet) and what it gives on the estimate."""

    period: str
    call_key: str | None
    new_contribution: int
    new_total: int  # with the management fee
    charged_contribution: int = 0
    charged_total: int = 0
    due_date: dt.date | None = None
    reference: str | None = None
    fee: Fraction | None = None
    reduction: int = 0  # the primostarter's first-quarter reduction the call takes off the quarter (art. 12 §1bis)
    reduction_parameter: str | None = None
    charged_reduction: int = 0  # the part of ``charged_contribution`` that is that reduction (<= 0)

    @property
    def regular(self) -> int:
        """The quarter's contribution on the estimate before the first-quarter reduction."""
        return self.new_contribution + self.reduction

    @property
    def called(self) -> bool:
        return self.call_key is not None

    @property
    def difference(self) -> int:
        return self.new_total - self.charged_total


@dataclass
class Preview:
    party_id: int
    year: int
    estimate: int
    category: str
    quarters: list[QuarterChange]
    quarterly: int  # the provisional contribution of a quarter on the estimate, without fee
    quarterly_total: int  # with the management fee
    example_income: int
    example: ReductionSurchargeResult = field(repr=False)
    primostarter: bool = False  # the year's quarters are a primostarter's (its reduced minimum applies)
    # the same quarter as ``quarterly`` as the call computes it without a chosen income (N-3 revalued, a starter's
    # basis) and the income it rests on; None: nothing to base it on (no income of N-3 known, not a starter)
    default_quarterly: int | None = None
    default_basis: int | None = None
    # what the call computes for it today (an estimate granted earlier in place), without / with the fee
    current_quarterly: int | None = None
    current_quarterly_total: int | None = None

    @property
    def direction(self) -> str:
        """``increase`` when the estimate raises the provisional contribution above what the call computes without a
        chosen income (ties: the higher income), else ``reduction`` (also when there is nothing to compare with)."""
        if self.default_quarterly is None:
            return "reduction"
        if self.quarterly != self.default_quarterly:
            return "increase" if self.quarterly > self.default_quarterly else "reduction"
        return "increase" if self.default_basis is not None and self.estimate > self.default_basis else "reduction"

    @property
    def chosen_before(self) -> bool:
        """An estimate granted earlier is in place: what is called now differs from the default."""
        return self.current_quarterly is not None and self.current_quarterly != self.default_quarterly

    @property
    def corrections(self) -> list[QuarterChange]:
        return [q for q in self.quarters if q.called and q.difference]

    @property
    def start_quarter(self) -> int | None:
        """The primostarter's first quarter of activity, when it is in the year (its contribution is reduced)."""
        return next((int(q.period[-1]) for q in self.quarters if q.reduction), None)


def _fee_of_call(session: Session, q: Quarter) -> tuple[Fraction | None, bool]:
    """The fee rate and estimates switch the quarterly call of ``q`` was run with (the fund's rate if not run)."""
    from caisse.batches.models import BatchRun
    from caisse.batches.quarterly_call import fee_fraction

    params = session.scalar(select(BatchRun.params).where(BatchRun.key == f"quarterly-call/{q}"))
    if params is None:
        return fee_fraction(None), False
    fee = params.get("fee_rate")
    return (None if fee is None else Fraction(fee)), bool(params.get("allow_estimates"))


def _charged(session: Session, party_id: int, period: str) -> tuple[int, int, int]:
    """(contribution, contribution + fee, the first-quarter reduction taken off) charged for ``period``: the call and
    its corrections (kind charge)."""
    from caisse.batches.quarterly_call import REDUCTION_PARAMETER

    e, tr = LedgerEntry, LedgerTransaction
    # the reduction's parameter, alone or ``name@value date``: exactly (LIKE would read the name's ``_`` as any
    # character)
    first = (e.account == "contribution") & ((e.parameter == REDUCTION_PARAMETER) |
                                             e.parameter.startswith(f"{REDUCTION_PARAMETER}@", autoescape=True))
    row = session.execute(
        select(func.coalesce(func.sum(sql_case((e.account == "contribution", e.amount_cents), else_=0)), 0),
               func.coalesce(func.sum(e.amount_cents), 0),
               func.coalesce(func.sum(sql_case((first, e.amount_cents), else_=0)), 0))
        .join(tr, tr.id == e.transaction_id)
        .where(e.party_id == party_id, e.period == period, tr.kind == "charge",
               e.account.in_(("contribution", "management_fee")))).one()
    return int(row[0]), int(row[1]), int(row[2])


def _call(session: Session, party_id: int, q: Quarter) -> tuple[str, dt.date, str | None] | None:
    """(key, due date, reference) of the quarterly call of ``q`` for the person, None if not called."""
    from caisse.batches.quarterly_call import call_key

    key = call_key(q, party_id)
    row = session.execute(
        select(func.min(LedgerEntry.due_date), LedgerTransaction.reference)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerTransaction.key == key, LedgerEntry.account == "contribution")
        .group_by(LedgerTransaction.reference)).first()
    return None if row is None else (key, row[0], row[1])


KEEP = -2  # ``_call_computation``: the estimate on file stays (what is called today)


def _call_computation(session: Session, party_id: int, q: Quarter, estimate: int, fee: Fraction | None,
                      allow_estimates: bool):
    """(the quarterly call's computation, its summary) for the person and ``q``: on ``estimate`` (cents),
    ``population.MISSING`` for none (the income of N-3 revalued, a starter's basis), ``KEEP`` for the estimate on
    file; None when the person does not count for the quarter (not affiliated, no category)."""
    from caisse.batches.framework import Summary
    from caisse.batches.population import NO_CATEGORY, load_quarter
    from caisse.batches.quarterly_call import compute

    pop = load_quarter(None, q, person=party_id, connection=session.connection())
    if not len(pop) or pop.category[0] == NO_CATEGORY:
        return None
    if estimate != KEEP:
        pop.estimate[:] = estimate
    summary = Summary(key=f"reduction/{party_id}", kind="reduction")
    return compute(pop, fee, summary, allow_estimates=allow_estimates), summary


def _regular_quarter(session: Session, party_id: int, q: Quarter, estimate: int, fee: Fraction | None,
                     allow_estimates: bool) -> tuple[int, int, int] | None:
    """(regular contribution, with fee, the income it rests on) of ``q`` as ``_call_computation`` gives it — the
    primostarter's first-quarter reduction left out, as ``Preview.quarterly`` —; None when nothing can be computed
    (no income to base it on)."""
    found = _call_computation(session, party_id, q, estimate, fee, allow_estimates)
    if found is None or not found[0].kind[0]:
        return None
    calc = found[0]
    reduction = int(calc.reduction[0]) if calc.reduction is not None else 0
    regular = int(calc.contribution[0]) + reduction
    return regular, rc.with_fee(regular, fee) if reduction else int(calc.total[0]), int(calc.basis[0])


def _on_estimate(session: Session, party_id: int, q: Quarter, estimate: int, fee: Fraction | None,
                 allow_estimates: bool) -> tuple[int, int, int, int, str | None, bool] | None:
    """(contribution, with fee, category code, first-quarter reduction taken off, its parameter, primostarter?) the
    quarterly call gives for ``q`` on ``estimate``; None when the person does not count for the quarter (not
    affiliated, no category)."""
    found = _call_computation(session, party_id, q, estimate, fee, allow_estimates)
    if found is None:
        return None
    calc, summary = found
    if not calc.kind[0]:
        raise InvalidInput("year", "the provisional contribution of {quarter} cannot be computed: {why}",
                           quarter=str(q), why="; ".join(summary.skipped) or "—")
    pop = calc.pop
    reduction = int(calc.reduction[0]) if calc.reduction is not None else 0
    return (int(calc.contribution[0]), int(calc.total[0]), int(pop.category[0]), reduction,
            calc.params.get("reduction"), bool(pop.primostarter[0]))


def _estimate(value: object) -> int:
    if type(value) is not int:
        raise InvalidInput("estimate", "an amount in cents is expected")
    if value < 0:
        raise InvalidInput("estimate", "an income cannot be negative (a loss counts as 0)")
    if value > rc.MAX_INCOME_CENTS:
        raise InvalidInput("estimate", "implausibly large income")
    return value


def _justification(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("justification", "say on what the estimate rests (objective evidence: figures, orders, "
                                            "an accountant's statement)")
    if len(text) > 2000 or "\x00" in text:
        raise InvalidInput("justification", "at most 2000 characters of plain text")
    return text


def _check_year(session: Session, party_id: int, year: object, today: dt.date,
                request_id: int | None = None) -> int:
    if type(year) is not int:
        raise InvalidInput("year", "a year is expected")
    if year < max(FIRST_YEAR, today.year):
        raise InvalidInput("year", "{year} is over: its contributions are settled by the regularisation on the real "
                                   "income (a chosen income exists for the current or next year, since 2022)",
                           year=year)
    if year > today.year + 1:
        raise InvalidInput("year", "{year} is too far ahead: a reduction or an increase is asked for this year or "
                                   "the next",
                           year=year)
    try:
        rc.year_params(year)
    except UnknownParameter:
        raise InvalidInput("year", "the contribution figures of {year} are not published yet: ask again once they "
                                   "are", year=year) from None
    taxed = session.scalar(select(func.count()).select_from(ProfessionalIncome).where(
        ProfessionalIncome.person_id == party_id, ProfessionalIncome.year == year, ProfessionalIncome.source == "tax"))
    regularised = session.scalar(select(func.count()).select_from(LedgerTransaction).where(
        LedgerTransaction.key.like(f"regularisation/{year}/{party_id}/%")))
    if taxed or regularised:
        raise Conflict("year", "the income {year} is known from the tax administration: the year is regularised on "
                               "it, no reduction or increase any more", year=year)
    pending = session.scalar(select(ReductionRequest.id).where(
        ReductionRequest.party_id == party_id, ReductionRequest.year == year,
        ReductionRequest.status.in_(("requested", "awaiting_approval")),
        ReductionRequest.id != (request_id or 0)).limit(1))
    if pending:
        raise Conflict("year", "a request to change the provisional contributions of {year} is already "
                               "waiting for a decision (request {request})", year=year, request=pending)
    return year


def preview(session: Session, party_id: int, year: object, estimate: object, today: dt.date, *,
            request_id: int | None = None) -> Preview:
    """What the reduction would change (nothing written); every check of a request, each naming its field."""
    if session.get(Party, party_id) is None:
        raise NotFound("file", party_id)
    estimate = _estimate(estimate)
    year = _check_year(session, party_id, year, today, request_id)
    quarters: list[QuarterChange] = []
    category = None
    primostarter = False
    for k in range(1, 5):
        q = Quarter(year, k)
        called = _call(session, party_id, q)
        fee, estimates = _fee_of_call(session, q)
        amounts = _on_estimate(session, party_id, q, estimate, fee, estimates)
        if amounts is None:
            continue
        new_c, new_t, category, first, first_parameter, primo = amounts
        primostarter |= primo
        change = QuarterChange(str(q), None, new_c, new_t, fee=fee, reduction=first,
                               reduction_parameter=first_parameter)
        if called is not None:
            change.call_key, change.due_date, change.reference = called
            change.charged_contribution, change.charged_total, change.charged_reduction = _charged(
                session, party_id, str(q))
        quarters.append(change)
    if category is None:
        raise InvalidInput("year", "not affiliated in {year} in a category with provisional contributions",
                           year=year)
    shown = next((c for c in quarters if not c.called), quarters[-1])
    word = rc.CATEGORIES[category]
    example_income = estimate + EXAMPLE_MORE
    definitive = rc.contribution(year, word, example_income).annual
    # a quarter's contribution on the estimate: the regular one (not a primostarter's reduced first quarter)
    quarterly = shown.regular
    example = unjustified_reduction_surcharge(year, definitive, 4 * quarterly, 0)
    q = Quarter(year, int(shown.period[-1]))
    fee, estimates = _fee_of_call(session, q)
    default = _regular_quarter(session, party_id, q, MISSING, fee, estimates)
    current = _regular_quarter(session, party_id, q, KEEP, fee, estimates)
    return Preview(party_id, year, estimate, word, quarters, quarterly,
                   rc.with_fee(quarterly, shown.fee) if shown.reduction else shown.new_total, example_income, example,
                   primostarter, default_quarterly=default and default[0], default_basis=default and default[2],
                   current_quarterly=current and current[0], current_quarterly_total=current and current[1])


def request(session: Session, who: Principal, party_id: int, year: object, estimate: object, justification: str,
            today: dt.date, documents: list[tuple[str | None, bytes | None]] = ()) -> ReductionRequest:
    """The person (or the fund for them) asks the reduction or increase: checked, a ``reduction`` case opened (its
    subject naming the direction), recorded.
    ``documents``: the evidence chosen with it (PDF or JPEG, ``(name, bytes)``), added to the request's case
    (``cases.attachments``: the caseworker deciding it reads them there); a refusal of any of them — the checks of
    every upload, ``services.uploads`` — writes nothing."""
    from caisse.cases import attachments
    from caisse.cases import service as cases
    from caisse.security import authz

    if who.role not in cases.PERSON_SIDE | cases.HANDLERS:
        raise authz.Forbidden(f"{who.role} may not ask a reduction")
    file_access(session, who, "file.read", party_id)
    justification = _justification(justification)
    documents = list(documents)
    if documents:
        attachments.checked(documents)  # before anything is written
    p = preview(session, party_id, year, estimate, today)
    body = f"{p.direction.capitalize()}: year={p.year} estimate={fmt(p.estimate)}\n\n{justification}"
    c = cases.open_case(session, who, party_id, "reduction", CASE_SUBJECTS[p.direction].format(year=p.year), body,
                        today, channel="portal" if who.role in cases.PERSON_SIDE else "office")
    r = ReductionRequest(party_id=party_id, case_id=c.id, year=p.year, estimate_cents=p.estimate,
                         justification=justification, status="requested", requested_on=today,
                         requested_by=str(who), direction=p.direction)
    session.add(r)
    session.flush()
    audit.record(session, who, "request", "reduction_request", r.id, party_id=party_id,
                 detail={"year": p.year, "estimate": fmt(p.estimate), "direction": p.direction,
                         "documents": len(documents)})
    if documents:
        attachments.add(session, who, c.id, documents, today)
    return r


def of_case(session: Session, case_id: int) -> ReductionRequest:
    r = session.scalar(select(ReductionRequest).where(ReductionRequest.case_id == case_id))
    if r is None:
        raise InvalidInput("case", "this request carries no reduction or increase to decide (caisse recovery "
                                    "reduction-request)")
    return r


def get(session: Session, who: Principal, request_id: int, action: str = "file.read", *,
        audit_as: str | None = "reduction_request", what: str | None = None) -> ReductionRequest:
    """A reduction request, once ``who`` may do ``action`` on the file (``affiliation.file_record``: the role first,
    an affiliate or accountant refused alike for another file's request and for one that does not exist, then the
    file's team and need to know); the access audited on ``audit_as`` (``what`` was read, the need-to-know reason)
    — ``None``: the caller audits what it does."""
    return file_record(session, who, ReductionRequest, request_id, action, thing="reduction request",
                       owner="party_id", audit_as=audit_as, what=what)[0]


def decide(session: Session, who: Principal, request_id: int, granted: bool, motivation: str,
           today: dt.date) -> ReductionRequest:
    """A caseworker's decision. Refused: ``motivation`` says why. Granted: the estimate written and the quarters
    already called corrected — at once when what the grant takes off the quarters already called is within the
    four-eyes threshold (as payment plans, ``services.approvals``), else once a manager who did not decide approves
    (``execute_approved``; a rejection refuses the request with the manager's note). The request is answered in
    the person's language when it is granted or refused."""
    from caisse.cases import service as cases
    from caisse.services import approvals

    r = get(session, who, request_id, "recovery.manage", audit_as=None)
    if r.status != "requested":
        raise Conflict("request", "request {request} is already {status}", request=r.id, status=r.status)
    motivation = (motivation or "").strip()
    if len(motivation) > 2000 or "\x00" in motivation:
        raise InvalidInput("motivation", "at most 2000 characters of plain text")
    if not granted and not motivation:
        raise InvalidInput("motivation", "a refusal is motivated: say why (it is written to the person)")
    r.decided_by, r.motivation = str(who), motivation or None
    if not granted:
        _settle(session, r, False, today)
        return r
    p = preview(session, r.party_id, r.year, r.estimate_cents, today, request_id=r.id)
    lowered = sum(max(0, c.charged_total - c.new_total) for c in p.corrections)
    if lowered <= 0:  # nothing already called is given up: no second pair of eyes needed
        _grant(session, r, today)
        return r
    r.status = "awaiting_approval"
    approval = approvals.submit(session, who, "reduction", r.party_id, lowered, {"reduction_request_id": r.id},
                                motivation or f"{r.direction} of the provisional contributions {r.year} on the "
                                              f"estimate {fmt(r.estimate_cents)} EUR (request {r.id})", today)
    r.approval_id = approval.id
    if approval.status == "pending":
        cases.write(session, who, r.case_id, f"{r.direction} granted by {who}: {fmt(lowered)} EUR off the quarters "
                                             "already called, waiting for a second person's approval (four eyes)",
                    today, internal=True)
    return r


def execute_approved(session: Session, approval, today: dt.date) -> str:
    """Called by ``services.approvals`` once a grant is approved (or under the threshold): the grant executed."""
    r = session.get(ReductionRequest, approval.payload["reduction_request_id"])
    if r is None:
        raise NotFound("reduction request", approval.payload["reduction_request_id"])
    if r.status != "awaiting_approval":
        raise Conflict("status", "request {request} is already {status}", request=r.id, status=r.status)
    _grant(session, r, today)
    return f"reduction/{r.id}"


def reject_approved(session: Session, approval, today: dt.date) -> None:
    """A manager rejected the grant (four eyes): the request is refused with the manager's note."""
    r = session.get(ReductionRequest, approval.payload["reduction_request_id"])
    if r is not None and r.status == "awaiting_approval":
        r.motivation = approval.decision_note or "not approved (four eyes)"
        _settle(session, r, False, today)


def _grant(session: Session, r: ReductionRequest, today: dt.date) -> None:
    """The estimate written (the latest wins), the quarters already called corrected, the credit released."""
    p = preview(session, r.party_id, r.year, r.estimate_cents, today, request_id=r.id)
    income = ProfessionalIncome(person_id=r.party_id, year=r.year, amount_cents=r.estimate_cents, source="estimate",
                                assessed_on=today)
    session.add(income)
    session.flush()
    r.income_id, r.quarterly_cents, r.quarterly_total_cents = income.id, p.quarterly, p.quarterly_total
    r.corrections = [_correct(session, r, c, today) for c in p.corrections]
    if any(c["new"] < c["charged"] for c in r.corrections):  # lowered: what was paid on it goes to credit
        impute(session, r.party_id, f"reduction/{r.id}/imputation", today)
    _settle(session, r, True, today)


def _settle(session: Session, r: ReductionRequest, granted: bool, today: dt.date) -> None:
    from caisse.cases import service as cases

    r.status, r.decided_on = ("granted" if granted else "refused"), today
    audit.record(session, Principal.system("recovery"), "decide", "reduction_request", r.id, party_id=r.party_id,
                 detail={"granted": granted, "corrections": len(r.corrections or []), "by": r.decided_by})
    lang = _lang(session, r.party_id)
    cases.answer(session, Principal.system("recovery"), r.case_id, "\n\n".join(
        text for style, text in decision_lines(session, r, lang) if style != "small"), today)


def _correct(session: Session, r: ReductionRequest, c: QuarterChange, today: dt.date) -> dict:
    """The correction of one quarter already called: the call's amounts on the estimate minus what was charged."""
    from caisse.batches.quarterly_call import FEE_RULE, REDUCTION_PARAMETER, REDUCTION_RULE, fee_text

    d_c = c.new_contribution - c.charged_contribution
    d_f = c.difference - d_c
    d_first = -c.reduction - c.charged_reduction  # the first-quarter reduction not yet (or no longer) taken off
    key = f"reduction/{r.id}/{c.period}"
    calc = {"year": r.year, "quarter": int(c.period[-1]), "chosen_income": r.estimate_cents,
            "called": c.charged_contribution, "new": c.new_contribution, "request": r.id}
    if c.reduction:
        calc["first_quarter_reduction"] = c.reduction
    text = (f"correction {c.period}: provisional contribution on the income chosen by the affiliate "
            f"{fmt(r.estimate_cents)} ({r.direction} request {r.id}, granted {today.isoformat()}) "
            f"{fmt(c.new_contribution)} − called {fmt(c.charged_contribution)} = {fmt(d_c)}")
    if c.reduction:
        text += f" (primostarter first quarter of activity, reduced by {fmt(c.reduction)})"
    # the quarter's "new − called" goes on its first line posted: the estimate's line, else (the estimate changed
    # nothing but the reduction or the fee; no zero entry is posted) the next line carries it too
    lines = []
    if d_c - d_first:
        lines.append(DebtLine("contribution", d_c - d_first, RULE, f"estimate@{r.year}", {"text": text, "calc": calc}))
    if d_first:
        own = (f"primostarter first-quarter reduction {c.period}: {fmt(-c.reduction)} − already taken off "
               f"{fmt(c.charged_reduction)} = {fmt(d_first)}")
        lines.append(DebtLine("contribution", d_first, REDUCTION_RULE, c.reduction_parameter or REDUCTION_PARAMETER, {
            "text": own if lines else f"{text}; {own}", "calc": calc, "step": rc.FIRST_QUARTER_STEP}))
    if d_f:
        own = (f"management fee on the correction {c.period}: {fmt(c.new_total - c.new_contribution)} − called "
               f"{fmt(c.charged_total - c.charged_contribution)} = {fmt(d_f)}")
        lines.append(DebtLine("management_fee", d_f, FEE_RULE,
                              None if c.fee is None else f"management_fee_rate={fee_text(c.fee)}",
                              {"text": own} if lines else {"text": f"{text}; {own}", "calc": calc}))
    charge(session, key, r.party_id, c.period, c.due_date, today, lines,
           description=f"Correction of the quarterly call {c.period}: {r.direction} of provisional contributions",
           reference=c.reference, corrects=c.call_key)
    return {"period": c.period, "key": key, "charged": c.charged_total, "new": c.new_total}


def _lang(session: Session, party_id: int) -> str:
    lang = session.get(Party, party_id).language
    return lang if lang in ("fr", "nl", "de") else "fr"


def warning_lines(year: int, estimate: int, example_income: int, example: ReductionSurchargeResult,
                  lang: str) -> list[tuple[str, str]]:
    """The §4.3 warning with its example (the portal's form and the decision letter)."""
    return [("heading", t("warning_title", lang)), ("text", t("warning", lang, year=year)),
            ("text", t("example", lang, year=year, income=fmt_money(example_income, lang),
                       estimate=fmt_money(estimate, lang), definitive=fmt_money(example.definitive, lang),
                       reduced=fmt_money(example.reduced_provisional, lang),
                       surcharge=fmt_money(example.total, lang))),
            ("small", t("source", lang))]


def increase_lines(year: int, lang: str) -> list[tuple[str, str]]:
    """What raising one's provisional contributions does (legislation.md §1.4, §2): the portal's form and the
    decision letter of an increase."""
    return [("heading", t("increase_title", lang)), ("text", t("increase", lang, year=year)),
            ("text", t("increase_refund", lang, year=year)), ("small", t("increase_source", lang))]


def decision_lines(session: Session, r: ReductionRequest, lang: str) -> list[tuple[str, str]]:
    """(style, text) of the decision letter, from the stored request: a reduction with the §4.3 warning, an increase
    with what it avoids and what happens to what proves too much."""
    from caisse.config import get_settings

    settings = get_settings()
    granted = r.status == "granted"
    increase = r.direction == "increase"
    suffix = "_increase" if increase else ""
    out = [("title", t(("title_granted" if granted else "title_refused") + suffix, lang, year=r.year)),
           ("text", t("intro", lang, requested=fmt_date(r.requested_on, lang), year=r.year,
                      estimate=fmt_money(r.estimate_cents, lang), justification=r.justification,
                      decided=fmt_date(r.decided_on, lang) if r.decided_on else "—"))]
    if granted:
        out.append(("bold", t("granted", lang, year=r.year, quarterly=fmt_money(r.quarterly_cents, lang),
                              total=fmt_money(r.quarterly_total_cents, lang))))
        if r.motivation:
            out.append(("text", r.motivation))
        if r.corrections:
            out.append(("text", t("corrections", lang)))
            out += [("text", t("correction_line", lang, period=c["period"], charged=fmt_money(c["charged"], lang),
                               new=fmt_money(c["new"], lang), difference=fmt_money(c["new"] - c["charged"], lang)))
                    for c in r.corrections]
        if increase:
            out += increase_lines(r.year, lang)
        else:
            word = _category_of(session, r)
            example_income = r.estimate_cents + EXAMPLE_MORE
            example = unjustified_reduction_surcharge(r.year, rc.contribution(r.year, word, example_income).annual,
                                                      4 * r.quarterly_cents, 0)
            out += warning_lines(r.year, r.estimate_cents, example_income, example, lang)
    else:
        out.append(("bold", t("refused", lang, why=r.motivation or "—", year=r.year)))
    out += [("text", t("appeal", lang)),
            ("text", t("contact" + suffix, lang, file=r.party_id, request=r.id, phone=settings.fund_phone,
                       email=settings.fund_email)),
            ("small", t("law" + suffix, lang))]
    return out


def _category_of(session: Session, r: ReductionRequest) -> str:
    from caisse.benefits.service import category_on

    for k in (4, 3, 2, 1):
        q = Quarter(r.year, k)
        word = category_on(session, r.party_id, q.last_day) or category_on(session, r.party_id, q.first_day)
        if word:
            return word
    return "main"


def requests_of(session: Session, who: Principal, party_id: int) -> list[ReductionRequest]:
    file_access(session, who, "file.read", party_id)
    return list(session.scalars(select(ReductionRequest).where(ReductionRequest.party_id == party_id)
                                .order_by(ReductionRequest.id)))
