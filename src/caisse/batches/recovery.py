"""The dunning batch: ``caisse run recovery --as-of D`` (issue 7, legislation.md §5-§6, addendum §5-6).

Set-based over every debtor: one GROUP BY over the ledger gives each debtor's principal due before ``as_of``
and unpaid, everything owed, and the oldest open due date (``recovery.arrears``); one read each of the
recovery files, the active payment plans, the open requests (cases whose kind ``suspends_recovery``) and the
debtors still subject. numpy masks then decide, per debtor, at most **one** move:

1. an active payment plan is monitored against the payments booked since it was asked: an instalment unpaid
   after its due date → a notice (once per instalment); still unpaid after the grace period → the plan is
   broken and recovery resumes at the stage it stood; everything paid → the plan is completed (file closed,
   reason ``plan``). While a plan is respected nothing else happens (surcharges keep running: their batch);
2. a file whose debtor owes nothing any more is closed (reason ``paid``);
3. a debtor with open principal moves to the next stage once the delay of ``recovery.yaml`` is over:
   reminder → statement → formal notice (registered letter, art. 46) → personal contact (a task in the work
   queue; the month to contest or ask terms must be over) → enforcement order (only once the contact is
   logged, and never while a contestation received after the formal notice is recorded: then the summons, by
   hand) → bailiff (at the next run: the contrainte is handed to a bailiff to be served; the month of opposition
   runs from the service date the bailiff reports) → enforceable (the day after that month without an opposition
   recorded: a dated step ``enforceable``, the file stays with the bailiff, who may execute; an opposition sends
   it to ``court``). ``court`` and the follow-up are by hand.

Never moved: a debtor with a running plan, a pending request, an open bankruptcy (the claim goes to the
trustee: ``recovery.bankruptcy``), or — no longer subject — a debt under the art. 50bis threshold (the fund may
renounce it) — but when such a debt holds unpaid contribution quarters (pension rights), the person is first
informed, once per cycle: a step ``fiftybis`` with its letter (the debt, that the fund may renounce it, the quarters
that would not count for the pension unless paid; key ``recovery/<file>/<cycle>/fiftybis``). A debtor without an
open file gets one at ``reminder`` (the letter lists what is owed and asks for payment: it is the cycle's reminder);
an open file keeps its stage. Each move is a ``recovery_step`` row with its letter (PDF on demand, ``caisse recovery
letters``); keys ``recovery/<file>/<cycle>/<stage>`` and ``plan/<id>/...`` make a rerun, a resumed run or a
concurrent twin write nothing twice (``framework.run_batch``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
from sqlalchemy import Date, bindparam, insert, select, text, update

from caisse.batches.framework import CHUNK, Progress, Summary, run_batch
from caisse.cases.service import deadlines
from caisse.errors import InvalidInput
from caisse.money import fmt
from caisse.recovery import fiftybis
from caisse.recovery.arrears import arrears, received
from caisse.recovery.models import PaymentPlan, PaymentPlanInstalment, RecoveryFile, RecoveryStep
from caisse.recovery.policy import LETTER_OF_STAGE, next_stage, policy
from caisse.recovery.step_reasons import reason
from caisse.security.authz import Principal
from caisse.store.db import among, engine_for, session_scope
from caisse.store.models import Party, utcnow

#: why a file moves forward to a stage without values in its reason (step_reasons.REASONS)
REASON_OF_STAGE = {"statement": "reminder_unpaid", "formal_notice": "statement_unpaid",
                   "personal_contact": "notice_unanswered", "bailiff": "contrainte_to_bailiff"}
ACTOR = "batch:recovery"


def _date(v) -> dt.date | None:
    if v is None:
        return None
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def _subject(conn, at: dt.date) -> set[int]:
    """Debtors still subject on ``at`` (``recovery.fiftybis.subject``)."""
    return fiftybis.subject(conn, at)


def _pending_requests(conn, at: dt.date) -> dict[int, str]:
    kinds = [k for k, rule in deadlines().items() if rule.get("suspends_recovery")]
    stmt = text("""SELECT party_id, kind FROM "case" WHERE status <> 'closed' AND party_id IS NOT NULL
                   AND opened_on <= :at AND kind IN :kinds""").bindparams(
        bindparam("at", type_=Date), bindparam("kinds", expanding=True))
    return {int(p): k for p, k in conn.execute(stmt, {"at": at, "kinds": kinds})}


def _bankrupt(conn, at: dt.date) -> set[int]:
    """Debtors whose bankruptcy is open: the collective procedure replaces individual recovery."""
    stmt = text("SELECT party_id FROM recovery_bankruptcy WHERE status = 'open' AND declared_on <= :at").bindparams(
        bindparam("at", type_=Date))
    return set(conn.execute(stmt, {"at": at}).scalars())


def _monitor_plans(url: str, as_of: dt.date, key: str, p, summary: Summary, moved: set[int], owed) -> None:
    """Active plans against the payments booked since each was asked (one small transaction); ``owed``: the
    whole fund's arrears, read once by the batch (plans write no ledger entries)."""
    with session_scope(url) as s:
        plans = list(s.scalars(select(PaymentPlan).where(PaymentPlan.status == "active",
                                                         PaymentPlan.activated_on <= as_of)
                               .order_by(PaymentPlan.id)))
        if not plans:
            return
        paid = received(s.connection(), [pl.party_id for pl in plans], {pl.party_id: pl.requested_on for pl in plans},
                        as_of)
        done = set(s.scalars(select(RecoveryStep.key).where(RecoveryStep.plan_id.in_([pl.id for pl in plans]))))
        parties = [pl.party_id for pl in plans]
        langs = dict(s.execute(select(Party.id, Party.language).where(Party.id.in_(parties))).all())
        counts: Counter = Counter()
        for pl in plans:
            f = s.scalar(select(RecoveryFile).where(RecoveryFile.party_id == pl.party_id))
            insts = list(s.scalars(select(PaymentPlanInstalment).where(PaymentPlanInstalment.plan_id == pl.id)
                                   .order_by(PaymentPlanInstalment.seq)))
            got = paid.get(pl.party_id, 0)
            cum = np.cumsum([i.amount_cents for i in insts])
            late = [(i, int(c)) for i, c in zip(insts, cum, strict=True) if i.due_date < as_of and got < c]
            broken = [i for i, _ in late if i.due_date + dt.timedelta(days=p.plan_grace_days) < as_of]
            total = owed.of(pl.party_id)[1]

            def step(event, to_stage, why: dict, k, letter=None, from_stage="plan", closing=None, case_id=None,
                     pl=pl, f=f, total=total):
                s.add(RecoveryStep(key=k, file_id=f.id, party_id=pl.party_id, cycle=f.cycle, event=event,
                                   from_stage=from_stage, to_stage=to_stage, on=as_of, actor=ACTOR, **why,
                                   closing_reason=closing, amount_cents=total, language=langs[pl.party_id],
                                   letter=letter, plan_id=pl.id, batch_key=key, case_id=case_id))

            if broken:
                i = broken[0]
                resume = f.resume_stage or "reminder"
                k = f"plan/{pl.id}/broken"
                if k not in done:
                    pl.status, pl.ended_on = "broken", as_of
                    f.stage, f.stage_since, f.resume_stage, f.updated_at = resume, as_of, None, utcnow()
                    why = reason("plan_broken", seq=i.seq, due=i.due_date, amount=i.amount_cents,
                                 grace=p.plan_grace_days, stage=resume)
                    task = None
                    if resume == "personal_contact" and f.contact_logged_on is None:
                        # the grant closed the call task; the call is still owed before any judicial step
                        from caisse.cases.service import open_file_cases_in_bulk

                        task = open_file_cases_in_bulk(s, Principal.system(ACTOR), "recovery_contact", [(
                            pl.party_id, "Recovery: call the debtor before any judicial step",
                            f"{why['reason']}. Owed: {fmt(total)} EUR. Log the contact: caisse recovery contact "
                            f"--debtor {pl.party_id}")], as_of)[pl.party_id]
                    step("plan_broken", resume, why, k, letter="plan_broken", case_id=task)
                    counts["plans broken"] += 1
                    summary.notices += 1
                moved.add(pl.party_id)
            elif got >= int(cum[-1]):
                k = f"plan/{pl.id}/completed"
                if k not in done:
                    pl.status, pl.ended_on = "completed", as_of
                    f.stage, f.stage_since, f.closing_reason, f.resume_stage = "closed", as_of, "plan", None
                    f.updated_at = utcnow()
                    step("plan_completed", "closed", reason("plan_completed", plan=pl.id), k, closing="plan")
                    counts["plans completed"] += 1
                moved.add(pl.party_id)
            else:
                if late:
                    i = late[0][0]
                    k = f"plan/{pl.id}/missed/{i.seq}"
                    if k not in done:
                        step("plan_missed", "plan", reason("plan_missed", seq=i.seq, due=i.due_date,
                                                           amount=i.amount_cents, grace=p.plan_grace_days), k,
                             letter="plan_missed")
                        counts["instalments missed"] += 1
                        summary.notices += 1
                counts["plans respected"] += 0 if late else 1
                moved.add(pl.party_id)
        for name, n in counts.items():
            summary.details[name] = n


