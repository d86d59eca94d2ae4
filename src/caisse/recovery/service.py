"""Recovery by hand and payment plans: move a file one stage (never skipping one), log the personal contact,
close a file with its reason, ask a payment plan (eligibility, a schedule that covers the whole debt, four
eyes above the fund's threshold through ``services.approvals``), activate it once approved.

Every refusal is an ``InvalidInput`` naming the field, raised before anything is written. Every change is a
dated ``recovery_step`` row (who, why, the amount owed that day) and an audit row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caisse.config import Settings, get_settings
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.money import fmt
from caisse.recovery.arrears import arrears
from caisse.recovery.models import (
    CLOSING_REASONS,
    STAGES,
    PaymentPlan,
    PaymentPlanInstalment,
    RecoveryFile,
    RecoveryStep,
)
from caisse.recovery.policy import (
    BY_HAND,
    ENFORCEMENT_RUNNING,
    ENFORCEMENT_STAGE,
    JUDICIAL,
    LETTER_OF_STAGE,
    next_stage,
    policy,
)
from caisse.recovery.step_reasons import reason as step_reason
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access
from caisse.services.calendar import add_months
from caisse.store.models import Party


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason", "say why (it is kept in the file's history)")
    if len(reason) > 2000 or "\x00" in reason:
        raise InvalidInput("reason", "at most 2000 characters of plain text")
    return reason


def owed(session: Session, party_id: int, on: dt.date) -> tuple[int, int]:
    """(principal due and unpaid, everything due and unpaid) of one debtor on ``on``."""
    return arrears(session.connection(), on, party_id).of(party_id)


def file_of(session: Session, party_id: int) -> RecoveryFile | None:
    return session.scalar(select(RecoveryFile).where(RecoveryFile.party_id == party_id))


def _step(session: Session, f: RecoveryFile, event: str, to_stage: str, on: dt.date, who: str, reason: str | dict,
          amount: int, *, key: str, from_stage: str | None = None, letter: str | None = None,
          closing_reason: str | None = None, case_id: int | None = None, plan_id: int | None = None,
          batch_key: str | None = None) -> RecoveryStep:
    """One dated step of the file; ``reason``: a handler's own words, or ``step_reasons.reason(...)``."""
    language = session.get(Party, f.party_id).language
    why = reason if isinstance(reason, dict) else {"reason": reason}
    step = RecoveryStep(key=key, file_id=f.id, party_id=f.party_id, cycle=f.cycle, event=event,
                        from_stage=from_stage, to_stage=to_stage, on=on, actor=who, **why,
                        closing_reason=closing_reason, amount_cents=amount, language=language, letter=letter,
                        case_id=case_id, plan_id=plan_id, batch_key=batch_key)
    session.add(step)
    session.flush()
    return step


def history(session: Session, who: Principal, party_id: int) -> tuple[RecoveryFile | None, list[RecoveryStep]]:
    file_access(session, who, "file.read", party_id)
    f = file_of(session, party_id)
    steps = list(session.scalars(select(RecoveryStep).where(RecoveryStep.party_id == party_id)
                                 .order_by(RecoveryStep.on, RecoveryStep.id)))
    audit.record(session, who, "read", "recovery_file", party_id, party_id=party_id,
                 detail={"what": "recovery file and its history"})
    return f, steps


