"""The demo fund's staff at work: the desk's unidentified payments settled, debtors at several recovery stages,
payment plans, a bailiff's hand-over, and a year of cases answered — through the services, and the ledger holds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from caisse.benefits.models import BenefitClaim
from caisse.cases.models import Case, CaseMessage
from caisse.collection.models import ReconciliationItem
from caisse.demo.accounts import create_demo_accounts
from caisse.demo.calendar import run_calendar
from caisse.demo.generator import generate, load
from caisse.ledger.check import run_check
from caisse.recovery.models import PaymentPlan, RecoveryFile, RecoveryHandoverLine, ReliefRequest
from caisse.store.db import engine_for, session_scope

TODAY = dt.date(2026, 11, 24)


def test_the_demo_staff_work_through_the_year(db_url):
    with engine_for(db_url).begin() as conn:
        load(conn, generate(200, seed=5, as_of=TODAY))
    with session_scope(db_url) as s:
        create_demo_accounts(s, TODAY)
    lived = run_calendar(db_url, TODAY, seed=5)
    with session_scope(db_url) as s:
        assert run_check(s).breaches == []
        # the reconciliation desk: most unidentified payments settled, a handful still open
        items = dict(s.execute(select(ReconciliationItem.status, func.count())
                               .group_by(ReconciliationItem.status)).all())
        assert items.get("resolved", 0) > 20 and items.get("open", 0) < 15
        unmatched_open = s.scalar(select(func.count()).select_from(Case).where(
            Case.kind == "unmatched_payment", Case.status != "closed"))
        assert unmatched_open < 15
        # debtors at several recovery stages
        stages = set(s.scalars(select(RecoveryFile.stage).distinct()))
        assert len(stages & {"reminder", "statement", "formal_notice", "personal_contact", "enforcement",
                             "bailiff"}) >= 4
        plans = dict(s.execute(select(PaymentPlan.status, func.count()).group_by(PaymentPlan.status)).all())
        assert plans.get("completed") == 1 and plans.get("broken") == 1  # one respected, one broken
        # personal contacts logged, their tasks answered and closed: only the recent ones still wait
        contacts = dict(s.execute(select(Case.status, func.count()).where(Case.kind == "recovery_contact")
                                  .group_by(Case.status)).all())
        assert contacts.get("closed", 0) > 3 * contacts.get("open", 0)
        assert s.scalar(select(func.count()).select_from(RecoveryHandoverLine)) > 0
        # a year of cases: answered (with the day's time) and open
        person = ("question", "change", "reduction", "rectification", "complaint", "cessation")
        answered = s.scalar(select(func.count()).select_from(Case).where(Case.kind.in_(person),
                                                                          Case.answered_on.is_not(None)))
        still_open = s.scalar(select(func.count()).select_from(Case).where(Case.kind.in_(person),
                                                                            Case.status == "open"))
        assert answered > 10 and still_open >= 1
        late = s.scalar(select(func.count()).select_from(Case).where(Case.answered_on > Case.deadline))
        assert late >= 1
        first_out = s.scalar(select(func.min(CaseMessage.at)).where(CaseMessage.direction == "out"))
        assert first_out.date() < TODAY - dt.timedelta(days=30)  # answers dated the day they went out
        # a benefit decision (a refusal, with its appeal route) and claims opened by life events
        claims = dict(s.execute(select(BenefitClaim.status, func.count()).group_by(BenefitClaim.status)).all())
        assert claims.get("refused") == 1 and claims.get("application", 0) >= 1
        refusal = s.scalar(select(BenefitClaim).where(BenefitClaim.status == "refused"))
        assert refusal.decision and "appeal" in str(refusal.decision).lower()
        # INASTI's decisions on a dispensation and a surcharge waiver, written off
        relief = dict(s.execute(select(ReliefRequest.kind, ReliefRequest.status)).all())
        assert relief == {"dispensation": "granted", "surcharge_waiver": "granted"}
    assert lived["cases"] > 0
