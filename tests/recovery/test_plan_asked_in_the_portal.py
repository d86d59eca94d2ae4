"""A person who cannot pay asks a payment plan in the portal, sees the surcharges it will cost first, and gets
the fund's answer in her own language once a caseworker (and, above the threshold, a manager) has granted it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from caisse.batches import quarterly_call
from caisse.cases.models import Case, CaseMessage
from caisse.errors import InvalidInput
from caisse.recovery import proposal as plans
from caisse.recovery import service
from caisse.recovery.models import PaymentPlan
from caisse.security.authz import Principal
from caisse.services import approvals
from caisse.store.db import session_scope

MIN_2026 = 89042  # 2026 main-activity minimum quarter, fee-free [S3]
TODAY = dt.date(2026, 5, 4)


@pytest.fixture
def staff(db_url):
    """A caseworker of team t1 and a manager (the four eyes)."""
    from caisse.services.accounts import create_account

    with session_scope(db_url) as s:
        cw, _ = create_account(s, Principal.system("setup"), "cw", "Correct horse battery staple 41", "caseworker",
                            team="t1")
        boss, _ = create_account(s, Principal.system("setup"), "boss", "Correct horse battery staple 42", "manager")
        return (Principal(login="cw", role="caseworker", account_id=cw.id, team="t1"),
                Principal(login="boss", role="manager", account_id=boss.id))


def person(pid):
    return Principal(login=f"p{pid}", role="affiliate", account_id=100 + pid, party_id=pid)


@pytest.fixture
def fund(fund, db_url):
    """The batch stories' tiny fund, its files in the caseworker's team."""
    from sqlalchemy import update

    from caisse.store.models import Party

    make = fund.person

    def person_in_team(**kw):
        pid = make(**kw)
        with session_scope(db_url) as s:
            s.execute(update(Party).where(Party.id == pid).values(team="t1"))
        return pid

    fund.person = person_in_team
    return fund


def test_a_plan_asked_in_the_portal_is_granted_and_answered_in_her_language(db_url, fund, staff):
    caseworker, manager = staff
    eva = fund.person(category="main", start=dt.date(2025, 1, 1), language="nl")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")  # 890.42 due on 31 March, unpaid
    with session_scope(db_url) as s:
        offer = plans.view(s, person(eva), eva, 3, TODAY)
    # one third down (rounded up) in a fortnight, then monthly; the whole debt, to the cent
    assert [(i.due_date, i.amount_cents) for i in offer.schedule] == [
        (dt.date(2026, 5, 18), 29681), (dt.date(2026, 6, 18), 29680), (dt.date(2026, 7, 18), 29681)]
    assert sum(i.amount_cents for i in offer.schedule) == MIN_2026
    # the surcharges that keep running are shown before she asks: 3 % at 30 June on what is still unpaid then
    # (296.81 after two instalments): 8.90
    assert offer.surcharges == [(dt.date(2026, 6, 30), 890)]
    with session_scope(db_url) as s:
        case = plans.ask(s, person(eva), eva, 3, TODAY, "Mijn grootste klant is failliet.")
        case_id = case.id
        assert case.kind == "payment_plan" and case.deadline > TODAY
    with session_scope(db_url) as s:
        plan = service.grant_asked_plan(s, caseworker, case_id, TODAY + dt.timedelta(days=2))
        assert plan.status == "pending"  # 890.42 is above the four-eyes threshold (500.00)
        plan_id, approval_id = plan.id, plan.approval_id
        assert s.get(Case, case_id).status == "open"  # no answer before the decision
    with session_scope(db_url) as s:
        approvals.decide(s, manager, approval_id, True, "ok", TODAY + dt.timedelta(days=3))
    with session_scope(db_url) as s:
        assert s.get(PaymentPlan, plan_id).status == "active"
        assert [(i.due_date, i.amount_cents) for i in service.instalments(s, plan_id)] == [
            (i.due_date, i.amount_cents) for i in offer.schedule]
        c = s.get(Case, case_id)
        answer = s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == case_id,
                                                          CaseMessage.direction == "out")).one()
    assert c.status == "answered"
    assert answer.startswith("Uw afbetalingsplan is toegestaan: 3 betalingen, de eerste van 296.81 EUR op 18/05/2026")


def test_a_refused_plan_is_answered_with_the_reason(db_url, fund, staff):
    caseworker, manager = staff
    leo = fund.person(category="main", start=dt.date(2025, 1, 1), language="fr")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        case_id = plans.ask(s, person(leo), leo, 6, TODAY, "").id
    with session_scope(db_url) as s:
        approval_id = service.grant_asked_plan(s, caseworker, case_id, TODAY).approval_id
    with session_scope(db_url) as s:
        approvals.decide(s, manager, approval_id, False, "deux plans rompus en 2025", TODAY)
    with session_scope(db_url) as s:
        answer = s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == case_id,
                                                          CaseMessage.direction == "out")).one()
    assert answer.startswith("Votre demande de plan d'apurement n'est pas accordée : deux plans rompus en 2025.")


def test_no_plan_to_ask_when_nothing_is_due_and_another_persons_file_is_refused(db_url, fund):
    from caisse.security.authz import Forbidden

    ana, bob = fund.person(), fund.person()
    with session_scope(db_url) as s:
        offer = plans.view(s, person(ana), ana, 6, TODAY)
        assert offer.refusal and not offer.schedule
        with pytest.raises(InvalidInput) as err:
            plans.ask(s, person(ana), ana, 6, TODAY, "")
        assert err.value.field == "months"
        with pytest.raises(InvalidInput):
            plans.view(s, person(ana), ana, 13, TODAY)  # at most 12 months (S29)
        with pytest.raises(Forbidden):
            plans.view(s, person(ana), bob, 6, TODAY)
    with session_scope(db_url) as s:
        assert s.scalar(select(Case.id)) is None  # nothing written


def test_a_request_without_a_schedule_cannot_be_granted_as_a_plan(db_url, fund, staff):
    caseworker, _manager = staff
    from caisse.cases import service as cases

    ana = fund.person()
    with session_scope(db_url) as s:
        c = cases.open_case(s, person(ana), ana, "payment_plan", "Plan", "Can I pay later?", TODAY)
        with pytest.raises(InvalidInput) as err:
            service.grant_asked_plan(s, caseworker, c.id, TODAY)
    assert err.value.field == "schedule"


def test_a_schedule_typed_in_the_words_is_never_the_one_granted(db_url, fund, staff):
    caseworker, _manager = staff
    ana = fund.person(category="main", start=dt.date(2025, 1, 1))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        case_id = plans.ask(s, person(ana), ana, 3, TODAY, "Schedule: 2026-12-31:1.00,2027-05-01:89041.00").id
        assert [i.amount_cents for i in plans.schedule_of_case(s, case_id)] == [29681, 29680, 29681]