def move(session: Session, who: Principal, party_id: int, to_stage: str, reason: str, today: dt.date, *,
         closing_reason: str | None = None) -> RecoveryStep:
    """Move a file by hand: to the next stage of the path, to ``court`` (the summons route) from the personal
    contact on, or to ``closed`` with a closing reason. A skipped stage, a judicial step before the personal
    contact was logged, or before the month the debtor has to contest (art. 46) is over, is refused."""
    file_access(session, who, "recovery.manage", party_id)
    reason = _reason(reason)
    if to_stage not in STAGES:
        raise InvalidInput("to_stage", "unknown stage {stage!r}; expected one of {stages}", stage=to_stage,
                           stages=", ".join(STAGES))
    f = file_of(session, party_id)
    current = f.stage if f is not None else None
    if to_stage == "plan":
        raise InvalidInput("to_stage", "a file goes to 'plan' only when a payment plan is granted "
                                       "(caisse recovery plan)")
    if to_stage == "closed":
        if closing_reason not in CLOSING_REASONS:
            raise InvalidInput("closing_reason", "say why the file is closed: one of {reasons}",
                               reasons=", ".join(CLOSING_REASONS))
        if f is None or current == "closed":
            raise InvalidInput("to_stage", "there is no open recovery file to close")
        if current == "plan":
            raise InvalidInput("to_stage", "a payment plan is running: it ends as completed or broken")
    else:
        if closing_reason is not None:
            raise InvalidInput("closing_reason", "only a file being closed has a closing reason")
        allowed = {s for s in (next_stage(current),) if s} | set(BY_HAND.get(current or "", ()))
        if current == "plan":
            raise InvalidInput("to_stage", "a payment plan is respected: no enforcement while it runs "
                                           "(it resumes by itself if the plan breaks)")
        if to_stage not in allowed:
            expected = " or ".join(sorted(allowed)) or "nothing (follow-up by hand, or close the file)"
            raise InvalidInput("to_stage", "cannot go from {current} to {stage}: stages are never skipped; the next "
                                           "one is {expected}", current=current or "—", stage=to_stage,
                               expected=expected)
        from caisse.recovery.partner_plans import guard_enforcement

        guard_enforcement(session, party_id, to_stage)  # a plan agreed by a bailiff and respected: no new step
        if to_stage in JUDICIAL:
            if f is None or f.contact_logged_on is None:
                raise InvalidInput("to_stage", "the personal contact must be logged before the first judicial step "
                                               "(caisse recovery contact)")
            notice = session.scalar(select(func.max(RecoveryStep.on)).where(
                RecoveryStep.file_id == f.id, RecoveryStep.cycle == f.cycle, RecoveryStep.to_stage == "formal_notice",
                RecoveryStep.event == "stage"))
            p = policy(today)
            if notice is None or today <= p.contest_ends(notice, f.notice_presented_on):
                raise InvalidInput("to_stage", "the debtor has one month after the formal notice (registered "
                                               "letter) to contest or ask terms (art. 46 AR 19-12-1967): not before "
                                               "{day}", day=p.contest_ends(notice, f.notice_presented_on)
                                   + dt.timedelta(days=1) if notice else "—")
            if to_stage == "enforcement" and f.contest_kind == "contest":
                raise InvalidInput("contested_on", "the debtor contested the sums on {day} after the formal notice "
                                                   "(art. 46 AR 19-12-1967): no contrainte, only the summons "
                                                   "before the labour court (court)", day=f.contested_on)
        if to_stage == "reminder" and current in (None, "closed"):
            principal, _ = owed(session, party_id, today)
            if principal <= 0:
                raise InvalidInput("to_stage", "nothing due and unpaid: no recovery file to open")
    _, total = owed(session, party_id, today)
    if f is None:
        f = RecoveryFile(party_id=party_id, cycle=1, stage=to_stage, stage_since=today, opened_on=today)
        session.add(f)
        session.flush()
    elif current == "closed":
        f.cycle, f.contact_logged_on, f.closing_reason, f.opened_on = f.cycle + 1, None, None, today
    if to_stage == "formal_notice" or current == "closed":  # a new formal notice: a new month (art. 46)
        f.notice_presented_on, f.contested_on, f.contest_kind = None, None, None
    f.stage, f.stage_since, f.closing_reason = to_stage, today, closing_reason
    f.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    n = session.scalar(select(func.count()).select_from(RecoveryStep).where(RecoveryStep.file_id == f.id)) or 0
    step = _step(session, f, "stage", to_stage, today, str(who), reason, total,
                 key=f"recovery/{party_id}/{f.cycle}/{to_stage}/hand-{n + 1}", from_stage=current,
                 letter=LETTER_OF_STAGE.get(to_stage), closing_reason=closing_reason)
    audit.record(session, who, "recovery_move", "recovery_file", f.id, party_id=party_id,
                 detail={"from": current, "to": to_stage, "closing_reason": closing_reason})
    return step