def run(url: str, as_of: dt.date, *, progress: Progress | None = None, chunk: int = CHUNK) -> Summary:
    if not isinstance(as_of, dt.date):
        raise InvalidInput("as_of", "a date is required (YYYY-MM-DD)")
    key = f"recovery/{as_of.isoformat()}"
    p = policy(as_of)

    def body(_params: dict, summary: Summary) -> None:
        engine = engine_for(url)
        with engine.connect() as conn:
            already = set(conn.execute(select(RecoveryStep.party_id).where(RecoveryStep.batch_key == key)).scalars())
            a = arrears(conn, as_of)   # the whole fund's arrears, read once
        moved: set[int] = set(already)
        _monitor_plans(url, as_of, key, p, summary, moved, a)
        with session_scope(url) as s:  # plans agreed by a bailiff or lawyer: instalments received through it
            from caisse.recovery import partner_plans

            followed = partner_plans.monitor(s, Principal.system("recovery-run"), as_of)
        summary.details.update({f"partner plans: instalments {k}": v for k, v in followed.items() if v})
        with engine.connect() as conn:
            files = {int(r[0]): r for r in conn.execute(select(
                RecoveryFile.party_id, RecoveryFile.id, RecoveryFile.cycle, RecoveryFile.stage,
                RecoveryFile.stage_since, RecoveryFile.contact_logged_on, RecoveryFile.notice_presented_on,
                RecoveryFile.contested_on, RecoveryFile.contest_kind).order_by(RecoveryFile.party_id))}
            pending = _pending_requests(conn, as_of)
            bankrupt = _bankrupt(conn, as_of)
            subject = _subject(conn, as_of)
        owed_total = dict(zip(a.party.tolist(), a.total.tolist(), strict=True))

        # -- files of debtors who owe nothing any more: closed (paid)
        moves: list[tuple[int, str | None, str, str | None, dict]] = []  # party, from, to, closing, why
        for party, r in files.items():
            if r[3] not in ("closed", "plan") and party not in owed_total and party not in moved:
                moves.append((party, r[3], "closed", "paid", reason("paid")))

        # -- debtors with open principal: one stage forward when the delay is over
        in_arrears = a.party[a.principal > 0]
        stage = np.array([files[x][3] if x in files else "" for x in in_arrears.tolist()], dtype=object)
        busy = np.array([x in moved for x in in_arrears.tolist()], bool)
        summary.skip("payment plan running (monitored above)", in_arrears[(stage == "plan") & ~busy])
        busy |= stage == "plan"
        request = np.array([x in pending for x in in_arrears.tolist()], bool) & ~busy
        summary.skip("a request is pending (open case)", in_arrears[request])
        trustee = np.array([x in bankrupt for x in in_arrears.tolist()], bool) & ~busy & ~request
        summary.skip("bankruptcy open: the claim is declared to the trustee", in_arrears[trustee])
        request |= trustee
        totals = a.total[a.principal > 0]
        not_subject = np.array([x not in subject for x in in_arrears.tolist()], bool)
        small = not_subject & (totals < p.renounce_below_cents) & ~busy & ~request
        summary.skip(f"no longer subject, under {fmt(p.renounce_below_cents)} EUR (art. 50bis AR 19-12-1967: "
                     "the fund may renounce)", in_arrears[small])
        _inform_fiftybis(url, key, as_of, [int(x) for x in in_arrears[small].tolist()], files, owed_total, summary)
        handheld = np.isin(stage, ["bailiff", "court"]) & ~busy & ~request & ~small
        summary.skip("with the bailiff or the court: follow-up by hand", in_arrears[handheld])
        _mark_enforceable(url, key, as_of, bankrupt, owed_total, summary)
        candidates = np.flatnonzero(~busy & ~request & ~small & ~handheld)
        oldest = a.oldest_due[a.principal > 0]
        waiting = 0
        no_contact, contested = [], []
        for j in candidates.tolist():
            party = int(in_arrears[j])
            r = files.get(party)
            cur = r[3] if r is not None and r[3] != "closed" else None
            since = _date(r[4]) if cur is not None else dt.date.fromordinal(int(oldest[j]))
            contact = _date(r[5]) if cur is not None else None
            earliest = p.earliest(cur, since, contact, _date(r[6]) if cur is not None else None)
            if cur == "personal_contact" and contact is None:
                no_contact.append(party)
                continue
            if cur == "personal_contact" and r[8] == "contest":
                contested.append(party)
                continue
            if earliest is None or as_of < earliest:
                waiting += 1
                continue
            to = next_stage(cur)
            why = (reason("due_unpaid", since=since) if to == "reminder"
                   else reason("contact_unpaid", contact=contact) if to == "enforcement"
                   else reason(REASON_OF_STAGE[to]))
            moves.append((party, cur, to, None, why))
        summary.skip("personal contact not logged yet (task in the work queue)", no_contact)
        summary.skip("contested after the formal notice (art. 46): no contrainte, summons by hand", contested)
        summary.details["waiting (delay not over)"] = waiting
        _write(url, key, as_of, moves, files, owed_total, summary, progress, chunk)

    return run_batch(url, key, "recovery", {"as_of": as_of.isoformat()}, body)


