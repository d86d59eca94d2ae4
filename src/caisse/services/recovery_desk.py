"""The recovery desk: what the desk page and the API show of a debtor's recovery, and the staff's recovery overview.

Reads only; the actions (move a file, log the personal contact, ask a payment plan, inform about and record a relief
request) are the existing services (``caisse.recovery.service``, ``caisse.recovery.relief``), which check their own
authorisation and rules. Here: who may read (``recovery.read``; another team's file only after a stated reason, the
file's need-to-know), one audit row per read naming what was shown, and the pieces put together from the services
that already compute them — the recovery file and its dated history (``recovery.service``), the open amounts
(``ledger.statement``), the prescription clock of each open debt (``recovery.prescription.debts``), the relief
requests (``recovery.relief``), the advice (``recovery.advice``), the stage report (``recovery.report``), the
prescription report (``recovery.prescription``) and the partners' balances (``recovery.partners``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.errors import CaisseError
from caisse.ledger.statement import PeriodSummary, statement
from caisse.recovery import advice as advice_mod
from caisse.recovery import buyback, prescription, proposal, relief
from caisse.recovery import report as stage_report
from caisse.recovery.models import (
    CLOSING_REASONS,
    WAIVER_GROUNDS,
    DispensedQuarter,
    JointCall,
    PaymentPlan,
    PaymentPlanInstalment,
    RecoveryBankruptcy,
    RecoveryFile,
    RecoveryHandover,
    RecoveryStep,
    ReliefRequest,
)
from caisse.recovery.partners import PartnerBalance, partner_balances
from caisse.recovery.policy import BY_HAND, next_stage, policy
from caisse.recovery.service import file_of, owed
from caisse.rules.prescription import check_as_of
from caisse.rules.prescription import policy as prescription_policy
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access
from caisse.store.models import Company, Party, Person

CONTACT_CHANNELS = ("phone", "meeting", "visit", "video")
SECTIONS = ["recovery stage and history", "open amounts", "payment plan", "prescription dates", "relief requests",
            "best-solution advice", "joint calls", "bankruptcy"]


@dataclass
class OpenDebt:
    """One open debt (kind of ledger debt, period) with its prescription clock."""

    period: str
    kind: str
    open_cents: int
    legal_start: dt.date
    prescribed_on: dt.date
    last_interruption: dt.date | None
    last_kind: str | None
    proceedings: bool

    def as_dict(self) -> dict:
        return {"period": self.period, "kind": self.kind, "open_cents": self.open_cents,
                "legal_start": self.legal_start.isoformat(), "prescription_date": self.prescribed_on.isoformat(),
                "last_interruption": self.last_interruption and self.last_interruption.isoformat(),
                "last_interruption_kind": self.last_kind, "proceedings_running": self.proceedings}


@dataclass
class RecoveryView:
    party_id: int
    name: str
    today: dt.date
    file: RecoveryFile | None
    steps: list[RecoveryStep]
    principal_cents: int
    owed_cents: int
    periods: list[PeriodSummary]  # the periods with something still due
    plan: PaymentPlan | None
    instalments: list[PaymentPlanInstalment]
    debts: list[OpenDebt]
    requests: list[ReliefRequest]
    dispensed: list[DispensedQuarter]
    advice: advice_mod.Advice | None
    advice_error: str | None
    moves: list[str]  # the stages a move by hand may go to (the service checks again)
    reason: str | None = None
    informed: list[ReliefRequest] = field(default_factory=list)  # pension notices given, not yet a request
    suggested_schedule: str = ""  # a six-month schedule by the plan rules (recovery.proposal), to start the form
    is_company: bool = False
    joint: list[dict] = field(default_factory=list)  # joint calls of the file (either side), what is still open
    bankruptcies: list[RecoveryBankruptcy] = field(default_factory=list)
    links: list[tuple[int, str]] = field(default_factory=list)  # the other side of a mandate: (file, name)
    buybacks: list = field(default_factory=list)  # requests to buy dispensed quarters back (recovery.buyback)

    @property
    def stage(self) -> str | None:
        return self.file.stage if self.file else None

    def as_dict(self) -> dict:
        f = self.file
        return {
            "debtor": self.party_id, "as_of": self.today.isoformat(),
            "file": None if f is None else {
                "stage": f.stage, "stage_since": f.stage_since.isoformat(), "cycle": f.cycle,
                "closing_reason": f.closing_reason,
                "contact_logged_on": f.contact_logged_on and f.contact_logged_on.isoformat(),
                "resume_stage": f.resume_stage},
            "history": [{"id": s.id, "on": s.on.isoformat(), "event": s.event, "from_stage": s.from_stage,
                         "to_stage": s.to_stage, "actor": s.actor, "reason": s.reason,
                         "amount_cents": s.amount_cents, "letter": s.letter, "case_id": s.case_id,
                         "plan_id": s.plan_id} for s in self.steps],
            "principal_due_cents": self.principal_cents, "owed_cents": self.owed_cents,
            "open_periods": [{"period": p.period, "called_cents": p.called, "surcharges_cents": p.surcharges,
                              "paid_cents": p.paid, "written_off_cents": p.written_off,
                              "balance_cents": p.balance} for p in self.periods],
            "plan": None if self.plan is None else {
                "id": self.plan.id, "status": self.plan.status, "requested_on": self.plan.requested_on.isoformat(),
                "debt_cents": self.plan.debt_cents, "down_payment_cents": self.plan.down_payment_cents,
                "months": self.plan.months, "approval_id": self.plan.approval_id,
                "instalments": [{"seq": i.seq, "due_date": i.due_date.isoformat(), "amount_cents": i.amount_cents}
                                for i in self.instalments]},
            "prescription": [d.as_dict() for d in self.debts],
            "relief_requests": [request_dict(r) for r in self.requests],
            "dispensed_quarters": [{"period": q.period, "amount_cents": q.dispensed_cents,
                                    "buyback_deadline": q.buyback_deadline.isoformat(),
                                    "bought_back_on": q.bought_back_on and q.bought_back_on.isoformat(),
                                    "buyback_request_id": q.buyback_request_id} for q in self.dispensed],
            "buyback_requests": [{"id": b.id, "number": b.number, "status": b.status,
                                  "asked_on": b.asked_on.isoformat(), "quarters": b.periods,
                                  "amount_cents": b.amount_cents, "due_date": b.due_date.isoformat(),
                                  "communication": b.communication, "unknown": b.unknown,
                                  "paid_on": b.paid_on and b.paid_on.isoformat()} for b in self.buybacks],
            "advice": self.advice.to_dict() if self.advice else None, "advice_error": self.advice_error,
            "moves_by_hand": self.moves}


def request_dict(r: ReliefRequest) -> dict:
    return {"id": r.id, "kind": r.kind, "status": r.status, "requested_on": r.requested_on.isoformat(),
            "periods": list(r.periods), "amount_cents": r.amount_cents, "case_id": r.case_id,
            "informed_on": r.informed_on and r.informed_on.isoformat(), "sent_on": r.sent_on and r.sent_on.isoformat(),
            "decided_on": r.decided_on and r.decided_on.isoformat(), "decision_ref": r.decision_ref}


def _require_reader(who: Principal) -> None:
    authz.require(who, "recovery.read")


def _name(session: Session, party_id: int) -> str:
    p = session.get(Person, party_id)
    if p is not None:
        return f"{p.first_name} {p.last_name}"
    c = session.get(Company, party_id)
    return c.name if c is not None else str(party_id)


def _as_date(v) -> dt.date | None:
    return None if v is None or np.isnat(v) else dt.date.fromisoformat(str(v))


def open_debts(session: Session, party_id: int, today: dt.date) -> list[OpenDebt]:
    """The prescription clock of each open debt of the debtor (``recovery.prescription.debts`` with a horizon far
    enough that no open period is left out), soonest first."""
    p = prescription_policy(today)
    d = prescription.debts(session.connection(), today, p, horizon=dt.date(today.year + p.years + 2, 12, 31),
                           party_id=party_id)
    rows = [OpenDebt(str(d.period[i]), str(d.account[i]), int(d.open_cents[i]), _as_date(d.legal_start[i]),
                     _as_date(d.prescribed_on[i]), _as_date(d.last_interruption[i]), d.last_kind[i] or None,
                     bool(d.proceedings[i])) for i in range(len(d)) if int(d.open_cents[i]) > 0]
    return sorted(rows, key=lambda r: (r.prescribed_on, r.period, r.kind))


def moves_by_hand(stage: str | None) -> list[str]:
    """What the move form offers: the next stage, the summons route where allowed, closing (never ``plan``)."""
    out = [s for s in (next_stage(stage),) if s]
    out += [s for s in BY_HAND.get(stage or "", ()) if s not in out]
    if stage not in (None, "closed", "plan"):
        out.append("closed")
    return out


def file_view(session: Session, who: Principal, party_id: int, today: dt.date) -> RecoveryView:
    """A debtor's recovery on ``today``: readers of recovery only; another team's file after a stated reason."""
    _require_reader(who)
    reason = file_access(session, who, "file.read", party_id)  # NeedToKnow before anything is read
    f = file_of(session, party_id)
    steps = list(session.scalars(select(RecoveryStep).where(RecoveryStep.party_id == party_id)
                                 .order_by(RecoveryStep.on, RecoveryStep.id)))
    principal, total = owed(session, party_id, today)
    periods = [p for p in statement(session, party_id).periods if p.balance > 0]
    plan = session.scalar(select(PaymentPlan).where(PaymentPlan.party_id == party_id)
                          .order_by(PaymentPlan.requested_on.desc(), PaymentPlan.id.desc()).limit(1))
    inst = list(session.scalars(select(PaymentPlanInstalment).where(PaymentPlanInstalment.plan_id == plan.id)
                                .order_by(PaymentPlanInstalment.seq))) if plan else []
    requests = relief.requests_of(session, party_id)
    dispensed = list(session.scalars(select(DispensedQuarter).where(DispensedQuarter.party_id == party_id)
                                     .order_by(DispensedQuarter.period)))
    try:
        adv, adv_error = advice_mod.advise(advice_mod.situation_of(session, party_id, today)), None
    except CaisseError as exc:  # a legal parameter missing for the date: say so, never guess
        adv, adv_error = None, str(exc)
    suggested = ""
    if total > 0:
        suggested = proposal.schedule_text(proposal.build_schedule(total, 6, today, policy(today).plan_down_payment))
    audit.record(session, who, "read", "recovery_file", party_id, party_id=party_id, reason=reason,
                 detail={"what": SECTIONS})
    return RecoveryView(party_id, _name(session, party_id), today, f, steps, principal, total, periods, plan, inst,
                        open_debts(session, party_id, today), requests, dispensed, adv, adv_error,
                        moves_by_hand(f.stage if f else None), reason,
                        [r for r in requests if r.status == "informed"], suggested,
                        session.get(Company, party_id) is not None, joint_calls_of(session, party_id),
                        list(session.scalars(select(RecoveryBankruptcy).where(RecoveryBankruptcy.party_id == party_id)
                                             .order_by(RecoveryBankruptcy.declared_on.desc()))),
                        mandate_links(session, party_id), buyback.requests_of(session, party_id))


def joint_calls_of(session: Session, party_id: int) -> list[dict]:
    """The joint calls the file is part of, either side (``recovery.joint``): who was called for whom, the debts,
    and what is still open of them on the debtor's account."""
    from sqlalchemy import or_

    from caisse.recovery.joint import still_open

    out = []
    for jc in session.scalars(select(JointCall).where(or_(JointCall.company_id == party_id,
                                                          JointCall.director_id == party_id))
                              .order_by(JointCall.called_on.desc(), JointCall.id.desc())):
        items = still_open(session, jc)
        out.append({"call": jc, "company": _name(session, jc.company_id), "director": _name(session, jc.director_id),
                    "debts": items, "open_cents": sum(x["open_cents"] for x in items)})
    return out


