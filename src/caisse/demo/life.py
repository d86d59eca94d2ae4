"""What the fund's staff do along the demo calendar, through the same services and batches they use.

- the reconciliation desk: unidentified payments assigned to the debtor they obviously belong to (the suggestion
  the import made: the payer's IBAN and the amount), a few refunded; the last weeks' lines are left open;
- recovery: the recovery batch each month, the personal contacts logged by the recovery officer, two payment
  plans (one respected, one broken), a bailiff with a hand-over and a status file;
- the year's cases: questions, requests and complaints by every channel, in the person's language, most answered
  within their deadline, a few late, a backlog still open;
- relief (a dispensation asked and granted by INASTI, a surcharge waiver), benefit claims through the life-events
  path (birth leave granted, a bridging right) and a refusal with its appeal route, the life-events batch, the tax
  certificates of the ended year.

Deterministic: every choice comes from the seeded generator or from the data, in file order.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from collections.abc import Callable

from sqlalchemy import func, select

from caisse.security.authz import Principal
from caisse.services.calendar import Quarter
from caisse.store.db import session_scope
from caisse.store.models import Account, Party

RECOVERY_FROM = Quarter(2024, 3)
RECOVERY_DAYS = (5,)  # the recovery batch runs on these days of each month
CONTACT_SHARE = 0.8  # per run (monthly): the personal contacts the recovery officer manages to log
OPEN_DAYS = 14  # bank lines younger than this are still on the desk
PLAN_DAY = dt.date(2026, 1, 5)
PARTNERS = (("HUI-NAMUR", "bailiff", "Étude Lemaire, huissiers de justice", "rue de Fer 12;5000 Namur", "fr"),
            ("HUI-GENT", "bailiff", "Gerechtsdeurwaarders Peeters & De Vos", "Kouter 7;9000 Gent", "nl"),
            ("ADV-LIEGE", "lawyer", "Cabinet Renard, avocats", "boulevard d'Avroy 40;4000 Liège", "fr"))


def _staff(session, login: str) -> Principal | None:
    row = session.execute(select(Account.id, Account.role, Account.team).where(Account.login == login)).first()
    if row is None:
        return None
    # the demo's staff act on every team's files (a small fund: one team does it all)
    return Principal(login=login, role="manager", account_id=row.id)


def demo_debtors(url: str, mandated: set[int] | frozenset = frozenset()) -> set[int]:
    """The files that stop paying two quarters back (still in arrears today): the demo affiliate's, and one more of
    the recovery officer's team — the first person there paying by transfer who does not struggle — so that the
    recovery desk always has a debtor owing contributions of its own team before the formal notice, even once the
    demo affiliate's file is settled by a plan."""
    from caisse.demo.calendar import _struggling
    from caisse.store.models import Affiliation, Person

    with session_scope(url) as session:
        pid = session.scalar(select(Account.party_id).where(Account.login == "demo-affiliate"))
        team = session.scalar(select(Account.team).where(Account.login == "demo-recovery"))
        out = {pid} if pid else set()
        if team:
            people = session.scalars(select(Party.id).join(Person, Person.id == Party.id)
                                     .join(Affiliation, Affiliation.person_id == Party.id)
                                     .where(Party.team == team, Affiliation.start_date < dt.date(2024, 1, 1),
                                            Affiliation.end_date.is_(None))
                                     .order_by(Party.id)).all()
            other = next((p for p in people if p not in out and p not in mandated and not _struggling(p)), None)
            if other is not None:
                out.add(other)
    return out


# --- the reconciliation desk -------------------------------------------------------------------------------------