def _write(url, key, as_of, moves, files, owed_total, summary: Summary, progress, chunk) -> None:
    """The moves, a chunk per transaction: files created or updated, a step (with its letter) each, and for a
    move to personal contact its task (a case) — all set-based, the debtors' languages read per chunk."""
    from caisse.cases.service import complete_tasks_in_bulk, open_file_cases_in_bulk

    system = Principal.system(ACTOR)
    dialect = engine_for(url).dialect.name
    by_stage: Counter = Counter()
    for start in range(0, len(moves), chunk):
        part = moves[start:start + chunk]
        with session_scope(url) as s:
            wanted = []
            for party, cur, to, closing, why in part:
                r = files.get(party)
                cycle = (r[2] + 1 if r[3] == "closed" else r[2]) if r is not None else 1
                wanted.append((party, cur, to, closing, why, cycle, f"recovery/{party}/{cycle}/{to}"))
            keys = [w[-1] for w in wanted]
            taken = set(s.scalars(select(RecoveryStep.key).where(among(RecoveryStep.key, keys, dialect)))) \
                if keys else set()
            new_files = [{"party_id": w[0], "cycle": 1, "stage": w[2], "stage_since": as_of, "opened_on": as_of,
                          "updated_at": utcnow()} for w in wanted if w[0] not in files and w[-1] not in taken]
            if new_files:
                s.execute(insert(RecoveryFile), new_files)
            ids = dict(s.execute(select(RecoveryFile.party_id, RecoveryFile.id).where(
                among(RecoveryFile.party_id, [w[0] for w in wanted], dialect))).all()) if wanted else {}
            fresh = [w for w in wanted if w[-1] not in taken]
            langs = dict(s.execute(select(Party.id, Party.language).where(
                among(Party.id, [w[0] for w in fresh], dialect))).all()) if fresh else {}
            cases = open_file_cases_in_bulk(s, system, "recovery_contact", [
                (party, "Recovery: call the debtor before any judicial step",
                 f"{why['reason']}. Owed: {fmt(owed_total.get(party, 0))} EUR. Log the contact: caisse recovery "
                 f"contact --debtor {party}")
                for party, _c, to, _cl, why, _cy, _k in fresh if to == "personal_contact"],
                as_of)
            updates, steps = [], []
            for party, cur, to, closing, why, cycle, k in wanted:
                if k in taken:
                    summary.already += 1
                    continue
                r = files.get(party)
                if r is not None:
                    row = {"id": ids[party], "stage": to, "stage_since": as_of, "closing_reason": closing,
                           "cycle": cycle, "updated_at": utcnow()}
                    if r[3] == "closed":
                        row.update(contact_logged_on=None, opened_on=as_of, resume_stage=None)
                    if r[3] == "closed" or to == "formal_notice":  # a new formal notice: a new month (art. 46)
                        row.update(notice_presented_on=None, contested_on=None, contest_kind=None)
                    updates.append(row)
                case_id = cases.get(party) if to == "personal_contact" else None
                steps.append({"key": k, "file_id": ids[party], "party_id": party, "cycle": cycle, "event": "stage",
                              "from_stage": cur, "to_stage": to, "on": as_of, "actor": ACTOR, **why,
                              "closing_reason": closing, "amount_cents": owed_total.get(party, 0),
                              "language": langs.get(party, "fr"), "letter": LETTER_OF_STAGE.get(to),
                              "case_id": case_id, "plan_id": None, "batch_key": key, "created_at": utcnow()})
                by_stage[to if closing is None else f"closed ({closing})"] += 1
            if updates:
                s.execute(update(RecoveryFile), updates)
            if steps:
                s.execute(insert(RecoveryStep), steps)
            complete_tasks_in_bulk(s, ACTOR, "recovery_contact", [  # no call needed any more
                party for party, cur, to, _cl, _w, _cy, k in wanted if k not in taken and cur == "personal_contact"
                and to == "closed"], "the file is closed (everything due is paid): no call needed any more", as_of)
            summary.posted += len(steps)
            summary.notices += sum(1 for st in steps if st["letter"])
        if progress:
            progress(min(start + chunk, len(moves)), len(moves))
    summary.debtors = len(moves)
    summary.amount_cents = sum(owed_total.get(m[0], 0) for m in moves)
    for stage, n in sorted(by_stage.items()):
        summary.details[f"-> {stage}"] = n