def mandate_links(session: Session, party_id: int) -> list[tuple[int, str]]:
    """The other side of the file's mandates (a company's directors, a director's companies), for the joint call
    form: the file numbers a caseworker would otherwise look up."""
    from caisse.store.models import Mandate

    rows = session.execute(select(Mandate.company_id, Mandate.person_id).where(
        (Mandate.company_id == party_id) | (Mandate.person_id == party_id))).all()
    others = sorted({c if p == party_id else p for c, p in rows})
    return [(o, _name(session, o)) for o in others]


def joint_letter(session: Session, who: Principal, party_id: int, call_id: int) -> tuple[JointCall, bytes]:
    """A joint call's letter (PDF) from one of its two files, read by the recovery readers of both; audited."""
    from caisse.documents.joint_call_letters import joint_call_pdf
    from caisse.errors import NotFound

    _require_reader(who)
    file_access(session, who, "file.read", party_id)
    jc = session.get(JointCall, call_id)
    if jc is None or party_id not in (jc.company_id, jc.director_id):
        raise NotFound("joint call", call_id)
    called = jc.company_id if jc.liable == "company" else jc.director_id
    debtor = jc.director_id if jc.liable == "company" else jc.company_id
    reasons = [file_access(session, who, "file.read", p) for p in (called, debtor)]
    pdf = joint_call_pdf(session, call_id)
    for party, reason in zip((called, debtor), reasons, strict=True):
        audit.record(session, who, "read", "joint_call_letter", call_id, party_id=party, reason=reason,
                     detail={"what": "joint call letter (pdf)"})
    return jc, pdf