def log_contact(session: Session, who: Principal, party_id: int, today: dt.date, outcome: str,
                channel: str = "phone") -> RecoveryStep:
    """The personal contact (phone or meeting) with the debtor, mandatory before the first judicial step."""
    file_access(session, who, "recovery.manage", party_id)
    outcome = _reason(outcome)
    if channel not in ("phone", "meeting", "visit", "video"):
        raise InvalidInput("channel", "phone, meeting, visit or video")
    f = file_of(session, party_id)
    if f is None or f.stage != "personal_contact":
        raise InvalidInput("party_id", "no recovery file waiting for a personal contact (stage: {stage})",
                           stage=f.stage if f else "—")
    if f.contact_logged_on is not None:  # one contact step per cycle (its key): a second is refused, not a crash
        raise InvalidInput("party_id", "the personal contact was already logged on {day}; note further calls as "
                                       "contact notes on the file", day=f.contact_logged_on)
    f.contact_logged_on = today
    _, total = owed(session, party_id, today)
    step = _step(session, f, "contact", "personal_contact", today, str(who), f"{channel}: {outcome}", total,
                 key=f"recovery/{party_id}/{f.cycle}/contact", from_stage="personal_contact")
    audit.record(session, who, "recovery_contact", "recovery_file", f.id, party_id=party_id,
                 detail={"channel": channel})
    from caisse.cases.service import complete_tasks

    complete_tasks(session, who, party_id, "recovery_contact", f"personal contact logged ({channel}): {outcome}", today)
    return step


def _day(value, field: str, today: dt.date) -> dt.date:
    if not isinstance(value, dt.date):
        raise InvalidInput(field, "a date is required (YYYY-MM-DD)")
    if value > today:
        raise InvalidInput(field, "{day} is in the future", day=value)
    return value


def notice_on(session: Session, f: RecoveryFile) -> dt.date | None:
    return session.scalar(select(func.max(RecoveryStep.on)).where(
        RecoveryStep.file_id == f.id, RecoveryStep.cycle == f.cycle, RecoveryStep.to_stage == "formal_notice",
        RecoveryStep.event == "stage"))


def _after_notice(session: Session, party_id: int, day: dt.date, field: str) -> tuple[RecoveryFile, dt.date]:
    """The file and the date of its formal notice in the current cycle, ``day`` not before it."""
    f = file_of(session, party_id)
    notice = notice_on(session, f) if f is not None else None
    if notice is None or f.stage in ("closed", "plan"):
        raise InvalidInput(field, "no formal notice was sent in this file's current cycle")
    if day < notice:
        raise InvalidInput(field, "{day} is before the formal notice ({notice})", day=day, notice=notice)
    return f, notice


def record_notice_presented(session: Session, who: Principal, party_id: int, on: dt.date,
                            today: dt.date) -> RecoveryFile:
    """The day the formal notice (registered letter, art. 46) was posted/presented: the debtor's month runs from
    it instead of from the formal-notice step."""
    file_access(session, who, "recovery.manage", party_id)
    on = _day(on, "presented_on", today)
    f, _ = _after_notice(session, party_id, on, "presented_on")
    f.notice_presented_on = on
    audit.record(session, who, "recovery_notice_presented", "recovery_file", f.id, party_id=party_id,
                 detail={"presented_on": on.isoformat()})
    return f


def record_contestation(session: Session, who: Principal, party_id: int, kind: str, received_on: dt.date,
                        note: str, today: dt.date) -> RecoveryFile:
    """The debtor's registered letter after the formal notice (art. 46): ``contest`` (the sums are contested: no
    contrainte any more, only the summons) or ``terms`` (payment terms asked: a payment plan to consider)."""
    from caisse.recovery.models import CONTEST_KINDS

    file_access(session, who, "recovery.manage", party_id)
    note = _reason(note)
    if kind not in CONTEST_KINDS:
        raise InvalidInput("kind", "one of {kinds}", kinds=", ".join(CONTEST_KINDS))
    received_on = _day(received_on, "received_on", today)
    f, notice = _after_notice(session, party_id, received_on, "received_on")
    if f.contest_kind == "contest" and kind == "terms":
        raise InvalidInput("kind", "a contestation is already recorded (on {day})", day=f.contested_on)
    f.contested_on, f.contest_kind = received_on, kind
    late = received_on > policy(today).contest_ends(notice, f.notice_presented_on)
    audit.record(session, who, "recovery_contestation", "recovery_file", f.id, party_id=party_id,
                 detail={"kind": kind, "received_on": received_on.isoformat(), "note": note,
                         "after_the_month": late})
    return f


