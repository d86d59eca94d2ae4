"""A recovery file's story: a starter falls behind, gets a payment plan, breaks it, receives a formal notice, is
called, and the enforcement order follows — one stage per run, each with its letter."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.batches import quarterly_call
from caisse.batches import recovery as batch
from caisse.cases.models import Case
from caisse.config import Settings
from caisse.documents.recovery_letters import step_pdf
from caisse.errors import InvalidInput
from caisse.ledger import receive_payment
from caisse.recovery import service
from caisse.recovery.models import PaymentPlan, RecoveryFile, RecoveryStep
from caisse.recovery.report import report
from caisse.recovery.service import Instalment
from caisse.security.authz import Principal
from caisse.services import approvals
from caisse.store.db import session_scope

MIN_2026 = 89042  # 2026 main-activity minimum quarter, fee-free [S3]
CLERK = Principal.system("cli:recovery-officer")
MANAGER = Principal(login="boss", role="manager", account_id=1)
SETTINGS = Settings(four_eyes_threshold_cents=50_000)


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def stage(url, party):
    with session_scope(url) as s:
        f = service.file_of(s, party)
        return None if f is None else (f.stage, f.closing_reason)


def count(url, model) -> int:
    with session_scope(url) as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def manager(db_url):
    from caisse.services.accounts import create_account

    with session_scope(db_url) as s:
        create_account(s, Principal.system("setup"), "boss", "Correct horse battery staple 42", "manager")


def test_a_starter_falls_behind_breaks_her_plan_and_is_called_before_the_enforcement_order(db_url, fund, manager,
                                                                                             tmp_path):
    ana = fund.person(category="main", start=d("2025-01-01"), language="nl")  # a starter: pays the minimum
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")  # 890.42 due on 31 March, never paid

    # a fortnight's grace after the due date, then one stage per run
    assert batch.run(db_url, d("2026-04-10")).details["waiting (delay not over)"] == 1
    assert stage(db_url, ana) is None
    summary = batch.run(db_url, d("2026-04-16"))
    assert summary.details["-> reminder"] == 1 and summary.notices == 1
    assert stage(db_url, ana) == ("reminder", None)
    assert batch.run(db_url, d("2026-04-16")).finished_before  # rerun: nothing written twice
    batch.run(db_url, d("2026-04-30"))  # 30 days after the reminder are not over yet
    assert stage(db_url, ana) == ("reminder", None)
    batch.run(db_url, d("2026-05-16"))
    assert stage(db_url, ana) == ("statement", None)

    # she asks a plan; a schedule that does not cover her debt is refused, nothing written
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        service.request_plan(s, CLERK, ana, [Instalment(d("2026-05-20"), 30000), Instalment(d("2026-06-20"), 30000)],
                             "lost her main client", d("2026-05-20"), settings=SETTINGS)
    assert err.value.field == "schedule" and "does not cover" in str(err.value)
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # down payment under one third
        service.request_plan(s, CLERK, ana, [Instalment(d("2026-05-20"), 10000), Instalment(d("2026-06-20"), 79042)],
                             "lost her main client", d("2026-05-20"), settings=SETTINGS)
    assert err.value.field == "schedule[0].amount"
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # longer than 12 months
        service.request_plan(s, CLERK, ana, [Instalment(d("2026-05-20"), 30000), Instalment(d("2027-06-20"), 59042)],
                             "lost her main client", d("2026-05-20"), settings=SETTINGS)
    assert err.value.field == "schedule[1].due_date"
    assert count(db_url, PaymentPlan) == 0

    schedule = [Instalment(d("2026-05-20"), 30000), Instalment(d("2026-06-20"), 30000),
                Instalment(d("2026-07-20"), 29042)]
    with session_scope(db_url) as s:  # 890.42 is above the four-eyes threshold: a manager approves
        plan = service.request_plan(s, CLERK, ana, schedule, "lost her main client", d("2026-05-20"),
                                    settings=SETTINGS)
        plan_id, approval_id = plan.id, plan.approval_id
        assert plan.status == "pending" and plan.down_payment_cents == 30000
    assert stage(db_url, ana) == ("statement", None)  # nothing changes before the decision
    with session_scope(db_url) as s:
        approvals.decide(s, MANAGER, approval_id, True, "one third down, 3 months", d("2026-05-21"))
    assert stage(db_url, ana) == ("plan", None)
    with session_scope(db_url) as s:
        assert s.get(PaymentPlan, plan_id).status == "active"
        assert service.file_of(s, ana).resume_stage == "statement"
        receive_payment(s, "coda/a/1/1", d("2026-05-21"), 30000, ana)  # the down payment

    summary = batch.run(db_url, d("2026-06-01"))  # plan respected: no enforcement, no letter
    assert summary.details["plans respected"] == 1 and summary.notices == 0
    summary = batch.run(db_url, d("2026-06-25"))  # June's instalment did not come: a notice
    assert summary.details["instalments missed"] == 1
    assert stage(db_url, ana) == ("plan", None)
    summary = batch.run(db_url, d("2026-07-10"))  # still unpaid after 15 days of grace: broken, back where it stood
    assert summary.details["plans broken"] == 1
    assert stage(db_url, ana) == ("statement", None)

    batch.run(db_url, d("2026-08-15"))
    assert stage(db_url, ana) == ("formal_notice", None)
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # no skipping to the contrainte
        service.move(s, CLERK, ana, "enforcement", "she will not pay", d("2026-08-20"))
    assert err.value.field == "to_stage" and "personal_contact" in str(err.value)

    batch.run(db_url, d("2026-09-16"))  # the month to contest is over: a task to call her
    assert stage(db_url, ana) == ("personal_contact", None)
    with session_scope(db_url) as s:
        task = s.scalar(select(Case).where(Case.party_id == ana, Case.kind == "recovery_contact"))
        assert task is not None and task.status == "open"
    summary = batch.run(db_url, d("2026-10-01"))  # never a judicial step before she was called
    assert summary.skipped == {"personal contact not logged yet (task in the work queue)": 1}
    with session_scope(db_url) as s:
        service.log_contact(s, CLERK, ana, d("2026-10-02"), "reached by phone; cannot pay, refuses a new plan")
    batch.run(db_url, d("2026-10-20"))
    assert stage(db_url, ana) == ("enforcement", None)

    # no plan while an enforcement runs
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        service.request_plan(s, CLERK, ana, [Instalment(d("2026-10-21"), 30000),
                                             Instalment(d("2026-11-21"), 29042)], "again", d("2026-10-21"))
    assert err.value.field == "party_id" and "enforcement is running" in str(err.value)

    rep = report(db_url, d("2026-10-20"))
    by = {r["stage"]: r for r in rep["stages"]}
    assert by["enforcement"] == {"stage": "enforcement", "debtors": 1, "amount": "590.42"}
    assert report(db_url, d("2026-06-01"))["stages"][7] == {"stage": "plan", "debtors": 1, "amount": "590.42"}

    with session_scope(db_url) as s:  # the whole story, dated, with its letters in Dutch
        _, steps = service.history(s, CLERK, ana)
        assert [(st.event, st.to_stage) for st in steps] == [
            ("stage", "reminder"), ("stage", "statement"), ("plan_granted", "plan"), ("plan_missed", "plan"),
            ("plan_broken", "statement"), ("stage", "formal_notice"), ("stage", "personal_contact"),
            ("contact", "personal_contact"), ("stage", "enforcement")]
        letters = [st for st in steps if st.letter]
        assert [st.letter for st in letters] == ["reminder", "statement", "plan_granted", "plan_missed",
                                                 "plan_broken", "formal_notice", "enforcement"]
        for st in letters:
            pdf = step_pdf(s, st.id)
            assert pdf.startswith(b"%PDF")
        assert b"Ingebrekestelling" in step_pdf(s, letters[5].id)
        # the batch's reasons: the English as always, and their code and values (shown in the reader's language)
        assert [(st.reason, st.reason_code, st.reason_params) for st in steps if st.actor == "batch:recovery"] == [
            ("principal due since 2026-03-31 unpaid", "due_unpaid", {"since": "2026-03-31"}),
            ("reminder without payment", "reminder_unpaid", {}),
            ("instalment 1 of 2026-06-20 (300.00 EUR) not paid: notice; the plan breaks after 15 days",
             "plan_missed", {"seq": 1, "due": "2026-06-20", "amount": 30000, "grace": 15}),
            ("instalment 1 of 2026-06-20 (300.00 EUR) still unpaid after 15 days of grace: plan broken, recovery "
             "resumes at statement", "plan_broken",
             {"seq": 1, "due": "2026-06-20", "amount": 30000, "grace": 15, "stage": "statement"}),
            ("statement without payment: last reminder by registered letter (art. 46)", "statement_unpaid", {}),
            ("no payment after the month to contest or ask terms: call the debtor", "notice_unanswered", {}),
            ("personal contact logged on 2026-10-02; nothing paid", "contact_unpaid", {"contact": "2026-10-02"})]
        granted = next(st for st in steps if st.event == "plan_granted")  # the handler's reason kept as written
        assert (granted.reason, granted.reason_code, granted.reason_params) == (
            f"payment plan {plan_id} granted: lost her main client", "plan_granted",
            {"plan": plan_id, "why": "lost her main client"})


def test_a_debtor_who_pays_is_closed_and_one_who_asks_something_is_left_alone(db_url, fund):
    bo = fund.person(category="main", start=d("2025-01-01"))
    cy = fund.person(category="main", start=d("2025-01-01"), language="de")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        from caisse.cases.service import open_case

        open_case(s, Principal.system("desk"), cy, "dispensation", "Dispensation", "I cannot pay", d("2026-04-02"),
                  channel="letter")
    summary = batch.run(db_url, d("2026-04-16"))
    assert summary.skipped == {"a request is pending (open case)": 1}
    assert stage(db_url, bo) == ("reminder", None) and stage(db_url, cy) is None
    with session_scope(db_url) as s:
        receive_payment(s, "coda/b/1/1", d("2026-04-20"), MIN_2026, bo)
    batch.run(db_url, d("2026-05-01"))
    assert stage(db_url, bo) == ("closed", "paid")
    assert report(db_url, d("2026-05-01"))["stages"][-1] == {"stage": "closed", "debtors": 1, "amount": "0.00"}


def test_no_longer_subject_under_500_eur_is_not_pursued_but_informed_of_the_pension_consequence_once(db_url, fund):
    """Art. 50bis AR 19-12-1967 (addendum §6.3): the fund may renounce a claim under 500 EUR on a person no longer
    subject; as the unpaid quarter concerns the pension, the person is informed first — one dated letter."""
    di = fund.person(category="main", start=d("2025-01-01"), end=d("2026-03-31"), language="de")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        receive_payment(s, "coda/c/1/1", d("2026-03-20"), 50000, di)  # 390.42 left
    summary = batch.run(db_url, d("2026-04-16"))
    assert list(summary.skipped) == ["no longer subject, under 500.00 EUR (art. 50bis AR 19-12-1967: the fund may "
                                     "renounce)"]
    assert summary.details["art. 50bis: informed of the pension consequence"] == 1
    assert stage(db_url, di) == ("reminder", None)  # the letter asks for payment: the cycle's reminder
    later = batch.run(db_url, d("2026-06-20"))  # still skipped, never informed twice
    assert "art. 50bis: informed of the pension consequence" not in later.details
    with session_scope(db_url) as s:
        steps = list(s.scalars(select(RecoveryStep).where(RecoveryStep.party_id == di)))
        assert [(st.event, st.letter, st.on, st.amount_cents) for st in steps] == [
            ("fiftybis", "fiftybis", d("2026-04-16"), 39042)]
        assert "2026Q1 would not count for the pension" in steps[0].reason
        pdf = step_pdf(s, steps[0].id)
        assert pdf.startswith(b"%PDF")
        from caisse.documents.recovery_letters import step_document

        texts = {}
        for lang in ("fr", "nl", "de"):
            steps[0].language = lang
            doc = step_document(s, steps[0].id)
            texts[lang] = (doc.kind, doc.lines[0].why)
        s.rollback()
    assert {k for k, _ in texts.values()} == {"recovery_fiftybis"}
    assert "pension" in texts["fr"][1] and "pensioen" in texts["nl"][1] and "Rente" in texts["de"][1]


def test_stages_are_never_skipped_by_hand_and_nothing_is_written(db_url, fund):
    eva = fund.person(category="main", start=d("2025-01-01"))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    for to, field, words in (("statement", "to_stage", "the next one is reminder"),
                             ("court", "to_stage", "never skipped"),
                             ("plan", "to_stage", "payment plan is granted"),
                             ("closed", "closing_reason", "say why")):
        with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
            service.move(s, CLERK, eva, to, "hurry", d("2026-04-05"))
        assert err.value.field == field and words in str(err.value)
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        service.move(s, CLERK, eva, "reminder", " ", d("2026-04-05"))
    assert err.value.field == "reason"
    assert count(db_url, RecoveryFile) == 0 and count(db_url, RecoveryStep) == 0
    with session_scope(db_url) as s:  # the next stage by hand is fine, and dated
        step = service.move(s, CLERK, eva, "reminder", "called the desk, asked for a letter", d("2026-04-05"))
        assert (step.from_stage, step.to_stage, step.letter) == (None, "reminder", "reminder")