def claim_pdf(session: Session, who: Principal, party_id: int, bankruptcy_id: int) -> tuple[RecoveryBankruptcy, bytes]:
    """The declaration of claim already made, drawn again (the amounts are those recorded); the read audited."""
    from caisse.errors import NotFound
    from caisse.recovery import bankruptcy

    _require_reader(who)
    reason = file_access(session, who, "file.read", party_id)
    b = bankruptcy.get(session, who, bankruptcy_id, action="recovery.read")
    if b.party_id != party_id or b.claim_lines is None:
        raise NotFound("declaration of claim", bankruptcy_id)
    pdf = bankruptcy.declaration_pdf(session, b)
    audit.record(session, who, "read", "claim_declaration", b.id, party_id=b.party_id, reason=reason,
                 detail={"what": bankruptcy.CLAIM_PDF})
    return b, pdf


def handovers(session: Session, who: Principal, limit: int = 20) -> list[tuple[RecoveryHandover, str]]:
    """The latest hand-overs (date, partner, debtors, amount): no debtor named."""
    from caisse.recovery.models import RecoveryPartner

    authz.require(who, "recovery.handover")
    rows = session.execute(select(RecoveryHandover, RecoveryPartner.name).join(
        RecoveryPartner, RecoveryPartner.id == RecoveryHandover.partner_id)
        .order_by(RecoveryHandover.id.desc()).limit(limit)).all()
    return [(h, name) for h, name in rows]