def _mark_enforceable(url, key, as_of, bankrupt: set[int], owed_total, summary: Summary) -> None:
    """Art. 47bis §5: a contrainte served on the debtor becomes enforceable the day after the month of opposition
    from its service when no opposition is recorded (an opposition sends the file to ``court``). Each such file at
    ``bailiff`` gets one dated step ``enforceable`` per cycle (key ``recovery/<file>/<cycle>/enforceable``), dated
    that day, the stage unchanged: the bailiff who holds it may execute. Not while a bankruptcy is open."""
    from caisse.recovery.models import RecoveryHandoverLine as Line
    from caisse.recovery.service import enforceable_key

    dialect = engine_for(url).dialect.name
    with session_scope(url) as s:
        rows = s.execute(select(Line.file_id, Line.party_id, Line.cycle, Line.served_on, Line.enforcement_ref,
                                Line.reference)
                         .join(RecoveryFile, (RecoveryFile.id == Line.file_id) & (RecoveryFile.cycle == Line.cycle))
                         .where(RecoveryFile.stage == "bailiff", Line.stage == "bailiff", Line.served_on <= as_of,
                                Line.opposed_on.is_(None)).order_by(Line.party_id, Line.id)).all()
        due = {}
        for r in rows:
            served = _date(r.served_on)
            start = policy(served).execution_from(served)
            if start <= as_of and r.party_id not in bankrupt:
                due[enforceable_key(r.party_id, r.cycle)] = (r, served, start)
        taken = set(s.scalars(select(RecoveryStep.key).where(among(RecoveryStep.key, list(due), dialect)))) \
            if due else set()
        fresh = {k: v for k, v in due.items() if k not in taken}
        if not fresh:
            return
        langs = dict(s.execute(select(Party.id, Party.language).where(
            among(Party.id, [r.party_id for r, _s, _e in fresh.values()], dialect))).all())
        s.execute(insert(RecoveryStep), [{
            "key": k, "file_id": r.file_id, "party_id": r.party_id, "cycle": r.cycle, "event": "enforceable",
            "from_stage": "bailiff", "to_stage": "bailiff", "on": start, "actor": ACTOR,
            **reason("enforceable", ref=r.enforcement_ref or r.reference, served=served,
                     last=policy(served).opposition_ends(served), start=start),
            "closing_reason": None, "amount_cents": owed_total.get(r.party_id, 0),
            "language": langs.get(r.party_id, "fr"), "letter": None, "case_id": None, "plan_id": None,
            "batch_key": key, "created_at": utcnow()} for k, (r, served, start) in fresh.items()])
    summary.posted += len(fresh)
    summary.details["contraintes enforceable (no opposition within the month of the service)"] = len(fresh)


