"""The 360° file: everything a caseworker needs to answer the person on the phone, in one read.

Person or company, affiliations and incomes (``caisse.services.files.file_view``: need-to-know and the audited
read of the file, exactly as the desk's file page), then the ledger period by period with its lines, the
documents sent (notices, recovery letters, the certificates of payment status issued), the cases, the recovery
stage and payment plan, the assimilation and continued-insurance requests (each linked to its desk page,
``/desk/insurance-requests/{id}``), the contacts by channel and free notes (``caisse.cases.notes``), and the named
caseworker with their history.
Staff only. The read of these sections is one more audit row naming them (``detail.what``), with the same
need-to-know reason as the file's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.batches.models import Notice
from caisse.benefits.models import InsuranceRequest
from caisse.cases import notes as notes_svc
from caisse.cases.models import NOTE_CHANNELS, Case, ContactNote
from caisse.ledger.statement import Statement, statement
from caisse.recovery.models import PaymentPlan, PaymentPlanInstalment, RecoveryFile, RecoveryStep
from caisse.reporting.models import PaidUpCertificate
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit, caseworkers, files, paid_up
from caisse.services.affiliation import file_access
from caisse.store.models import Account, Party

READERS = frozenset({"caseworker", "recovery_officer", "benefits_officer", "manager", "auditor", "system"})
SECTIONS = ["identity", "affiliations", "incomes", "ledger by period and lines", "notices", "recovery letters",
            "certificates of payment status issued", "cases", "recovery stage and payment plan",
            "insurance requests", "contact notes", "caseworker"]


@dataclass
class Document:
    on: dt.date
    kind: str  # notice kind (quarterly_call, company_call, regularisation) or recovery letter (reminder, ...)
    period: str | None
    amount_cents: int | None
    notice_id: int | None = None  # a due notice: its PDF at /my/notices/{id}/pdf (staff may open it too)
    due_date: dt.date | None = None


@dataclass
class CaseRow:
    case: Case
    assignee: str | None
    days_left: int


@dataclass
class Recovery:
    stage: str
    stage_since: dt.date
    closing_reason: str | None
    contact_logged_on: dt.date | None
    steps: list[RecoveryStep]
    plan: PaymentPlan | None
    instalments: list[PaymentPlanInstalment]


@dataclass
class File360:
    file: files.FileView
    statement: Statement
    documents: list[Document]
    cases: list[CaseRow]
    recovery: Recovery | None
    notes: list[ContactNote]
    note_counts: dict[str, int]
    channel: str | None
    caseworker: caseworkers.CaseworkerRow | None
    caseworker_history: list[caseworkers.CaseworkerRow]
    handlers: list[Account] = field(default_factory=list)  # whom a manager may assign (empty for others)
    reason: str | None = None
    # assimilation-for-illness and continued-insurance requests (caisse.benefits.insurance_requests), newest first
    insurance_requests: list[InsuranceRequest] = field(default_factory=list)
    # the certificates of payment status issued (services.paid_up), newest first, and whether one can be issued
    paid_up: list[PaidUpCertificate] = field(default_factory=list)
    can_issue_paid_up: bool = False

    @property
    def total_due(self) -> int:
        return self.statement.total_due


def view(session: Session, who: Principal, party_id: int, today: dt.date, channel: str | None = None) -> File360:
    if who.role not in READERS:
        raise authz.Forbidden(f"{who.role} may not open the 360° file")
    reason = file_access(session, who, "file.read", party_id)  # NeedToKnow for another team, before any read
    base = files.file_view(session, party_id, who, today)
    st = statement(session, party_id)
    documents = [Document(n.created_at.date(), n.kind, n.period, n.amount_cents, n.id, n.due_date)
                 for n in session.scalars(select(Notice).where(Notice.party_id == party_id))]
    steps = list(session.scalars(select(RecoveryStep).where(RecoveryStep.party_id == party_id)
                                 .order_by(RecoveryStep.on, RecoveryStep.id)))
    documents += [Document(s.on, s.letter, None, s.amount_cents) for s in steps if s.letter]
    documents.sort(key=lambda d: (d.on, d.notice_id or 0), reverse=True)
    rows = session.execute(select(Case, Account.login).outerjoin(Account, Account.id == Case.assigned_to)
                           .where(Case.party_id == party_id)
                           .order_by(Case.opened_on.desc(), Case.id.desc())).all()
    cases = [CaseRow(c, login, (c.deadline - today).days) for c, login in rows]
    recovery = None
    rf = session.scalar(select(RecoveryFile).where(RecoveryFile.party_id == party_id))
    if rf is not None:
        plan = session.scalar(select(PaymentPlan).where(PaymentPlan.party_id == party_id)
                              .order_by(PaymentPlan.requested_on.desc(), PaymentPlan.id.desc()).limit(1))
        inst = list(session.scalars(select(PaymentPlanInstalment).where(PaymentPlanInstalment.plan_id == plan.id)
                                    .order_by(PaymentPlanInstalment.seq))) if plan else []
        recovery = Recovery(rf.stage, rf.stage_since, rf.closing_reason, rf.contact_logged_on, steps, plan, inst)
    all_notes = notes_svc.of_file(session, who, party_id, audited=False)
    counts = Counter(n.channel for n in all_notes)
    shown = [n for n in all_notes if channel is None or n.channel == channel]
    history = caseworkers.history(session, party_id)
    current = next((h for h in history if h.valid_to is None), None)
    handlers = caseworkers.handlers(session, session.get_one(Party, party_id).team) \
        if who.role in caseworkers.ASSIGNERS else []
    requests = list(session.scalars(select(InsuranceRequest).where(InsuranceRequest.person_id == party_id)
                                    .order_by(InsuranceRequest.id.desc())))
    audit.record(session, who, "read", "file_360", party_id, party_id=party_id, reason=reason,
                 detail={"what": SECTIONS, "channel": channel})
    return File360(base, st, documents, cases, recovery, shown, {c: counts.get(c, 0) for c in NOTE_CHANNELS},
                   channel, current, history, handlers, reason, requests, paid_up.issued(session, party_id),
                   paid_up.can_issue(session, party_id))