def handover_file(session: Session, who: Principal, handover_id: int, what: str) -> tuple[str, bytes, str]:
    """A hand-over's CSV exactly as sent, or its cover letter drawn again: (file name, content, media type). It
    names many debtors: only who may hand files over, and one read row per debtor."""
    from caisse.documents.recovery_partners import cover_letter
    from caisse.errors import InvalidInput, NotFound
    from caisse.recovery.models import RecoveryHandoverLine, RecoveryPartner
    from caisse.recovery.partners import _names

    authz.require(who, "recovery.handover")
    row = session.get(RecoveryHandover, handover_id)
    if row is None:
        raise NotFound("hand-over", handover_id)
    lines = list(session.scalars(select(RecoveryHandoverLine).where(RecoveryHandoverLine.handover_id == row.id)
                                 .order_by(RecoveryHandoverLine.id)))
    if what == "csv":
        if not row.csv_text:
            raise InvalidInput("handover", f"the CSV of {row.key} was emptied by the retention rules (its SHA-256 "
                                           f"{row.csv_sha256} is kept)")
        name, content, media = row.csv_name, row.csv_text.encode("utf-8"), "text/csv; charset=utf-8"
    else:
        names = _names(session, [ln.party_id for ln in lines], row.as_of)
        content = cover_letter(session.get(RecoveryPartner, row.partner_id), row.key, row.as_of,
                               [(ln.party_id, names[ln.party_id]["name"], ln.reference, ln.enforcement_ref,
                                 ln.amount_cents) for ln in lines], row.amount_cents)
        name, media = row.pdf_name, "application/pdf"
    audit.record_reads(session, who, "recovery_handover", [ln.party_id for ln in lines],
                       what=f"hand-over {what} (desk)", detail={"key": row.key})
    return name, content, media