def reconcile(url: str, until: dt.date, rng: random.Random) -> int:
    """Settle the parked payments older than two weeks on ``until``: assigned to the suggested debtor, refunded
    when nobody fits (or, now and then, when the payer was not a contributor)."""
    from caisse.collection.models import BankLine, ReconciliationItem
    from caisse.collection.reconciliation import assign_item, refund_item

    n = 0
    with session_scope(url) as session:
        who = _staff(session, "demo-caseworker") or Principal.system("demo")
        rows = session.execute(
            select(ReconciliationItem.id, ReconciliationItem.suggestions, BankLine.value_date)
            .join(BankLine, BankLine.id == ReconciliationItem.bank_line_id)
            .where(ReconciliationItem.status == "open", ReconciliationItem.payment_key.is_not(None),
                   BankLine.value_date <= until - dt.timedelta(days=OPEN_DAYS))
            .order_by(ReconciliationItem.id)).all()
        from caisse.services import approvals
        from caisse.store.models import Approval

        waiting = set(session.scalars(select(Approval.item_id).where(Approval.kind == "parked_refund",
                                                                     Approval.status == "pending")))
        for item_id, suggestions, value_date in rows:
            if item_id in waiting:  # its refund awaits the manager (four eyes): below
                continue
            when = value_date + dt.timedelta(days=rng.randint(1, 8))
            if suggestions and rng.random() > 0.06:
                first = suggestions[0]
                assign_item(session, item_id, int(first["party_id"]), who, designation=first.get("period"))
            else:
                refund_item(session, item_id, who, reason="payer not identified as a contributor: paid back",
                            booked_on=when)
            n += 1
        manager = _staff(session, "demo-manager")
        if manager is not None:  # the manager checks the refunds waiting for a second pair of eyes
            for approval_id in session.scalars(select(Approval.id).where(Approval.kind == "parked_refund",
                                                                          Approval.status == "pending")
                                               .order_by(Approval.id)):
                approvals.decide(session, manager, approval_id, True, "payer checked on the bank line", until)
    return n


def recent_unidentified(url: str, today: dt.date, bank) -> int:
    """This week's transfers that came without a communication from accounts the fund knows (a few a week in a
    real fund): still on the reconciliation desk today, each with the file its account number points to."""
    from caisse.demo.calendar import Payment
    from caisse.store.models import BankAccount, Person

    with session_scope(url) as session:
        payers = session.execute(
            select(BankAccount.party_id, BankAccount.iban, Person.first_name, Person.last_name)
            .join(Person, Person.id == BankAccount.party_id).where(BankAccount.valid_to.is_(None))
            .order_by(BankAccount.party_id, BankAccount.id).offset(10).limit(3)).all()
    day = today
    for k, (_party, iban, first, last) in enumerate(payers):
        day -= dt.timedelta(days=1)
        while day.weekday() >= 5:  # booked on a bank's working day
            day -= dt.timedelta(days=1)
        bank.queue.append(Payment(day, 50_000 + 12_345 * k, text="cotisations", iban=iban,
                                  name=f"{last} {first}".upper()))
    return len(payers)


# --- recovery ----------------------------------------------------------------------------------------------------

def recovery(url: str, q: Quarter, today: dt.date, rng: random.Random, counts: dict) -> None:
    """The recovery batch each month of the quarter, with the personal contacts logged in between; the
    hand-over to the bailiffs at the quarter's end."""
    from caisse.batches import recovery as recovery_batch

    if q < RECOVERY_FROM:
        return
    if q == RECOVERY_FROM:
        _partners(url)
    for month in range(3 * q.number - 2, 3 * q.number + 1):
        for day in RECOVERY_DAYS:
            on = dt.date(q.year, month, day)
            if on > today:
                return
            recovery_batch.run(url, on)
            counts["recovery_runs"] = counts.get("recovery_runs", 0) + 1
            counts["contacts"] = counts.get("contacts", 0) + _contacts(url, on, rng)
    if q.last_day < today:
        _handover(url, q.last_day, counts)


def recovery_today(url: str, today: dt.date) -> None:
    """The recovery batch on the demo's day: the files whose debtor has paid since the last run are closed."""
    from caisse.batches import recovery as recovery_batch

    if Quarter.of(today) >= RECOVERY_FROM and today.day not in RECOVERY_DAYS:
        _contacts(url, today, random.Random(today.toordinal()))
        recovery_batch.run(url, today)


