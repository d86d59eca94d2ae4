"""The batch's move to personal contact opens one task (a case) per debtor, written set-based: each with its
message, deadline, team and audit row, the audit chain intact, the step pointing at its case."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from caisse.batches import quarterly_call
from caisse.batches import recovery as batch
from caisse.cases.models import Case, CaseMessage
from caisse.cases.service import deadline_for
from caisse.recovery.models import RecoveryStep
from caisse.services import audit
from caisse.store.db import session_scope
from caisse.store.models import AuditLog


def test_two_debtors_reach_personal_contact_each_with_a_task(db_url, fund):
    ana = fund.person(category="main", start=dt.date(2025, 1, 1), language="nl")
    bob = fund.person(category="main", start=dt.date(2025, 1, 1))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")   # due 31 March, never paid
    for on in ("2026-04-16", "2026-05-16", "2026-06-16"):   # reminder, statement, formal notice
        batch.run(db_url, dt.date.fromisoformat(on))
    contact_day = dt.date(2026, 7, 17)
    assert batch.run(db_url, contact_day).details["-> personal_contact"] == 2
    with session_scope(db_url) as s:
        cases = {c.party_id: c for c in s.scalars(select(Case).where(Case.kind == "recovery_contact"))}
        assert set(cases) == {ana, bob}
        for party, c in cases.items():
            assert (c.channel, c.status, c.opened_on) == ("system", "open", contact_day)
            assert c.deadline == deadline_for("recovery_contact", contact_day)
            body = s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == c.id)).one()
            assert f"caisse recovery contact --debtor {party}" in body and "Owed: 890.42 EUR" in body
            step = s.scalars(select(RecoveryStep).where(RecoveryStep.party_id == party,
                                                        RecoveryStep.to_stage == "personal_contact")).one()
            assert step.case_id == c.id
        logged = s.execute(select(AuditLog.entity_id, AuditLog.party_id).where(
            AuditLog.entity == "case", AuditLog.action == "create")).all()
        assert sorted(logged) == sorted((str(c.id), p) for p, c in cases.items())
        assert audit.verify(s.connection()).ok
    # the officer calls Ana: her task is done (closed with what was said, nothing sent to her); Bob's waits
    from caisse.recovery import service
    from caisse.security.authz import Principal

    with session_scope(db_url) as s:
        service.log_contact(s, Principal.system("officer"), ana, dt.date(2026, 7, 20), "will pay in August")
    with session_scope(db_url) as s:
        status = {c.party_id: c.status for c in s.scalars(select(Case).where(Case.kind == "recovery_contact"))}
        assert status == {ana: "closed", bob: "open"}
        done = s.scalars(select(CaseMessage).where(CaseMessage.case_id == cases[ana].id)
                         .order_by(CaseMessage.id.desc())).first()
        assert done.direction == "internal" and "will pay in August" in done.body


def test_a_debtor_who_pays_before_the_call_leaves_no_task_behind(db_url, fund):
    """At personal contact, Cy pays everything: the next run closes her file (paid) and her call task with it."""
    from caisse.ledger import receive_payment

    cy = fund.person(category="main", start=dt.date(2025, 1, 1))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    for on in ("2026-04-16", "2026-05-16", "2026-06-16", "2026-07-17"):
        batch.run(db_url, dt.date.fromisoformat(on))
    with session_scope(db_url) as s:
        status = s.scalars(select(Case.status).where(Case.kind == "recovery_contact", Case.party_id == cy)).one()
        assert status == "open"
        receive_payment(s, "coda/cy/all", dt.date(2026, 7, 25), 89042, cy)
    batch.run(db_url, dt.date(2026, 8, 1))
    with session_scope(db_url) as s:
        task = s.scalars(select(Case).where(Case.kind == "recovery_contact", Case.party_id == cy)).one()
        assert (task.status, task.closed_on) == ("closed", dt.date(2026, 8, 1))
        note = s.scalars(select(CaseMessage).where(CaseMessage.case_id == task.id).order_by(CaseMessage.id.desc())
                         ).first()
        assert note.direction == "internal" and "no call needed" in note.body
        assert audit.verify(s.connection()).ok


def test_a_plan_granted_at_personal_contact_closes_the_call_task_and_a_broken_plan_opens_a_new_one(db_url, fund):
    """Dee reaches personal contact; before she is called she asks a plan, granted at once (under the four-eyes
    threshold): her call task is closed with a note. She breaks the plan: recovery resumes at personal contact,
    and since nobody called her yet a new task asks for the call."""
    from caisse.config import Settings
    from caisse.ledger import receive_payment
    from caisse.recovery import service
    from caisse.recovery.service import Instalment
    from caisse.security.authz import Principal

    clerk = Principal.system("cli:recovery-officer")
    dee = fund.person(category="main", start=dt.date(2025, 1, 1))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    for on in ("2026-04-16", "2026-05-16", "2026-06-16", "2026-07-17"):
        batch.run(db_url, dt.date.fromisoformat(on))
    with session_scope(db_url) as s:
        receive_payment(s, "coda/dee/part", dt.date(2026, 7, 18), 50000, dee)  # 390.42 left
        plan = service.request_plan(s, clerk, dee, [Instalment(dt.date(2026, 7, 20), 13042),
                                                    Instalment(dt.date(2026, 8, 20), 26000)],
                                    "seasonal income", dt.date(2026, 7, 20),
                                    settings=Settings(four_eyes_threshold_cents=50_000))
        assert plan.status == "active" and service.file_of(s, dee).stage == "plan"
    with session_scope(db_url) as s:
        task = s.scalars(select(Case).where(Case.kind == "recovery_contact", Case.party_id == dee)).one()
        assert (task.status, task.closed_on) == ("closed", dt.date(2026, 7, 20))
        note = s.scalars(select(CaseMessage).where(CaseMessage.case_id == task.id).order_by(CaseMessage.id.desc())
                         ).first()
        assert note.direction == "internal" and f"payment plan {plan.id} granted" in note.body
        closed = s.scalars(select(AuditLog.entity_id).where(AuditLog.entity == "case", AuditLog.action == "close",
                                                            AuditLog.party_id == dee)).all()
        assert closed == [str(task.id)]
        assert audit.verify(s.connection()).ok
    batch.run(db_url, dt.date(2026, 8, 10))  # nothing paid of the first instalment, 15 days of grace over
    with session_scope(db_url) as s:
        assert service.file_of(s, dee).stage == "personal_contact"
        tasks = s.scalars(select(Case).where(Case.kind == "recovery_contact", Case.party_id == dee)
                          .order_by(Case.id)).all()
        assert [t.status for t in tasks] == ["closed", "open"]
        step = s.scalars(select(RecoveryStep).where(RecoveryStep.party_id == dee,
                                                    RecoveryStep.event == "plan_broken")).one()
        assert step.case_id == tasks[1].id
        assert audit.verify(s.connection()).ok