def advice_for(session: Session, who: Principal, party_id: int, today: dt.date) -> advice_mod.Advice:
    """The best-solution advice alone (``recovery.advice``), audited as the command does."""
    _require_reader(who)
    reason = file_access(session, who, "file.read", party_id)
    check_as_of(today)
    a = advice_mod.advise(advice_mod.situation_of(session, party_id, today))
    audit.record(session, who, "read", "recovery_advice", party_id, party_id=party_id, reason=reason,
                 detail={"what": "debts per quarter, category, recovery stage"})
    return a


@dataclass
class PrescriptionRows:
    prescription: dict  # recovery.prescription.report_on, rows limited to the files the reader may see
    names: dict[int, str]
    hidden: int  # rows of other teams' files, counted, not listed, for a team-bound reader


@dataclass
class Overview:
    as_of: dt.date
    stages: dict  # recovery.report.report_on
    prescription: dict
    names: dict[int, str]
    hidden: int
    balances: list[PartnerBalance] | None  # managers only
    handovers: list | None = None  # who may hand files over: the latest hand-overs


def may_read_partners(who: Principal) -> bool:
    return who.role in authz.PERMISSIONS["recovery.partners"]


def stages(session: Session, who: Principal, as_of: dt.date) -> dict:
    """Debtors and amounts per stage on a date (``recovery.report``): figures, no file named."""
    _require_reader(who)
    check_as_of(as_of)
    return stage_report.report_on(session.connection(), as_of)


def prescription_rows(session: Session, who: Principal, as_of: dt.date, within_days: int = 90) -> PrescriptionRows:
    """The debts prescribed by ``as_of + within_days`` (``recovery.prescription``), with the debtors' names; a
    team-bound reader sees their team's files (the others are counted, not named). One audit row per file listed."""
    _require_reader(who)
    presc = prescription.report_on(session.connection(), as_of, within_days)
    debtors = sorted({r["debtor"] for r in presc["rows"]})
    teams = dict(session.execute(select(Party.id, Party.team).where(Party.id.in_(debtors))).all()) if debtors else {}
    rows, hidden = presc["rows"], 0
    if who.role in authz.TEAM_BOUND:
        rows = [r for r in presc["rows"] if teams.get(r["debtor"]) == who.team]
        hidden = len(presc["rows"]) - len(rows)
    shown = sorted({r["debtor"] for r in rows})
    audit.record_reads(session, who, "prescription_report", shown,
                       what=["name", "period", "open amount", "prescription date"])
    return PrescriptionRows({**presc, "rows": rows, "debts": len(rows)},
                            {pid: _name(session, pid) for pid in shown}, hidden)


def overview(session: Session, who: Principal, as_of: dt.date, within_days: int = 90) -> Overview:
    """The staff's recovery overview: stages, debts about to prescribe, partners' balances (managers)."""
    st = stages(session, who, as_of)
    p = prescription_rows(session, who, as_of, within_days)
    balances = partner_balances(session, as_of) if may_read_partners(who) else None
    made = handovers(session, who) if may_hand_over(who) else None
    return Overview(as_of, st, p.prescription, p.names, p.hidden, balances, made)


def may_hand_over(who: Principal) -> bool:
    return who.role in authz.PERMISSIONS["recovery.handover"]


def balances(session: Session, who: Principal, as_of: dt.date) -> list[PartnerBalance]:
    authz.require(who, "recovery.partners")
    check_as_of(as_of)
    return partner_balances(session, as_of)


__all__ = ["CLOSING_REASONS", "CONTACT_CHANNELS", "WAIVER_GROUNDS", "OpenDebt", "Overview", "RecoveryView",
           "PrescriptionRows", "advice_for", "balances", "claim_pdf", "file_view", "handover_file", "handovers",
           "joint_calls_of", "joint_letter", "mandate_links", "may_hand_over", "moves_by_hand", "open_debts",
           "overview", "prescription_rows", "request_dict", "stages"]