def _handed_to_bailiff(session: Session, f: RecoveryFile | None):
    from caisse.recovery.models import RecoveryHandoverLine

    if f is None or f.stage != "bailiff":
        return None
    return session.scalar(select(RecoveryHandoverLine).where(
        RecoveryHandoverLine.file_id == f.id, RecoveryHandoverLine.cycle == f.cycle,
        RecoveryHandoverLine.stage == "bailiff").order_by(RecoveryHandoverLine.id.desc()).limit(1))


def record_service(session: Session, who: Principal, party_id: int, served_on: dt.date, today: dt.date):
    """The day the contrainte was served (signifiée) on the debtor, entered by recovery staff when the bailiff's
    status file does not bring it: the month of opposition runs from it."""
    file_access(session, who, "recovery.manage", party_id)
    served_on = _day(served_on, "served_on", today)
    h = _handed_to_bailiff(session, file_of(session, party_id))
    if h is None:
        raise InvalidInput("served_on", "the contrainte of this file was not handed to a bailiff "
                                        "(caisse recovery handover)")
    if h.enforcement_on is not None and served_on < h.enforcement_on:
        raise InvalidInput("served_on", "{day} is before the contrainte was issued ({issued})", day=served_on,
                           issued=h.enforcement_on)
    if h.served_on is not None and h.served_on != served_on:
        raise InvalidInput("served_on", "already recorded as {day}", day=h.served_on)
    h.served_on = served_on
    audit.record(session, who, "recovery_served", "recovery_file", h.file_id, party_id=party_id,
                 detail={"served_on": served_on.isoformat()})
    return h


def execution_from(session: Session, party_id: int) -> dt.date | None:
    """The first day the bailiff may execute the contrainte — the day it becomes enforceable: the day after the
    month of opposition from its service (None: not served yet, or not with a bailiff, or an opposition was
    recorded)."""
    h = _handed_to_bailiff(session, file_of(session, party_id))
    if h is None or h.served_on is None or h.opposed_on is not None:
        return None
    return policy(h.served_on).execution_from(h.served_on)


@dataclass(frozen=True)
class ContrainteState:
    """Where the contrainte of a file at ``bailiff`` stands (art. 47bis §5): issued, handed to a bailiff to be
    served, served (the month of opposition running until ``opposition_ends``), enforceable from
    ``enforceable_from`` — recorded by the dunning batch as the step ``enforceable`` (``enforceable_on``)."""

    reference: str
    issued_on: dt.date | None
    served_on: dt.date | None
    opposition_ends: dt.date | None
    enforceable_from: dt.date | None
    enforceable_on: dt.date | None  # the day of the step recorded by the batch, if any

    def enforceable(self, on: dt.date) -> bool:
        return self.enforceable_from is not None and on >= self.enforceable_from


def contrainte_state(session: Session, party_id: int) -> ContrainteState | None:
    """The contrainte of a file handed to a bailiff in its current cycle (None: not at ``bailiff``)."""
    f = file_of(session, party_id)
    h = _handed_to_bailiff(session, f)
    if h is None:
        return None
    ends = policy(h.served_on).opposition_ends(h.served_on) if h.served_on else None
    start = policy(h.served_on).execution_from(h.served_on) if h.served_on and h.opposed_on is None else None
    step_on = session.scalar(select(RecoveryStep.on).where(RecoveryStep.key == enforceable_key(party_id, f.cycle)))
    return ContrainteState(h.enforcement_ref or h.reference, h.enforcement_on, h.served_on, ends, start, step_on)


def enforceable_key(party_id: int, cycle: int) -> str:
    return f"recovery/{party_id}/{cycle}/enforceable"