def _contacts(url: str, on: dt.date, rng: random.Random) -> int:
    from caisse.cases.models import Case
    from caisse.recovery.models import RecoveryFile
    from caisse.recovery.service import log_contact

    n = 0
    with session_scope(url) as session:
        who = _staff(session, "demo-recovery") or Principal.system("demo-recovery")
        moved_on = session.execute(  # tasks whose file has left the stage (paid, a plan, ...) are closed
            select(Case.id, Case.party_id).join(RecoveryFile, RecoveryFile.party_id == Case.party_id)
            .where(Case.kind == "recovery_contact", Case.status != "closed", Case.opened_on <= on,
                   RecoveryFile.stage != "personal_contact").order_by(Case.id)).all()
        for case_id, _pid in moved_on:
            _answer_and_close(session, who, case_id, on, "no call needed any more: the file has moved on "
                              "(debt paid, a plan granted or the file closed)")
        waiting = session.scalars(select(RecoveryFile.party_id).where(
            RecoveryFile.stage == "personal_contact", RecoveryFile.contact_logged_on.is_(None),
            RecoveryFile.stage_since < on).order_by(RecoveryFile.party_id)).all()
        for pid in waiting:
            if rng.random() < CONTACT_SHARE:  # most are reached within the month, a few wait
                outcome = rng.choice(("reached by phone; cannot pay now, will ask a plan",
                                      "reached by phone; disputes nothing, told of the next step",
                                      "met at the office; situation explained, enforcement announced",
                                      "no answer after three calls; voicemail left, letter follows"))
                log_contact(session, who, pid, on, outcome, channel="meeting" if "office" in outcome else "phone")
                _close_contact_task(session, who, pid, on, outcome)
                n += 1
    return n


def _close_contact_task(session, who: Principal, pid: int, on: dt.date, outcome: str) -> None:
    """The personal-contact task of the work queue is answered with what was said, then closed."""
    from caisse.cases.models import Case

    for case_id in session.scalars(select(Case.id).where(Case.party_id == pid, Case.kind == "recovery_contact",
                                                         Case.status != "closed").order_by(Case.id)):
        _answer_and_close(session, who, case_id, on, f"Following our contact of {on.isoformat()}: {outcome}.")


def _answer_and_close(session, who: Principal, case_id: int, on: dt.date, text: str) -> None:
    from caisse.cases import service as cases

    cases.answer(session, who, case_id, text, on, at=dt.datetime.combine(on, dt.time(10)))
    cases.close(session, who, case_id, on)


def _partners(url: str) -> None:
    from caisse.recovery.partners import add_partner

    with session_scope(url) as session:
        who = _staff(session, "demo-manager") or Principal.system("demo")
        for code, kind, name, address, lang in PARTNERS:
            add_partner(session, who, code, kind, name, address, f"{code.lower()}@demo.invalid", lang)


def _handover(url: str, on: dt.date, counts: dict) -> None:
    from caisse.recovery.partners import handover

    with tempfile.TemporaryDirectory() as out:  # the CSV as sent is kept in the database
        result = handover(url, on, out, Principal.system("demo-recovery"))
    counts["handed_over"] = counts.get("handed_over", 0) + sum(h.debtors for h in result.files)


