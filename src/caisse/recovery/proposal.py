"""A payment plan the person asks in the portal: a schedule built from the fund's plan rules, checked exactly like
a plan a caseworker enters (``service.check_plan``), with the surcharges that keep running during the plan shown
before the person asks (art. 44 AR 19-12-1967: a plan does not stop them; the person may ask their waiver once the
contributions are paid).

The schedule: a down payment of the fund's minimum share (``payment_plan_down_payment``, rounded up) due
``FIRST_DUE_DAYS`` after the request, then equal monthly instalments (the last one takes the cents left), over
2 to ``payment_plan_max_months`` months. The request is a case of kind ``payment_plan`` whose text carries the
schedule in the command line's form (``Schedule: 2026-12-16:300.00,…``), so the caseworker grants exactly what
was asked (``schedule_of_case``: the first line of the request, written by the fund's page, never the words the person
adds after it) and the person's words stay the record.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.errors import InvalidInput
from caisse.ledger import open_items
from caisse.money import fmt
from caisse.recovery.policy import policy
from caisse.recovery.service import Instalment, check_plan, down_payment, owed, parse_schedule
from caisse.rules.contributions import quarter_end
from caisse.rules.params import load as load_params
from caisse.rules.params import round_half_up_cents
from caisse.services.calendar import add_months
from caisse.texts import T_, Text

FIRST_DUE_DAYS = 14  # the down payment: two weeks to organise the transfer (fund practice, not a legal period)
_SCHEDULE = re.compile(r"Schedule: (\S+)$")


@dataclass
class Proposal:
    months: int
    max_months: int
    debt: int  # everything due today (principal, surcharges, costs)
    contribution: int  # of which contributions (the surcharge base)
    schedule: list[Instalment] = field(default_factory=list)
    surcharges: list[tuple[dt.date, int]] = field(default_factory=list)  # estimated, each quarter end in the plan
    refusal: Text | None = None  # why no plan can be asked now (the check's own words, caisse.texts)

    @property
    def surcharge_total(self) -> int:
        return sum(a for _d, a in self.surcharges)


def schedule_text(schedule: list[Instalment]) -> str:
    """The form ``service.parse_schedule`` (and ``caisse recovery plan --schedule``) reads."""
    return ",".join(f"{i.due_date.isoformat()}:{fmt(i.amount_cents)}" for i in schedule)


def build_schedule(debt: int, months: int, today: dt.date, down_share: Fraction) -> list[Instalment]:
    down = down_payment(debt, down_share)
    first = today + dt.timedelta(days=FIRST_DUE_DAYS)
    rest, n = debt - down, months - 1
    out = [Instalment(first, down)]
    for k in range(1, n + 1):
        amount = rest // n if k < n else rest - (rest // n) * (n - 1)
        out.append(Instalment(add_months(first, k), amount))
    return [i for i in out if i.amount_cents > 0]


def _surcharges(debt: int, contribution: int, this_year: int, schedule: list[Instalment],
                today: dt.date) -> list[tuple[dt.date, int]]:
    """3 % at every quarter end of the plan on the contributions still unpaid then (instalments settle the debt in
    proportion: an estimate), and 7 % once on 1 January on last year's contributions still unpaid."""
    params = load_params()
    q_rate = Fraction(params.get("late_surcharge_quarterly_rate", today).value)
    y_rate = Fraction(params.get("late_surcharge_annual_rate", today).value)
    out = []
    end = quarter_end(today)
    while end < schedule[-1].due_date:
        paid = sum(i.amount_cents for i in schedule if i.due_date <= end)
        left = Fraction(max(0, debt - paid), debt)
        base = contribution * left
        out.append((end, round_half_up_cents(base / 100 * q_rate)))
        jan = end + dt.timedelta(days=1)
        if jan.month == 1 and jan < schedule[-1].due_date and this_year:
            out.append((jan, round_half_up_cents(this_year * left / 100 * y_rate)))
        end = quarter_end(jan)
    return [(d, a) for d, a in out if a > 0]


def propose(session: Session, party_id: int, months: int, today: dt.date) -> Proposal:
    """The plan the person would ask today over ``months`` months (nothing written)."""
    p = policy(today)
    if not 2 <= months <= p.plan_max_months:
        raise InvalidInput("months", "a plan lasts from 2 to {most} months", most=p.plan_max_months)
    _principal, debt = owed(session, party_id, today)
    due = [b for b in open_items(session, party_id) if b.account == "contribution" and b.due_date
           and b.due_date <= today]
    contribution = sum(b.balance_cents for b in due)
    this_year = sum(b.balance_cents for b in due if b.due_date.year == today.year)
    proposal = Proposal(months, p.plan_max_months, debt, contribution)
    if debt <= 0:
        proposal.refusal = T_("nothing is due: a plan covers only debts already due")
        return proposal
    proposal.schedule = build_schedule(debt, months, today, p.plan_down_payment)
    try:
        check_plan(session, party_id, proposal.schedule, today)
    except InvalidInput as exc:
        proposal.refusal = exc.text
        return proposal
    proposal.surcharges = _surcharges(debt, contribution, this_year, proposal.schedule, today)
    return proposal


def view(session: Session, who, party_id: int, months: int, today: dt.date) -> Proposal:
    """The proposal page of the portal: the person's (or their mandatary's) own file only; the read is audited."""
    from caisse.services import audit
    from caisse.services.affiliation import file_access

    file_access(session, who, "file.read", party_id)
    proposal = propose(session, party_id, months, today)
    audit.record(session, who, "read", "payment_plan_proposal", party_id, party_id=party_id,
                 detail={"months": months})
    return proposal


def ask(session: Session, who, party_id: int, months: int, today: dt.date, words: str):
    """The person asks the plan proposed over ``months`` months: a ``payment_plan`` request (case) whose text
    carries the schedule; refused with the check's reason when no plan can be asked."""
    from caisse.cases import service as cases

    proposal = view(session, who, party_id, months, today)
    if proposal.refusal:
        raise InvalidInput("months", proposal.refusal)
    body = f"Schedule: {schedule_text(proposal.schedule)}\n\n{words.strip()}"  # the schedule first: the words
    # the person adds can never stand in for it (``schedule_of_case`` reads the first line only)
    return cases.open_case(session, who, party_id, "payment_plan", f"Payment plan, {months} months", body, today)


def schedule_of_case(session: Session, case_id: int) -> list[Instalment]:
    """The schedule the person asked in a ``payment_plan`` request (the first message of the case)."""
    from caisse.cases.models import CaseMessage

    first = session.scalars(select(CaseMessage.body).where(CaseMessage.case_id == case_id)
                            .order_by(CaseMessage.id).limit(1)).first()
    found = _SCHEDULE.match((first or "").split("\n", 1)[0])
    if not found:
        raise InvalidInput("schedule", "this request carries no schedule: enter the plan by hand "
                                       "(caisse recovery plan)")
    return parse_schedule(found.group(1))
