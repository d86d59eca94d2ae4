"""The known small fund of ``story.build``, plus what the statistics count: two companies and their 2025
contribution (one paid, one not, with a surcharge), payment plans in every state, recovery files, benefit claims
granted, refused, paid by the mutuality and pending, and the cases people opened with their answers.

Every date and amount the statistics tests expect is written here by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from story import Story, build

from caisse.benefits.models import BenefitClaim
from caisse.cases.models import Case, CaseMessage
from caisse.ledger import DebtLine, charge, grant_benefit, payout, receive_payment
from caisse.recovery.models import PaymentPlan, PaymentPlanInstalment, RecoveryFile, RecoveryStep
from caisse.store.db import session_scope

D = dt.date
COMPANY = 87000  # the 2025 company contribution of each company (cents)


@dataclass
class Stats:
    st: Story
    paying_company: int
    owing_company: int


def _plan(s, party, status, requested, debt, schedule, activated=None, ended=None):
    plan = PaymentPlan(party_id=party, status=status, requested_on=requested, debt_cents=debt,
                       down_payment_cents=schedule[0][1], months=len(schedule), reason="test", requested_by="test",
                       activated_on=activated, ended_on=ended)
    s.add(plan)
    s.flush()
    for seq, (due, amount) in enumerate(schedule):
        s.add(PaymentPlanInstalment(plan_id=plan.id, seq=seq, due_date=due, amount_cents=amount))
    return plan


def _steps(s, party, steps):
    f = RecoveryFile(party_id=party, cycle=1, stage=steps[-1][1], stage_since=steps[-1][2], opened_on=steps[0][2])
    s.add(f)
    s.flush()
    previous = None
    for event, stage, on in steps:
        s.add(RecoveryStep(key=f"test/{party}/{stage}/{on}", file_id=f.id, party_id=party, cycle=1, event=event,
                           from_stage=previous, to_stage=stage, on=on, actor="test", reason="test", amount_cents=0,
                           language="fr"))
        previous = stage


def _claim(s, person, kind, received, due, *, outcome=None, decided=None, amount=None, payer=None,
           payment_due=None, bridging_case=None):
    status = {"granted": "granted", "refused": "refused", None: "application"}[outcome]
    c = BenefitClaim(person_id=person, kind=kind, bridging_case=bridging_case, facts={}, period_start=received,
                     period_end=received + dt.timedelta(days=30), received_on=received, decision_due=due,
                     status=status, outcome=outcome, decided_on=decided, amount_cents=amount, payer=payer,
                     payment_due=payment_due, created_by="test")
    s.add(c)
    s.flush()
    if outcome == "granted" and payer == "fund":
        c.ledger_key = f"benefit/claim/{c.id}"
        grant_benefit(s, c.ledger_key, person, "2025Q2", amount, decided, rule="test")
    return c


def _case(s, party, kind, channel, opened, deadline, *, first_out=None, answered=None, closed=None, status=None):
    status = status or ("closed" if closed else "answered" if answered else "open")
    c = Case(party_id=party, kind=kind, channel=channel, subject="test subject", status=status, opened_on=opened,
             deadline=deadline, answered_on=answered, closed_on=closed, created_by="test")
    s.add(c)
    s.flush()
    s.add(CaseMessage(case_id=c.id, direction="in", author="test", body="asked",
                      at=dt.datetime.combine(opened, dt.time(9, 0))))
    if first_out:
        s.add(CaseMessage(case_id=c.id, direction="out", author="test", body="first answer",
                          at=dt.datetime.combine(first_out, dt.time(15, 30))))
    if answered and answered != first_out:
        s.add(CaseMessage(case_id=c.id, direction="out", author="test", body="decision",
                          at=dt.datetime.combine(answered, dt.time(11, 0))))
    return c


def build_stats(fund) -> Stats:
    st = build(fund)
    url = fund.url
    paying = fund.company(start=D(2020, 1, 1))
    owing = fund.company(start=D(2020, 1, 1))
    with session_scope(url) as s:
        for company in (paying, owing):
            charge(s, f"test/company/{company}/2025", company, "2025", D(2025, 6, 30), D(2025, 3, 1),
                   [DebtLine("company_contribution", COMPANY, "test")])
        receive_payment(s, "bank/company/1", D(2025, 6, 10), COMPANY, paying)
        charge(s, "test/surcharge/company", owing, "2025", D(2025, 7, 1), D(2025, 7, 1),
               [DebtLine("surcharge", 2000, "RD 19-12-1967 art. 44")])
        # cy pays 50 under her plan in 2025, 50 more in January 2026
        receive_payment(s, "bank/cy/1", D(2025, 9, 20), 5000, st.cy)
        receive_payment(s, "bank/cy/2", D(2026, 1, 10), 5000, st.cy)
    with session_scope(url) as s:
        # payment plans: one per state on 31 December 2025
        _plan(s, st.cy, "active", D(2025, 9, 1), 3 * st.q, [(D(2025, 9, 15), 5000), (D(2025, 10, 15), 5000),
                                                            (D(2026, 1, 15), 3 * st.q - 10000)],
              activated=D(2025, 9, 5))
        _plan(s, st.bo, "broken", D(2025, 4, 1), 2 * st.q, [(D(2025, 4, 15), 4000), (D(2025, 6, 15), 2 * st.q - 4000)],
              activated=D(2025, 4, 2), ended=D(2025, 8, 1))
        _plan(s, st.eve, "completed", D(2025, 1, 10), st.q, [(D(2025, 2, 15), st.q)], activated=D(2025, 1, 12),
              ended=D(2025, 3, 1))
        _plan(s, st.dan, "pending", D(2025, 12, 20), 2 * st.q_dan, [(D(2026, 1, 10), 3000),
                                                                   (D(2026, 2, 10), 2 * st.q_dan - 3000)])
        _plan(s, st.ana, "refused", D(2025, 5, 20), st.q, [(D(2025, 6, 1), 2000), (D(2025, 7, 1), st.q - 2000)],
              ended=D(2025, 6, 1))
        # recovery files: bo reminded; cy reminded, sent a statement, then given a plan
        _steps(s, st.bo, [("stage", "reminder", D(2025, 7, 10))])
        _steps(s, st.cy, [("stage", "reminder", D(2025, 7, 10)), ("stage", "statement", D(2025, 8, 20)),
                          ("plan_granted", "plan", D(2025, 9, 5))])
        # benefits
        bridging = _claim(s, st.ana, "bridging_right", D(2025, 3, 1), D(2025, 7, 1), outcome="granted",
                          decided=D(2025, 4, 10), amount=180000, payer="fund", payment_due=D(2025, 5, 10),
                          bridging_case="bankruptcy")
        payout(s, "pain001/benefit/ana", bridging.ledger_key, D(2025, 4, 20))
        _claim(s, st.bo, "birth_leave", D(2025, 5, 1), D(2025, 9, 1), outcome="granted", decided=D(2025, 9, 15),
               amount=90000, payer="fund", payment_due=D(2025, 10, 15))  # decided late, still unpaid
        _claim(s, st.cy, "maternity", D(2025, 4, 1), D(2025, 8, 1), outcome="refused", decided=D(2025, 6, 1))
        _claim(s, st.dan, "maternity", D(2025, 6, 1), D(2025, 10, 1), outcome="granted", decided=D(2025, 8, 1),
               amount=0, payer="mutuality")
        _claim(s, st.eve, "carer", D(2025, 11, 15), D(2026, 3, 15))  # pending
        # cases people opened (and one task of the fund's)
        _case(s, st.ana, "question", "portal", D(2025, 10, 1), D(2025, 11, 15), first_out=D(2025, 10, 3),
              answered=D(2025, 10, 3), closed=D(2025, 10, 5))
        _case(s, st.bo, "question", "phone", D(2025, 10, 10), D(2025, 11, 24), first_out=D(2025, 10, 20),
              answered=D(2025, 12, 1), closed=D(2025, 12, 2))  # a question back first, decided a week late
        _case(s, st.cy, "complaint", "email", D(2025, 11, 1), D(2025, 12, 1))  # unanswered, overdue
        _case(s, st.cy, "payment_plan", "portal", D(2025, 12, 20), D(2026, 1, 19))
        _case(s, st.dan, "reduction", "portal", D(2025, 12, 28), D(2026, 1, 5))
        _case(s, None, "unmatched_payment", "system", D(2025, 12, 1), D(2025, 12, 11))
        _case(s, st.ana, "question", "portal", D(2024, 6, 1), D(2024, 7, 16), first_out=D(2024, 6, 10),
              answered=D(2024, 6, 10), closed=D(2024, 6, 11))  # outside the 12-month window
        _case(s, st.eve, "benefit_claim", "portal", D(2025, 12, 15), D(2026, 4, 15), first_out=D(2026, 1, 10),
              answered=D(2026, 1, 10), closed=D(2026, 1, 10))  # decided after the reference date
    return Stats(st, paying, owing)


__all__ = ["Stats", "build_stats"]