def _plans(url: str, on: dt.date) -> int:
    """Two debtors who answered the formal notice ask a plan: a down payment and four monthly instalments."""
    from caisse.recovery.models import RecoveryFile
    from caisse.recovery.service import Instalment, owed, request_plan
    from caisse.services import approvals

    made = 0
    with session_scope(url) as session:
        officer, manager = _staff(session, "demo-recovery"), _staff(session, "demo-manager")
        if officer is None or manager is None:
            return 0
        candidates = session.scalars(select(RecoveryFile.party_id).where(
            RecoveryFile.stage.in_(("statement", "formal_notice", "personal_contact")))
            .order_by(RecoveryFile.party_id)).all()
        from caisse.demo.calendar import _struggling

        debts = {pid: owed(session, pid, on)[1] for pid in candidates}
        # the first plan for someone who pays, the second for someone who struggles (each the first such file)
        chosen = [next((pid for pid in candidates if 30_000 <= debts[pid] <= 400_000 and _struggling(pid) is hard),
                       None) for hard in (False, True)]
        for pid in chosen:
            if pid is None:
                continue
            debt = debts[pid]
            down = -(-debt // 3)
            rest, parts = debt - down, 4
            days = [on + dt.timedelta(days=14)] + [dt.date(on.year, on.month + k, 19) for k in range(1, parts + 1)]
            amounts = [down] + [rest // parts] * (parts - 1) + [rest - rest // parts * (parts - 1)]
            plan = request_plan(session, officer, pid, [Instalment(d, a) for d, a in zip(days, amounts, strict=True)],
                                "asked by phone after the formal notice; income irregular this winter", on)
            approval = session.get(approvals.Approval, plan.approval_id)
            if approval.status == "pending":
                approvals.decide(session, manager, approval.id, True, "instalments within the debtor's means", on)
            made += 1
    return made


def broken_plan_debtors(url: str) -> set[int]:
    """The debtor of the second plan stops paying anything once the plan is granted."""
    from caisse.recovery.models import PaymentPlan

    with session_scope(url) as session:
        ids = session.scalars(select(PaymentPlan.party_id).where(PaymentPlan.requested_on == PLAN_DAY)
                              .order_by(PaymentPlan.id)).all()
    return {ids[1]} if len(ids) > 1 else set()


def plan_payments(url: str, q: Quarter, today: dt.date, bank) -> int:
    """The first plan is paid as agreed; the second only its down payment and first instalment (then broken)."""
    from caisse.demo.calendar import Payment
    from caisse.recovery.models import PaymentPlan, PaymentPlanInstalment
    from caisse.references import for_statement
    from caisse.store.models import BankAccount

    n = 0
    if q == Quarter.of(PLAN_DAY) and today >= PLAN_DAY:
        _plans(url, PLAN_DAY)
    with session_scope(url) as session:
        plans = session.scalars(select(PaymentPlan).where(PaymentPlan.requested_on == PLAN_DAY)
                                .order_by(PaymentPlan.id)).all()
        if len(plans) > 1:  # the second debtor pays nothing but the first two instalments
            gone = session.scalar(select(BankAccount.iban).where(BankAccount.party_id == plans[1].party_id)
                                  .order_by(BankAccount.id).limit(1))
            bank.queue[:] = [p for p in bank.queue if not (gone and p.iban == gone)]
        for rank, plan in enumerate(plans[:2]):
            iban = session.scalar(select(BankAccount.iban).where(BankAccount.party_id == plan.party_id)
                                  .order_by(BankAccount.id).limit(1)) or ""
            ogm = for_statement(plan.party_id, PLAN_DAY.year).ogm
            for inst in session.scalars(select(PaymentPlanInstalment).where(PaymentPlanInstalment.plan_id == plan.id)
                                        .order_by(PaymentPlanInstalment.seq)):
                if rank == 1 and inst.seq > 1:
                    break
                day = inst.due_date - dt.timedelta(days=2)
                if q.first_day <= day <= min(q.last_day, today):
                    bank.queue.append(Payment(day, inst.amount_cents, ogm=ogm, iban=iban, name=f"plan {plan.id}"))
                    n += 1
    return n


# --- the rest of the year ----------------------------------------------------------------------------------------

def the_rest_of_the_year(url: str, today: dt.date, seed: int, counts: dict,
                         echo: Callable[[str], None] | None = None) -> None:
    from caisse.demo import cases_year

    rng = random.Random(seed * 104729)
    with session_scope(url) as session:
        from caisse.recovery.models import PaymentPlan

        counts["plans"] = _count(session, PaymentPlan)
    counts["cases"] = cases_year.seed_cases(url, today, rng)
    _status_file(url, today, counts)
    counts["benefits"] = _benefits(url, today)
    _relief(url, today, counts)
    _tax_certificates(url, today, counts)
    if echo:
        echo(f"  {counts['cases']} questions, requests and complaints over the year; {counts.get('plans', 0)} "
             f"payment plans; {counts.get('contacts', 0)} personal contacts; {counts['benefits']} benefit claims")


def _status_file(url: str, today: dt.date, counts: dict) -> None:
    """The first bailiff reports: a contrainte served, money collected with costs, a debtor not found."""
    from caisse.recovery.models import RecoveryHandover, RecoveryHandoverLine, RecoveryPartner
    from caisse.recovery.partner_status import import_status

    with session_scope(url) as session:
        h = session.scalar(select(RecoveryHandover).order_by(RecoveryHandover.id).limit(1))
        if h is None:
            return
        code = session.scalar(select(RecoveryPartner.code).where(RecoveryPartner.id == h.partner_id))
        handed = h.as_of
        refs = [(ln.reference, ln.party_id, ln.amount_cents) for ln in session.scalars(
            select(RecoveryHandoverLine).where(RecoveryHandoverLine.handover_id == h.id)
            .order_by(RecoveryHandoverLine.id).limit(3))]
    if not refs:
        return
    served = min(handed + dt.timedelta(days=21), today)
    later = min(handed + dt.timedelta(days=75), today)
    out = ["partner_ref,our_reference,file_number,event_date,served_on,paid,costs,outcome,note"]
    for i, (ref, pid, total) in enumerate(refs):
        out.append(f"{code}-{i + 1:04d}A,{ref},{pid},{served},{served},,,,served in person")
        if i == 0:
            out.append(f"{code}-{i + 1:04d}B,{ref},{pid},{later},,{total // 100}.{total % 100:02d},145.20,paid,"
                       "paid in full")
        elif i == 2:
            out.append(f"{code}-{i + 1:04d}B,{ref},{pid},{later},,,62.50,not_found,left the address; no new one")
    import_status(url, ("\n".join(out) + "\n").encode(), code, Principal.system("demo-recovery"), today)
    counts["status_files"] = 1


def _candidates(session, today: dt.date, *, struggling: bool | None = None, sex: str | None = None) -> list[int]:
    """People in main activity since before 2024, in file order (struggling payers or not)."""
    from caisse.demo.calendar import _struggling
    from caisse.store.models import Affiliation, CategoryPeriod, Person

    q = (select(Person.id).join(Affiliation, Affiliation.person_id == Person.id)
         .join(CategoryPeriod, CategoryPeriod.affiliation_id == Affiliation.id)
         .where(Affiliation.status == "affiliated", CategoryPeriod.category == "main",
                CategoryPeriod.valid_to.is_(None), Affiliation.start_date < dt.date(2023, 1, 1)))
    if sex:
        q = q.where(Person.sex == sex)
    ids = session.scalars(q.order_by(Person.id)).all()
    return [i for i in ids if struggling is None or _struggling(i) == struggling]


def _first(session, candidates: list[int], attempt) -> int | None:
    """The first candidate for whom ``attempt`` goes through (each try in a savepoint: a refusal writes nothing)."""
    from caisse.errors import Conflict, InvalidInput, UnknownParameter

    for pid in candidates[:60]:
        nested = session.begin_nested()
        try:
            attempt(pid)
        except (InvalidInput, Conflict, UnknownParameter, _NotThisOne):  # an estimate is never decided on
            nested.rollback()
            continue
        nested.commit()
        return pid
    return None


def _benefits(url: str, today: dt.date) -> int:
    """Life events the fund learns: a birth (the co-parent's leave claim opened with the leave declared), a
    bankruptcy (a bridging right opened of the fund's own motion), and a birth-leave claim refused for unpaid
    quarters, with its appeal route; then the life-events batch (pension ages, cessations)."""
    from caisse.benefits import service as benefits
    from caisse.benefits.events import record_event, run_life_events
    from caisse.benefits.models import BenefitClaim

    birth = today - dt.timedelta(days=50)
    leave = {"parent": "co_parent", "start": birth + dt.timedelta(days=3), "end": birth + dt.timedelta(days=30),
             "days": 10}
    with session_scope(url) as session:
        who = _staff(session, "demo-caseworker") or Principal.system("demo")
        # the birth-leave amounts from May 2024 on are estimates (rules/parameters/benefits.yaml): the claim opens,
        # with the leave declared, and waits for the published amount — the fund never decides on an estimate
        _first(session, _candidates(session, today, struggling=False, sex="M"), lambda pid: record_event(
            session, who, pid, "birth", birth, birth + dt.timedelta(days=6), leave, source="civil registry"))
        bankrupt = today - dt.timedelta(days=70)
        _first(session, _candidates(session, today, struggling=True), lambda pid: record_event(
            session, who, pid, "bankruptcy", bankrupt, bankrupt + dt.timedelta(days=4),
            {"months": 3, "family_charge": True}, source="Belgian Official Gazette"))

        def refused(pid: int) -> None:
            facts = {"birth_date": birth, "start": birth + dt.timedelta(days=7), "end": birth + dt.timedelta(days=40),
                     "days": 15}
            claim = benefits.file_claim(session, who, pid, "birth_leave", facts, birth + dt.timedelta(days=9))
            benefits.decide(session, who, claim.id, birth + dt.timedelta(days=30))
            if claim.status != "refused":
                raise _NotThisOne("granted")

        # a struggling payer first; else anyone whose quarters before the birth are unpaid
        _first(session, _candidates(session, today, struggling=True, sex="M")
               + _candidates(session, today, struggling=False, sex="M"), refused)
        n = _count(session, BenefitClaim)
    run_life_events(url, today)
    return n


class _NotThisOne(Exception):
    pass


def _relief(url: str, today: dt.date, counts: dict) -> None:
    """A struggling debtor asks a dispensation of a quarter (informed first of the pension consequence), INASTI
    grants it; a late payer asks the waiver of a quarter's surcharges, INASTI grants it."""
    from caisse.recovery import relief
    from caisse.services import approvals

    asked = today - dt.timedelta(days=45)
    quarter = str(Quarter.of(asked - dt.timedelta(days=92)))
    with session_scope(url) as session:
        who, manager = _staff(session, "demo-caseworker"), _staff(session, "demo-manager")
        if who is None or manager is None:
            return

        def dispensation(pid: int) -> None:
            notice, _ = relief.pension_notice(session, who, pid, quarter, asked)
            relief.request_dispensation(session, who, pid, quarter, "activity halted for four months after an "
                                        "accident; no income this quarter", asked + dt.timedelta(days=4),
                                        signed_personally=True, case_id=notice.case_id)

        def waiver(pid: int) -> None:
            from caisse.errors import InvalidInput

            q = Quarter.of(asked)
            for _ in range(6):  # the latest quarter paid late whose surcharges may be waived
                q = Quarter.of(q.first_day - dt.timedelta(days=1))
                try:
                    relief.request_waiver(session, who, pid, str(q), "paid late during a stay in hospital",
                                          "force_majeure", asked + dt.timedelta(days=2))
                    return
                except InvalidInput:
                    continue
            raise _NotThisOne("no quarter paid late")

        d = _first(session, _candidates(session, today, struggling=True), dispensation)
        w = _first(session, _candidates(session, today, struggling=False), waiver)
        with tempfile.TemporaryDirectory() as out:
            for kind in ("dispensation", "surcharge_waiver"):
                relief.export_requests(session, who, kind, asked + dt.timedelta(days=6), out)
        for pid, ref in ((d, "INASTI/DISP/2026/0421"), (w, "INASTI/MAJ/2026/1187")):
            if pid is None:
                continue
            r = relief.requests_of(session, pid)[-1]
            decided = asked + dt.timedelta(days=35)
            relief.record_decision(session, _staff(session, "demo-recovery") or who, r.id, decided + dt.timedelta(
                days=3), decided_on=decided, reference=ref, granted=",".join(r.periods),
                surcharges_included=False if r.kind == "dispensation" else None)
            for a in approvals.pending(session, manager):
                if a.party_id == pid:
                    approvals.decide(session, manager, a.id, True, "INASTI's decision checked", decided +
                                     dt.timedelta(days=4))
        counts["relief"] = sum(1 for x in (d, w) if x)


def _tax_certificates(url: str, today: dt.date, counts: dict) -> None:
    from caisse.reporting import tax_certificates

    year = today.year - 1
    if year >= 2024:
        tax_certificates.run(url, year, today=today)
        counts["tax_certificates"] = year


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


__all__ = ["Party", "demo_debtors", "plan_payments", "reconcile", "recovery", "the_rest_of_the_year"]