def record_opposition(session: Session, who: Principal, party_id: int, on: dt.date, note: str,
                      today: dt.date) -> RecoveryStep:
    """The debtor opposed the contrainte (citation of the fund by bailiff, art. 47bis §5): recorded on the
    hand-over line and the file goes to ``court`` (the labour court rules on the debt)."""
    file_access(session, who, "recovery.manage", party_id)
    note = _reason(note)
    on = _day(on, "opposed_on", today)
    h = _handed_to_bailiff(session, file_of(session, party_id))
    if h is None or h.served_on is None:
        raise InvalidInput("opposed_on", "no contrainte served in this file (record the service date first: "
                                         "caisse recovery served)")
    if on < h.served_on:
        raise InvalidInput("opposed_on", "{day} is before the service of the contrainte ({served})", day=on,
                           served=h.served_on)
    h.opposed_on = on
    late = on > policy(h.served_on).opposition_ends(h.served_on)
    return move(session, who, party_id, "court", f"opposition to the contrainte on {on}"
                + (" (after the month from the service: the court decides)" if late else "") + f": {note}", today)


# --- payment plans -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Instalment:
    due_date: dt.date
    amount_cents: int


def parse_schedule(text: str) -> list[Instalment]:
    """``2026-06-01:400.00,2026-07-01:400.00`` → instalments (the first is the down payment)."""
    from caisse.money import to_cents

    out = []
    for n, part in enumerate(p for p in (text or "").split(",") if p.strip()):
        try:
            day, amount = part.strip().split(":")
            due = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise InvalidInput(f"schedule[{n}]", "expected DATE:AMOUNT like 2026-06-01:400.00, got {part!r}",
                               part=part) from None
        out.append(Instalment(due, to_cents(amount.strip(), f"schedule[{n}].amount")))
    return out


