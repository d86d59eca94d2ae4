"""Recovery files, their dated history, payment plans and their instalments.

``recovery_file``: one per debtor, its current stage (``STAGES``) since a date, the cycle (a file closed then
reopened by new arrears starts a new cycle), the stage to resume when a payment plan breaks, the day the
personal contact was logged. ``recovery_step``: every change of stage and every event (contact logged, plan
granted, instalment missed, plan broken) as a dated row — who, why, the amount owed then and the letter it
produced (rendered on demand from this row and the ledger). ``payment_plan`` / ``payment_plan_instalment``:
a plan d'apurement and its schedule; its status moves pending → active → completed or broken (or refused).

Follow-up outside the fund (``recovery.partners``, ``recovery.bankruptcy``): ``recovery_partner`` (the bailiffs
and lawyers the fund works with), ``recovery_handover`` (one file per partner and date: its CSV kept, checksums)
and ``recovery_handover_line`` (one per debtor handed over, unique per recovery step: never handed twice; the
contrainte's service date and the outcome the partner reported), ``recovery_status_file`` /
``recovery_status_line`` (the partner's status files, every line kept, accepted or rejected with its error),
``recovery_bankruptcy`` (a debtor's bankruptcy, its trustee, the claim declared, the dividend received).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from caisse.store.models import Base, utcnow

STAGES = ("reminder", "statement", "formal_notice", "personal_contact", "enforcement", "bailiff", "court", "plan",
          "closed")
CONTEST_KINDS = ("contest", "terms")
CLOSING_REASONS = ("paid", "plan", "dispensation", "insolvency", "prescribed", "written_off", "renounced")
EVENTS = ("stage", "contact", "plan_granted", "plan_missed", "plan_broken", "plan_completed", "fiftybis",
          "enforceable")
PLAN_STATUSES = ("pending", "active", "completed", "broken", "refused")
INTERRUPTIONS = ("payment", "acknowledgement", "formal_notice", "enforcement", "summons")
LETTERS = ("reminder", "statement", "formal_notice", "enforcement", "bailiff", "plan_granted", "plan_missed",
           "plan_broken", "fiftybis")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class RecoveryFile(Base):
    __tablename__ = "recovery_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), unique=True)
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    stage: Mapped[str] = mapped_column(String(20))
    stage_since: Mapped[dt.date] = mapped_column(Date)
    closing_reason: Mapped[str | None] = mapped_column(String(20))
    resume_stage: Mapped[str | None] = mapped_column(String(20))  # where recovery resumes when a plan breaks
    contact_logged_on: Mapped[dt.date | None] = mapped_column(Date)  # the personal contact of this cycle
    # art. 46: the day the formal notice (registered letter) was posted/presented, when staff recorded it, and the
    # debtor's registered reaction within the month: ``contest`` (no contrainte any more: summons) or ``terms``
    notice_presented_on: Mapped[dt.date | None] = mapped_column(Date)
    contested_on: Mapped[dt.date | None] = mapped_column(Date)
    contest_kind: Mapped[str | None] = mapped_column(String(10))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint(f"stage in ({_in(STAGES)})", name="stage"),
        CheckConstraint(f"closing_reason is null or closing_reason in ({_in(CLOSING_REASONS)})",
                        name="closing_reason"),
        CheckConstraint("(stage = 'closed') = (closing_reason is not null)", name="closed_has_reason"),
    )


class RecoveryStep(Base):
    __tablename__ = "recovery_step"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("recovery_file.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(20))
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    on: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    # a batch's reason: its code and values, shown in the reader's language (recovery/step_reasons.py); a
    # handler's own words: none
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason_params: Mapped[dict | None] = mapped_column(JSON)
    closing_reason: Mapped[str | None] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # what the debtor owed (due) that day
    language: Mapped[str] = mapped_column(String(2))
    letter: Mapped[str | None] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("payment_plan.id"))
    batch_key: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint(f"event in ({_in(EVENTS)})", name="event"),
        CheckConstraint(f"to_stage in ({_in(STAGES)})", name="to_stage"),
        CheckConstraint(f"letter is null or letter in ({_in(LETTERS)})", name="letter"),
        CheckConstraint("language in ('fr', 'nl', 'de')", name="language"),
    )


class PaymentPlan(Base):
    __tablename__ = "payment_plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    requested_on: Mapped[dt.date] = mapped_column(Date)
    debt_cents: Mapped[int] = mapped_column(BigInteger)  # everything due on the request day: what the plan covers
    down_payment_cents: Mapped[int] = mapped_column(BigInteger)
    months: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(100))
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    activated_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint(f"status in ({_in(PLAN_STATUSES)})", name="status"),
        CheckConstraint("debt_cents > 0 and down_payment_cents > 0", name="amounts_positive"),
    )


class PaymentPlanInstalment(Base):
    __tablename__ = "payment_plan_instalment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plan.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 0 = the down payment
    due_date: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (
        UniqueConstraint("plan_id", "seq"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )


PARTNER_KINDS = ("bailiff", "lawyer")
#: the stage at which a file goes to each kind of partner
PARTNER_OF_STAGE = {"bailiff": "bailiff", "court": "lawyer"}
HANDOVER_STATUSES = ("open", "closed", "returned")
OUTCOMES = ("paid", "insolvent", "not_found", "plan", "returned")
STATUS_LINE_STATUSES = ("accepted", "rejected", "already")
BANKRUPTCY_STATUSES = ("open", "closed")


class RecoveryPartner(Base):
    """A bailiff (huissier de justice / gerechtsdeurwaarder) or a lawyer the fund hands files to."""

    __tablename__ = "recovery_partner"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The account the partner remits collected money from (a bailiff's third-party account): a CODA credit from it
    # settles the partner's clearing account (docs/collection-money.md).
    iban: Mapped[str | None] = mapped_column(String(34), index=True)
    __table_args__ = (
        CheckConstraint(f"kind in ({_in(PARTNER_KINDS)})", name="kind"),
        CheckConstraint("language in ('fr', 'nl', 'de')", name="language"),
    )


class RecoveryHandover(Base):
    """One hand-over file: a partner, a date, the CSV sent (kept as sent) and the checksums of CSV and letter."""

    __tablename__ = "recovery_handover"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # handover/<partner code>/<date>[/<n>]
    partner_id: Mapped[int] = mapped_column(ForeignKey("recovery_partner.id"), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    debtors: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    csv_name: Mapped[str] = mapped_column(String(200))
    csv_text: Mapped[str] = mapped_column(Text)
    csv_sha256: Mapped[str] = mapped_column(String(64))
    pdf_name: Mapped[str] = mapped_column(String(200))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RecoveryHandoverLine(Base):
    """A debtor handed to a partner for one recovery step (unique: the same step is never handed twice)."""

    __tablename__ = "recovery_handover_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("recovery_handover.id"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("recovery_step.id"), unique=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("recovery_file.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("recovery_partner.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(40), unique=True)  # ours: <file>-<cycle>-<stage>
    enforcement_ref: Mapped[str | None] = mapped_column(String(40))  # the contrainte of the cycle, if any
    enforcement_on: Mapped[dt.date | None] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="open")
    served_on: Mapped[dt.date | None] = mapped_column(Date)  # contrainte (or summons) served: art. 44 cut-off
    opposed_on: Mapped[dt.date | None] = mapped_column(Date)  # opposition to the contrainte recorded (→ court)
    outcome: Mapped[str | None] = mapped_column(String(12))
    outcome_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    costs_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    fees_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # kept out of remittances
    __table_args__ = (
        CheckConstraint(f"status in ({_in(HANDOVER_STATUSES)})", name="status"),
        CheckConstraint(f"outcome is null or outcome in ({_in(OUTCOMES)})", name="outcome"),
        CheckConstraint("stage in ('bailiff', 'court')", name="stage"),
    )


class RecoveryStatusFile(Base):
    """A status file received from a partner (same bytes twice: recognised, nothing done)."""

    __tablename__ = "recovery_status_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("recovery_partner.id"), index=True)
    filename: Mapped[str | None] = mapped_column(String(300))
    lines: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    already: Mapped[int] = mapped_column(Integer)
    imported_on: Mapped[dt.date] = mapped_column(Date)
    imported_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RecoveryStatusLine(Base):
    """Every line of a status file, kept: accepted (what it did), already (the partner's reference was booked
    from an earlier file) or rejected (the field and why, for the partner to correct and send again)."""

    __tablename__ = "recovery_status_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("recovery_status_file.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    error: Mapped[str | None] = mapped_column(Text)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)  # status/<partner>/<partner_ref>, accepted
    handover_line_id: Mapped[int | None] = mapped_column(ForeignKey("recovery_handover_line.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    event_on: Mapped[dt.date | None] = mapped_column(Date)
    served_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    costs_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    fees_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    outcome: Mapped[str | None] = mapped_column(String(12))
    __table_args__ = (
        UniqueConstraint("file_id", "line"),
        CheckConstraint(f"status in ({_in(STATUS_LINE_STATUSES)})", name="status"),
    )


PARTNER_INSTALMENT_STATUSES = ("due", "paid", "missed")


class PartnerPlanInstalment(Base):
    """One instalment of a payment plan a bailiff or lawyer agreed with the debtor (status file outcome ``plan``,
    recovery/partner_plans.py): paid through the partner (its status files' payments on the hand-over line since
    the plan was agreed, oldest instalment first); ``missed`` once not covered ``payment_plan_grace_days`` after its
    due date — the recovery staff get a task (``case_id``)."""

    __tablename__ = "partner_plan_instalment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handover_line_id: Mapped[int] = mapped_column(ForeignKey("recovery_handover_line.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("recovery_partner.id"))
    agreed_on: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="due")
    settled_on: Mapped[dt.date | None] = mapped_column(Date)  # paid: the day it was covered; missed: flagged
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    __table_args__ = (
        UniqueConstraint("handover_line_id", "seq"),
        CheckConstraint(f"status in ({_in(PARTNER_INSTALMENT_STATUSES)})", name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )


class RecoveryBankruptcy(Base):
    """A debtor's bankruptcy (faillite / faillissement): the court, the trustee (curateur / curator), the claim the
    fund declared, the dividend received; closed when the procedure ends."""

    __tablename__ = "recovery_bankruptcy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    declared_on: Mapped[dt.date] = mapped_column(Date)
    court: Mapped[str] = mapped_column(String(200))
    court_ref: Mapped[str | None] = mapped_column(String(60))
    trustee_name: Mapped[str] = mapped_column(String(200))
    trustee_address: Mapped[str] = mapped_column(Text)
    trustee_email: Mapped[str | None] = mapped_column(String(200))
    trustee_language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(10), default="open")
    claim_on: Mapped[dt.date | None] = mapped_column(Date)
    claim_cents: Mapped[int | None] = mapped_column(BigInteger)
    claim_lines: Mapped[list | None] = mapped_column(JSON)
    dividend_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("party_id", "declared_on"),
        CheckConstraint(f"status in ({_in(BANKRUPTCY_STATUSES)})", name="status"),
        CheckConstraint("trustee_language in ('fr', 'nl', 'de')", name="trustee_language"),
    )


class PrescriptionInterruption(Base):
    """An act that interrupted the prescription of a debt and is not already on file elsewhere: an
    acknowledgement of debt signed by the debtor, a summons, a contrainte served, a joint call sent to a jointly
    liable company (its registered letter interrupts the director's debt). Payments, payment plans and the
    formal notices / enforcement orders of the recovery file are read where they are recorded (ledger,
    ``payment_plan``, ``recovery_step``). ``period``/``account`` null: every debt of the debtor open that day."""

    __tablename__ = "prescription_interruption"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)  # the debtor of the debt
    account: Mapped[str | None] = mapped_column(String(30))
    period: Mapped[str | None] = mapped_column(String(6))
    on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    via_party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))  # the jointly liable party addressed
    joint_call_id: Mapped[int | None] = mapped_column(ForeignKey("joint_call.id"))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (CheckConstraint(f"kind in ({_in(INTERRUPTIONS)})", name="kind"),)


JOINT_LIABLE = ("company", "director")


class JointCall(Base):
    """A jointly liable party called, by registered letter, for another's unpaid debts (legislation.md §6 [S32]).
    ``liable`` says who is called: ``company`` — the company for its director's contributions of the period of the
    mandate (art. 15 AR n° 38); what it pays is booked to the director's account and imputed on his debt —, or
    ``director`` — a mandatary for the company's annual contribution; what he pays is booked to the company's
    account and imputed on the contribution called. ``periods``: the debts called (period, account, cents, and
    for a director's call the company's charges they come from); ``decision``: what the caseworker decided where
    the notes are silent. The debt stays once in the ledger, on its debtor's account: either side's payment
    settles it once."""

    __tablename__ = "joint_call"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    director_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandate.id"))
    called_on: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    periods: Mapped[list] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    liable: Mapped[str] = mapped_column(String(10), default="company", server_default="company")
    decision: Mapped[dict | None] = mapped_column(JSON)
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("language in ('fr', 'nl', 'de')", name="language"),
        CheckConstraint(f"liable in ({_in(JOINT_LIABLE)})", name="liable"),
    )


class PrescribedQuarter(Base):
    """The pension-rights consequence of prescription: a contribution quarter of a person written off as
    prescribed opens no pension right (legislation.md §9 [S31]). One row per (person, quarter), written by
    ``caisse run prescription``; the career-data export reads it."""

    __tablename__ = "prescribed_quarter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    period: Mapped[str] = mapped_column(String(6))
    prescribed_on: Mapped[dt.date] = mapped_column(Date)
    written_off_cents: Mapped[int] = mapped_column(BigInteger)  # the contribution written off (principal)
    transaction_key: Mapped[str] = mapped_column(String(200))
    batch_key: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("party_id", "period"),
        CheckConstraint("period like '____Q_'", name="quarter"),
    )


# --- payment difficulties: dispensation and surcharge waiver (decided by INASTI, legislation §4.4 and §5) ----------

RELIEF_KINDS = ("dispensation", "surcharge_waiver")
#: informed (the pension consequence written to the person: a dispensation only) → requested (case open, recovery
#: suspended) → sent (in a file to INASTI) → awaiting_approval (INASTI's decision
#: recorded, the write-off waits for a second person) → granted / partly_granted / refused
RELIEF_STATUSES = ("informed", "requested", "sent", "awaiting_approval", "granted", "partly_granted", "refused")
WAIVER_GROUNDS = ("force_majeure", "good_faith", "hardship")


class ReliefRequest(Base):
    """A dispensation of contributions or a surcharge waiver asked through the fund and decided by INASTI.

    ``lines``: per quarter what was open when asked (``{"period", "contribution", "management_fee", "surcharge"}``,
    cents). ``decision``: INASTI's answer as recorded (per quarter granted or not, amount, the write-off lines).
    """

    __tablename__ = "relief_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    applicant_party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))  # a jointly liable party asking
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    status: Mapped[str] = mapped_column(String(20))
    requested_on: Mapped[dt.date] = mapped_column(Date)
    periods: Mapped[list] = mapped_column(JSON)
    lines: Mapped[list] = mapped_column(JSON)
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # open principal (dispensation) / surcharges (waiver)
    grounds: Mapped[str] = mapped_column(Text)
    ground_kind: Mapped[str | None] = mapped_column(String(20))
    signed_personally: Mapped[bool | None] = mapped_column(Boolean)
    informed_on: Mapped[dt.date | None] = mapped_column(Date)  # pension consequence explained (dispensation)
    requested_by: Mapped[str] = mapped_column(String(100))
    sent_on: Mapped[dt.date | None] = mapped_column(Date)
    export_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_message.id"))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)  # INASTI's decision date
    decision_ref: Mapped[str | None] = mapped_column(String(60))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    surcharges_included: Mapped[bool | None] = mapped_column(Boolean)  # dispensation: INASTI dispensed them too
    decision: Mapped[dict | None] = mapped_column(JSON)
    recorded_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))
    ledger_key: Mapped[str | None] = mapped_column(String(200))
    written_off_cents: Mapped[int | None] = mapped_column(BigInteger)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint(f"kind in ({_in(RELIEF_KINDS)})", name="kind"),
        CheckConstraint(f"status in ({_in(RELIEF_STATUSES)})", name="status"),
        CheckConstraint(f"ground_kind is null or ground_kind in ({_in(WAIVER_GROUNDS)})", name="ground_kind"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )


class DispensedQuarter(Base):
    """A quarter dispensed by INASTI for a debtor: career data (no pension rights for it unless the dispensed
    contributions are paid by ``buyback_deadline``, legislation §5/§9)."""

    __tablename__ = "dispensed_quarter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    period: Mapped[str] = mapped_column(String(6))
    request_id: Mapped[int] = mapped_column(ForeignKey("relief_request.id"))
    dispensed_cents: Mapped[int] = mapped_column(BigInteger)  # the contribution given up (what a buy-back pays)
    granted_on: Mapped[dt.date] = mapped_column(Date)  # INASTI's decision
    buyback_deadline: Mapped[dt.date] = mapped_column(Date)
    bought_back_on: Mapped[dt.date | None] = mapped_column(Date)
    # the day after the deadline, once passed without the quarter bought back (``caisse run prescription``)
    buyback_lapsed_on: Mapped[dt.date | None] = mapped_column(Date)
    buyback_request_id: Mapped[int | None] = mapped_column(ForeignKey("buyback_request.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("party_id", "period"),)


BUYBACK_STATUSES = ("open", "paid", "lapsed")


class BuybackRequest(Base):
    """A person's request to pay back dispensed quarters within the legal window (recovery/buyback.py): its due
    notice has its own structured communication (``references.for_buyback``: the person's ``number``-th request);
    the ledger item is ``buyback:<id>`` (key ``ledger_key``). ``unknown``: what the notes do not give (e.g. whether
    the amount is revalued), said to the person and kept here."""

    __tablename__ = "buyback_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    asked_on: Mapped[dt.date] = mapped_column(Date)
    periods: Mapped[list] = mapped_column(JSON)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[dt.date] = mapped_column(Date)  # the earliest buy-back deadline of its quarters
    communication: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    ledger_key: Mapped[str] = mapped_column(String(200), unique=True)
    unknown: Mapped[list] = mapped_column(JSON)
    asked_by: Mapped[str] = mapped_column(String(100))
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("party_id", "number"),
        CheckConstraint(f"status in ({_in(BUYBACK_STATUSES)})", name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )


REDUCTION_STATUSES = ("requested", "awaiting_approval", "granted", "refused")
#: which way the estimate moves the provisional contributions of the year, against what the quarterly call computes
#: without a chosen income (the income of N-3 revalued, a starter's basis): lowered, or raised of one's own accord
REDUCTION_DIRECTIONS = ("reduction", "increase")


class ReductionRequest(Base):
    """A request to compute the provisional contributions of ``year`` on an income the person estimates
    (réduction des cotisations provisoires, art. 11 §3 AR n° 38, reform of 1-1-2022; recovery/reduction.py).

    Granted: ``income_id`` is the ``professional_income`` row (source ``estimate``) the quarterly call reads from
    then on, ``quarterly_cents`` / ``quarterly_total_cents`` the new provisional contribution of a quarter
    (without / with the management fee) and ``corrections`` the quarters already called that were corrected
    (``{"period", "key", "charged", "new"}``, cents). Refused: ``motivation`` says why. A grant that lowers what was
    already called waits for a manager above the four-eyes threshold (``awaiting_approval``, ``approval_id``).
    ``direction``: ``increase`` when the estimate raises the provisional contributions above what the call computes
    without it (a voluntary increase, legislation.md §1.4: no §4.3 surcharge then), else ``reduction``."""

    __tablename__ = "reduction_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    year: Mapped[int] = mapped_column(Integer)
    estimate_cents: Mapped[int] = mapped_column(BigInteger)
    justification: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    requested_on: Mapped[dt.date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(100))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    motivation: Mapped[str | None] = mapped_column(Text)
    income_id: Mapped[int | None] = mapped_column(ForeignKey("professional_income.id"))
    quarterly_cents: Mapped[int | None] = mapped_column(BigInteger)
    quarterly_total_cents: Mapped[int | None] = mapped_column(BigInteger)
    corrections: Mapped[list | None] = mapped_column(JSON)
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval.id"))  # four eyes on a grant (plans too)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    direction: Mapped[str] = mapped_column(String(10), default="reduction", server_default="reduction")
    __table_args__ = (
        CheckConstraint(f"status in ({_in(REDUCTION_STATUSES)})", name="status"),
        CheckConstraint(f"direction in ({_in(REDUCTION_DIRECTIONS)})", name="direction"),
        CheckConstraint("estimate_cents >= 0", name="estimate_not_negative"),
    )
