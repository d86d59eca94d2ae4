"""Payment plans agreed by a bailiff or lawyer with the debtor (status file outcome ``plan`` with its schedule,
docs/formats/bailiff-status.md version 2): the fund follows them.

* ``record_plan``: the schedule becomes ``partner_plan_instalment`` rows of the hand-over line (the file stays with
  the partner, the hand-over stays open);
* ``monitor`` (run by ``caisse run recovery`` before the debtors move, or alone): set-based — per followed hand-over
  line, the money the partner reports collected from the debtor since the plan was agreed (its status files'
  ``paid``, the instalments come in through the partner and its remittances) covers the instalments oldest first;
  an instalment covered is ``paid``; one still not covered ``payment_plan_grace_days`` (the fund's plan grace) after
  its due date is ``missed`` and the recovery staff get a task (case kind ``partner_plan_missed``, one per missed
  instalment) to act with the partner;
* ``respected``: a plan with instalments still to come and none missed. While it is, no new enforcement starts:
  ``recovery.service.move`` refuses a move to a judicial stage (legislation.md §5: the fund does not start contrainte
  or judicial recovery while a plan is respected [S29][S30]); surcharges keep running as the law says (nothing here
  changes them).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, and_, cast, func, select, update
from sqlalchemy.orm import Session

from caisse.errors import Conflict
from caisse.money import fmt
from caisse.recovery.models import PartnerPlanInstalment, RecoveryHandoverLine, RecoveryPartner, RecoveryStatusLine
from caisse.recovery.policy import policy
from caisse.security.authz import Principal

CASE_KIND = "partner_plan_missed"


def record_plan(session: Session, h: RecoveryHandoverLine, agreed_on: dt.date,
                schedule: list[tuple[dt.date, int]]) -> list[PartnerPlanInstalment]:
    """The schedule a partner agreed with the debtor on ``agreed_on``; a plan already followed on the same hand-over
    line is replaced by the new one (its instalments not yet paid or missed are dropped)."""
    session.flush()
    session.execute(PartnerPlanInstalment.__table__.delete().where(
        PartnerPlanInstalment.handover_line_id == h.id, PartnerPlanInstalment.status == "due"))
    last = session.scalar(select(func.max(PartnerPlanInstalment.seq)).where(
        PartnerPlanInstalment.handover_line_id == h.id)) or 0
    rows = [PartnerPlanInstalment(handover_line_id=h.id, party_id=h.party_id, partner_id=h.partner_id,
                                  agreed_on=agreed_on, seq=last + n, due_date=due, amount_cents=cents, status="due")
            for n, (due, cents) in enumerate(schedule, 1)]
    session.add_all(rows)
    session.flush()
    return rows


def respected(session: Session, party_id: int) -> tuple[str, int] | None:
    """(partner code, instalments still due) of a plan agreed by a partner that the debtor respects, else None."""
    i = PartnerPlanInstalment
    row = session.execute(
        select(RecoveryPartner.code, func.count(), i.handover_line_id)
        .join(RecoveryPartner, RecoveryPartner.id == i.partner_id)
        .where(i.party_id == party_id, i.status == "due")
        .group_by(RecoveryPartner.code, i.handover_line_id)
        .order_by(i.handover_line_id.desc())).first()  # plans on two hand-overs: the latest one, on every database
    if row is None:
        return None
    missed = session.scalar(select(func.count()).select_from(i).where(
        i.handover_line_id == row[2], i.status == "missed", i.agreed_on == select(func.max(i.agreed_on)).where(
            i.handover_line_id == row[2]).scalar_subquery()))
    return None if missed else (row[0], int(row[1]))


def guard_enforcement(session: Session, party_id: int, to_stage: str) -> None:
    """Refuse a new enforcement step while a plan agreed by a partner is respected."""
    from caisse.recovery.policy import ENFORCEMENT_RUNNING

    if to_stage not in ENFORCEMENT_RUNNING:
        return
    plan = respected(session, party_id)
    if plan is not None:
        raise Conflict("to_stage", "a payment plan agreed with {partner} is respected ({count} instalment(s) to "
                                   "come): no new enforcement while it is (legislation §5)", partner=plan[0],
                       count=plan[1])


def monitor(session: Session, who: Principal, as_of: dt.date) -> dict[str, int]:
    """Follow every partner plan on ``as_of`` (module docstring). Returns counts: paid, missed, tasks."""
    grace = dt.timedelta(days=policy(as_of).plan_grace_days)
    i, sl = PartnerPlanInstalment, RecoveryStatusLine
    # per hand-over line followed: what the partner reported collected since the plan was agreed, by ``as_of``
    agreed = (select(i.handover_line_id.label("line"), func.max(i.agreed_on).label("agreed_on"))
              .where(i.status == "due").group_by(i.handover_line_id).subquery("agreed"))
    collected = dict(session.execute(
        select(agreed.c.line, cast(func.coalesce(func.sum(sl.paid_cents), 0), BigInteger))
        .select_from(agreed)
        .join(sl, and_(sl.handover_line_id == agreed.c.line, sl.status == "accepted", sl.event_on >= agreed.c.agreed_on,
                       sl.event_on <= as_of), isouter=True)
        .group_by(agreed.c.line)).all())
    if not collected:
        return {"paid": 0, "missed": 0, "tasks": 0}
    rows = session.execute(select(i.id, i.handover_line_id, i.party_id, i.due_date, i.amount_cents, i.status, i.seq,
                                  i.agreed_on)
                           .where(i.handover_line_id.in_(list(collected)))
                           .order_by(i.handover_line_id, i.seq)).all()
    latest = {}
    for r in rows:
        latest[r.handover_line_id] = max(latest.get(r.handover_line_id, r.agreed_on), r.agreed_on)
    paid: list[int] = []
    missed: list[tuple] = []
    cover: dict[int, int] = {}
    for r in rows:
        if r.agreed_on != latest[r.handover_line_id]:
            continue
        left = cover.setdefault(r.handover_line_id, int(collected[r.handover_line_id] or 0))
        if r.status == "paid":
            cover[r.handover_line_id] = left - r.amount_cents
            continue
        if left >= r.amount_cents:
            cover[r.handover_line_id] = left - r.amount_cents
            if r.status == "due":
                paid.append(r.id)
            continue
        cover[r.handover_line_id] = 0
        if r.status == "due" and r.due_date + grace < as_of:
            missed.append(r)
    if paid:
        session.execute(update(i).where(i.id.in_(paid)).values(status="paid", settled_on=as_of))
    tasks = 0
    if missed:
        from caisse.cases import service as cases

        partners = dict(session.execute(select(RecoveryHandoverLine.id, RecoveryPartner.code)
                                        .join(RecoveryPartner, RecoveryPartner.id == RecoveryHandoverLine.partner_id)
                                        .where(RecoveryHandoverLine.id.in_({r.handover_line_id for r in missed})))
                        .all())
        opened = {}
        for r in missed:
            # one task per debtor and run (cases in bulk: one per file), naming every instalment missed
            opened.setdefault(r.party_id, []).append(r)
        ids = cases.open_file_cases_in_bulk(session, who, CASE_KIND, [
            (party, f"Plan agreed by {partners[rs[0].handover_line_id]}: instalment missed",
             "; ".join(f"instalment {r.seq} of {fmt(r.amount_cents)} EUR due {r.due_date} not received through "
                       f"{partners[r.handover_line_id]} by {as_of}" for r in rs)
             + ". No enforcement was held back any more by this plan: decide with the partner (remind the debtor, "
               "end the plan, resume the enforcement).")
            for party, rs in opened.items()], as_of)
        tasks = len(ids)
        for party, rs in opened.items():
            session.execute(update(i).where(i.id.in_([r.id for r in rs])).values(
                status="missed", settled_on=as_of, case_id=ids[party]))
    return {"paid": len(paid), "missed": len(missed), "tasks": tasks}


__all__ = ["CASE_KIND", "guard_enforcement", "monitor", "record_plan", "respected"]