def down_payment(debt: int, share) -> int:
    """The smallest down payment: the fund's share of the debt, rounded up to the cent."""
    return -((-debt * share.numerator) // share.denominator)


def check_plan(session: Session, party_id: int, schedule: list[Instalment], today: dt.date) -> tuple[int, int]:
    """Eligibility and schedule (nothing written). Returns (debt covered, down payment)."""
    p = policy(today)
    f = file_of(session, party_id)
    if f is not None and f.stage in ENFORCEMENT_RUNNING:
        raise InvalidInput("party_id", "an enforcement is running (stage {stage}): no plan (S29)",
                           stage=ENFORCEMENT_STAGE[f.stage])
    if f is not None and f.stage == "plan":
        raise InvalidInput("party_id", "a payment plan is already running for this debtor")
    window = add_months(today, -p.plan_broken_window_months)
    broken = session.scalar(select(func.count()).select_from(PaymentPlan).where(
        PaymentPlan.party_id == party_id, PaymentPlan.status == "broken", PaymentPlan.ended_on >= window)) or 0
    if broken >= p.plan_max_broken:
        raise InvalidInput("party_id", "{broken} payment plans broken since {day}: refused after {most} in "
                                       "{months} months (S29)", broken=broken, day=window, most=p.plan_max_broken,
                           months=p.plan_broken_window_months)
    _, debt = owed(session, party_id, today)
    if debt <= 0:
        raise InvalidInput("party_id", "nothing is due: a plan covers only debts already due")
    if not schedule:
        raise InvalidInput("schedule", "at least a down payment and one instalment")
    for n, inst in enumerate(schedule):
        if inst.amount_cents <= 0:
            raise InvalidInput(f"schedule[{n}].amount", "each instalment is a positive amount")
        if inst.due_date < today:
            raise InvalidInput(f"schedule[{n}].due_date", "{day} is before the request ({today})",
                               day=inst.due_date, today=today)
        if n and inst.due_date <= schedule[n - 1].due_date:
            raise InvalidInput(f"schedule[{n}].due_date", "due dates must follow each other")
    last = add_months(today, p.plan_max_months)
    if schedule[-1].due_date > last:
        raise InvalidInput(f"schedule[{len(schedule) - 1}].due_date",
                           "{day} is after {last}: a plan lasts at most {months} months (S29)",
                           day=schedule[-1].due_date, last=last, months=p.plan_max_months)
    total = sum(i.amount_cents for i in schedule)
    if total < debt:
        raise InvalidInput("schedule", "the schedule ({total} EUR) does not cover the debt due on {today} ({debt} "
                                       "EUR): it must cover it exactly", total=fmt(total), today=today, debt=fmt(debt))
    if total > debt:
        raise InvalidInput("schedule", "the schedule ({total} EUR) asks more than the debt due on {today} ({debt} "
                                       "EUR): it must cover it exactly", total=fmt(total), today=today, debt=fmt(debt))
    minimum = down_payment(debt, p.plan_down_payment)
    if schedule[0].amount_cents < minimum:
        raise InvalidInput("schedule[0].amount", "the down payment must be at least {share} of the debt: {minimum} "
                                                 "EUR (S29)", share=p.plan_down_payment, minimum=fmt(minimum))
    return debt, schedule[0].amount_cents


def grant_asked_plan(session: Session, who: Principal, case_id: int, today: dt.date) -> PaymentPlan:
    """A caseworker grants the plan a person asked in the portal (case of kind ``payment_plan``): exactly the
    schedule asked, checked again today; executed at once up to the four-eyes threshold, else pending a manager.
    The answer to the request is written when the plan is decided."""
    from caisse.cases import service as cases
    from caisse.recovery.proposal import schedule_of_case

    c = cases.get_case(session, who, case_id)
    if c.kind != "payment_plan" or c.party_id is None:
        raise InvalidInput("case", "only a payment-plan request carries a plan to grant")
    if c.status == "closed":
        raise InvalidInput("case", "this request is closed")
    plan = request_plan(session, who, c.party_id, schedule_of_case(session, case_id), f"asked in request {c.id}",
                        today, case_id=c.id)
    if plan.status == "pending":
        cases.write(session, who, case_id, f"plan {plan.id} checked and proposed: waiting for a second person's "
                                           "approval (four eyes)", today, internal=True)
    return plan


def request_plan(session: Session, who: Principal, party_id: int, schedule: list[Instalment], reason: str,
                 today: dt.date, *, case_id: int | None = None, settings: Settings | None = None) -> PaymentPlan:
    """Ask a payment plan: checked, recorded, then approved at once under the four-eyes threshold or left to a
    manager (``approvals.decide``); once approved it is active and the recovery file stands at ``plan``."""
    from caisse.services import approvals

    file_access(session, who, "recovery.manage", party_id)
    reason = _reason(reason)
    debt, down = check_plan(session, party_id, schedule, today)
    months = max(1, (schedule[-1].due_date.year - today.year) * 12 + schedule[-1].due_date.month - today.month)
    plan = PaymentPlan(party_id=party_id, status="pending", requested_on=today, debt_cents=debt,
                       down_payment_cents=down, months=months, reason=reason, requested_by=str(who), case_id=case_id)
    session.add(plan)
    session.flush()
    for seq, inst in enumerate(schedule):
        session.add(PaymentPlanInstalment(plan_id=plan.id, seq=seq, due_date=inst.due_date,
                                          amount_cents=inst.amount_cents))
    session.flush()
    approval = approvals.submit(session, who, "payment_plan", party_id, debt, {"plan_id": plan.id}, reason, today,
                                settings or get_settings())
    plan.approval_id = approval.id
    return plan


def execute_plan(session: Session, approval, today: dt.date) -> str:
    """Called by ``services.approvals`` once a plan is approved: the plan becomes active, the recovery file
    stands at ``plan`` (remembering the stage to resume if the plan breaks). Returns the key of the step."""
    plan = session.get(PaymentPlan, approval.payload["plan_id"])
    if plan is None:
        raise NotFound("payment plan", approval.payload["plan_id"])
    if plan.status != "pending":
        raise Conflict("status", "this plan is already {status}", status=plan.status)
    f = file_of(session, plan.party_id)
    if f is not None and f.stage in ENFORCEMENT_RUNNING:  # an enforcement started between request and approval
        raise Conflict("status", "an enforcement is running (stage {stage}): the plan can no longer be granted",
                       stage=ENFORCEMENT_STAGE[f.stage])
    if f is None:
        f = RecoveryFile(party_id=plan.party_id, cycle=1, stage="plan", stage_since=today, opened_on=today)
        session.add(f)
        session.flush()
        previous = None
    else:
        previous = f.stage
        if previous == "closed":
            f.cycle, f.contact_logged_on, f.closing_reason, f.opened_on = f.cycle + 1, None, None, today
            previous = None
        f.resume_stage = previous
        f.stage, f.stage_since = "plan", today
    plan.status, plan.activated_on = "active", today
    key = f"plan/{plan.id}/granted"
    _step(session, f, "plan_granted", "plan", today, approval.decided_by or approval.requested_by,
          step_reason("plan_granted", plan=plan.id, why=plan.reason), plan.debt_cents, key=key, from_stage=previous,
          letter="plan_granted", plan_id=plan.id)
    from caisse.cases.service import complete_tasks

    # the file left personal contact for the plan: its call task (if any) is done — like a file closed as paid.
    # A plan that breaks resumes at personal contact with a new task when no contact was logged (batches.recovery)
    complete_tasks(session, approval.decided_by or approval.requested_by, plan.party_id, "recovery_contact",
                   f"payment plan {plan.id} granted: no call needed while it is respected", today)
    _answer_request(session, plan, today, granted=True)
    return key


_ANSWERS = {
    "granted": {
        "fr": "Votre plan d'apurement est accordé : {n} paiements, le premier de {first} EUR le {first_day}, "
              "le dernier le {last_day}. Tant que vous le respectez, aucune procédure de recouvrement ne sera "
              "engagée ; les majorations continuent de courir selon la loi (art. 44 AR 19-12-1967) : une fois "
              "les cotisations payées, vous pourrez en demander la renonciation.",
        "nl": "Uw afbetalingsplan is toegestaan: {n} betalingen, de eerste van {first} EUR op {first_day}, de laatste "
              "op {last_day}. Zolang u het naleeft, start geen invordering; de verhogingen lopen volgens de wet verder "
              "(art. 44 KB 19-12-1967): zodra de bijdragen betaald zijn, kunt u de kwijtschelding ervan vragen.",
        "de": "Ihr Zahlungsplan ist bewilligt: {n} Zahlungen, die erste von {first} EUR am {first_day}, die letzte am "
              "{last_day}. Solange Sie ihn einhalten, wird keine Beitreibung eingeleitet; die Beitragszuschläge laufen "
              "nach dem Gesetz weiter (Art. 44 KE 19-12-1967): sind die Beiträge bezahlt, können Sie ihren Erlass "
              "beantragen.",
    },
    "refused": {
        "fr": "Votre demande de plan d'apurement n'est pas accordée : {why}. Votre gestionnaire de dossier vous "
              "contacte pour chercher une autre solution.",
        "nl": "Uw aanvraag voor een afbetalingsplan is niet toegestaan: {why}. Uw dossierbeheerder neemt contact met u "
              "op om een andere oplossing te zoeken.",
        "de": "Ihr Antrag auf einen Zahlungsplan ist nicht bewilligt: {why}. Ihr Sachbearbeiter nimmt Kontakt mit "
              "Ihnen auf, um eine andere Lösung zu suchen.",
    },
}


def _answer_request(session: Session, plan: PaymentPlan, today: dt.date, *, granted: bool, why: str = "") -> None:
    """The person asked the plan in the portal: the decision is the answer to that request, in their language."""
    if plan.case_id is None:
        return
    from caisse.cases import service as cases

    lang = session.get(Party, plan.party_id).language
    lang = lang if lang in ("fr", "nl", "de") else "fr"
    rows = instalments(session, plan.id)
    text = _ANSWERS["granted" if granted else "refused"][lang].format(
        n=len(rows), first=fmt(rows[0].amount_cents) if rows else "", why=why or "-",
        first_day=rows[0].due_date.strftime("%d/%m/%Y") if rows else "",
        last_day=rows[-1].due_date.strftime("%d/%m/%Y") if rows else "")
    cases.answer(session, Principal.system("recovery"), plan.case_id, text, today)


def instalments(session: Session, plan_id: int) -> list[PaymentPlanInstalment]:
    return list(session.scalars(select(PaymentPlanInstalment).where(PaymentPlanInstalment.plan_id == plan_id)
                                .order_by(PaymentPlanInstalment.seq)))


def refuse_plan(session: Session, approval, today: dt.date) -> None:
    """A manager rejected the plan (four eyes): it is refused; the recovery file did not move."""
    plan = session.get(PaymentPlan, approval.payload["plan_id"])
    if plan is not None and plan.status == "pending":
        plan.status, plan.ended_on = "refused", today
        _answer_request(session, plan, today, granted=False, why=approval.decision_note or "")