def _inform_fiftybis(url, key, as_of, parties: list[int], files, owed_total, summary: Summary) -> None:
    """Art. 50bis §1: the debtors no longer subject owing less than the threshold whose debt holds unpaid
    contribution quarters are informed before the claim is treated as irrecoverable — once per cycle, set-based."""
    if not parties:
        return
    dialect = engine_for(url).dialect.name
    with session_scope(url) as s:
        quarters = fiftybis.pension_quarters(s.connection(), as_of, parties)
        if not quarters:
            return
        wanted = {}
        for party in sorted(quarters):  # the steps (and letters) in file order, whatever order the query gave
            r = files.get(party)
            cycle = (r[2] + 1 if r[3] == "closed" else r[2]) if r is not None else 1
            wanted[party] = (cycle, f"recovery/{party}/{cycle}/fiftybis")
        keys = [k for _c, k in wanted.values()]
        taken = set(s.scalars(select(RecoveryStep.key).where(among(RecoveryStep.key, keys, dialect))))
        fresh = [party for party, (_c, k) in wanted.items() if k not in taken]
        if not fresh:
            return
        new_files = [{"party_id": party, "cycle": 1, "stage": "reminder", "stage_since": as_of, "opened_on": as_of,
                      "updated_at": utcnow()} for party in fresh if party not in files]
        if new_files:
            s.execute(insert(RecoveryFile), new_files)
        reopened = [party for party in fresh if party in files and files[party][3] == "closed"]
        ids = dict(s.execute(select(RecoveryFile.party_id, RecoveryFile.id).where(
            among(RecoveryFile.party_id, fresh, dialect))).all())
        if reopened:
            s.execute(update(RecoveryFile), [
                {"id": ids[party], "stage": "reminder", "stage_since": as_of, "closing_reason": None,
                 "cycle": wanted[party][0], "contact_logged_on": None, "opened_on": as_of, "resume_stage": None,
                 "updated_at": utcnow()} for party in reopened])
        langs = dict(s.execute(select(Party.id, Party.language).where(among(Party.id, fresh, dialect))).all())
        steps = []
        for party in fresh:
            r = files.get(party)
            cur = r[3] if r is not None and r[3] != "closed" else None
            cycle, k = wanted[party]
            owed = owed_total.get(party, 0)
            steps.append({"key": k, "file_id": ids[party], "party_id": party, "cycle": cycle, "event": "fiftybis",
                          "from_stage": cur, "to_stage": cur or "reminder", "on": as_of, "actor": ACTOR,
                          **reason("fiftybis", rule=fiftybis.RULE, owed=owed, quarters=", ".join(quarters[party])),
                          "closing_reason": None, "amount_cents": owed, "language": langs.get(party, "fr"),
                          "letter": "fiftybis", "case_id": None, "plan_id": None, "batch_key": key,
                          "created_at": utcnow()})
        s.execute(insert(RecoveryStep), steps)
    summary.posted += len(steps)
    summary.notices += len(steps)
    summary.details["art. 50bis: informed of the pension consequence"] = len(steps)
