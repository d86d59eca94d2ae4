"""A benefit claim and its dated history (every step, who, what)."""

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
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from caisse.store.models import Base, utcnow

KINDS = ("bridging_right", "maternity", "birth_leave", "adoption", "carer", "bereavement")
BRIDGING_CASES = ("bankruptcy", "disaster", "fire", "damage", "allergy", "third_party", "economic_event",
                  "economic_difficulties", "collective_debt_settlement")
STATUSES = ("application", "granted", "refused", "closed")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class BenefitClaim(Base):
    """One claim of one person for one benefit. ``facts`` are as declared; ``decision`` is the whole motivated
    decision as it was taken (checks, reasons, computation in fr/nl/de/en, every parameter value with its date,
    status, law and sources), so the document can be printed again identically and the decision reproduced."""

    __tablename__ = "benefit_claim"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    bridging_case: Mapped[str | None] = mapped_column(String(30))
    facts: Mapped[dict] = mapped_column(JSON)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    received_on: Mapped[dt.date] = mapped_column(Date)
    decision_due: Mapped[dt.date] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    status: Mapped[str] = mapped_column(String(12), default="application")
    outcome: Mapped[str | None] = mapped_column(String(8))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    counted: Mapped[int | None] = mapped_column(Integer)  # months (bridging right, carer) or days (bereavement)
    payer: Mapped[str | None] = mapped_column(String(10))  # fund | mutuality
    ledger_key: Mapped[str | None] = mapped_column(String(200))
    payment_due: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    # withdrawn by the person (or by staff on their word) before a decision: closed, no outcome, nothing decided
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    # a document the fund asked the person for (Charter art. 10: the decision deadline is suspended meanwhile). The
    # free texts are kept here (pseudonymised with the identity), never in the append-only steps and audit log
    waiting_for: Mapped[str | None] = mapped_column(Text)
    waiting_since: Mapped[dt.date | None] = mapped_column(Date)
    # the reminder sent while that information is still missing (Charter art. 11: one month of silence after it lets
    # the fund decide on the information it has)
    reminded_on: Mapped[dt.date | None] = mapped_column(Date)
    # when the decision was notified: ``sent`` (made available in the person's case and documents, or a letter
    # posted) or ``registered`` (a registered letter, as the fund records it). The appeal period (Charter art. 23)
    # runs from it, not from the decision date
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    notified_by: Mapped[str | None] = mapped_column(String(10))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint(f"kind in ({_in(KINDS)})", name="kind"),
        CheckConstraint(f"status in ({_in(STATUSES)})", name="status"),
        CheckConstraint("outcome is null or outcome in ('granted', 'refused')", name="outcome"),
        CheckConstraint("(kind = 'bridging_right') = (bridging_case is not null)", name="bridging_case"),
        CheckConstraint("period_end >= period_start", name="period"),
        CheckConstraint("(outcome is null) = (decided_on is null)", name="decided"),
    )


class ClaimStep(Base):
    """One dated step of a claim: application, checks, decision, payment ordered, paid, late, closed."""

    __tablename__ = "benefit_claim_step"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("benefit_claim.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    happened_on: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    detail: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))


EVENT_KINDS = ("birth", "bankruptcy", "incapacity", "cessation", "pension_age")
EVENT_OUTCOMES = ("granted", "claim", "informed")


class BenefitEvent(Base):
    """A life event the fund learned (a birth registered, a bankruptcy published, an incapacity reported by the
    mutuality, a cessation, reaching pension age) and what it opened: a claim (granted at once when every
    condition is met and nothing needs the person's choice, else pre-filled and the person invited to complete it)
    or an information task. ``key`` (kind/person/date) makes recording the same event twice a no-op."""

    __tablename__ = "benefit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    event_date: Mapped[dt.date] = mapped_column(Date)
    known_on: Mapped[dt.date] = mapped_column(Date)  # the day the fund learned it (starts the Charter's 4 months)
    facts: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(40))  # who told the fund: cli, mutuality, life-events batch, ...
    outcome: Mapped[str] = mapped_column(String(10))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_claim.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    detail: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint(f"kind in ({_in(EVENT_KINDS)})", name="kind"),
        CheckConstraint(f"outcome in ({_in(EVENT_OUTCOMES)})", name="outcome"),
    )


UNDUE_STATUSES = ("open", "recovered")


class UndueBenefit(Base):
    """A benefit paid wrongly and claimed back: the motivated decision (fr/nl/de, the Charter art. 14 mentions of
    a recovery decision, the appeal route), the debt posted in the ledger (``ledger_key``), then settled by set-off
    against the person's later benefits or paid (``recovered_on``)."""

    __tablename__ = "benefit_undue"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("benefit_claim.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    decision: Mapped[dict] = mapped_column(JSON)
    ledger_key: Mapped[str] = mapped_column(String(200), unique=True)
    period: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10), default="open")
    recovered_on: Mapped[dt.date | None] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount"),
        CheckConstraint(f"status in ({_in(UNDUE_STATUSES)})", name="status"),
    )


EVENT_LINE_STATUSES = ("recorded", "already", "rejected")


class BenefitEventFile(Base):
    """An inbound file of life events (``caisse import events``, docs/formats/benefit-events.md); the same bytes
    twice are recognised by their SHA-256 and change nothing."""

    __tablename__ = "benefit_event_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(10))
    lines: Mapped[int] = mapped_column(Integer)
    recorded: Mapped[int] = mapped_column(Integer)
    already: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    imported_on: Mapped[dt.date] = mapped_column(Date)
    imported_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class BenefitEventLine(Base):
    """Every line of an events file, kept: recorded (the event it made), already (the event was known: nothing
    done) or rejected (the field and why — never lost; the sender corrects and sends it again)."""

    __tablename__ = "benefit_event_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("benefit_event_file.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10))
    field: Mapped[str | None] = mapped_column(String(60))
    error: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_event.id"))
    # the person the line's NISS names, when it is one of the fund's (also on a rejected line: right of access)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    __table_args__ = (
        UniqueConstraint("file_id", "line"),
        CheckConstraint(f"status in ({_in(EVENT_LINE_STATUSES)})", name="status"),
    )


ATTACHMENT_TYPES = ("application/pdf", "image/jpeg")


class ClaimAttachment(Base):
    """A document added to a claim (a certificate, a court ruling ...), PDF or JPEG as recognised from its bytes.
    ``content`` is emptied by the retention batch once kept long enough (``services/gdpr.py``, rule
    ``benefit_attachments``); ``sha256``, name, type and size stay as proof of what was received."""

    __tablename__ = "benefit_claim_attachment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("benefit_claim.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    received_on: Mapped[dt.date] = mapped_column(Date)
    answers: Mapped[str | None] = mapped_column(Text)  # the document the fund had asked for, when it answers one
    added_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("claim_id", "sha256"),
        CheckConstraint(f"content_type in ({_in(ATTACHMENT_TYPES)})", name="content_type"),
        CheckConstraint("size > 0", name="size"),
    )


DISPENSED_WITH = ("maternity", "carer")


class BenefitDispensedQuarter(Base):
    """A quarter whose contributions are dispensed with a benefit, rights kept (*dispense de cotisations avec
    maintien des droits*): the quarter after the birth quarter (maternity), the quarter holding the third month of a
    full carer interruption. One row per person and quarter; ``claim_id`` the granting claim (``caisse.benefits.
    dispensation``). Not an INASTI dispensation (``recovery.models.DispensedQuarter``: pension rights lost)."""

    __tablename__ = "benefit_dispensed_quarter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    period: Mapped[str] = mapped_column(String(6))
    reason: Mapped[str] = mapped_column(String(20))
    claim_id: Mapped[int] = mapped_column(ForeignKey("benefit_claim.id"), index=True)
    law: Mapped[str] = mapped_column(String(200))
    granted_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("person_id", "period"),
        CheckConstraint(f"reason in ({_in(DISPENSED_WITH)})", name="reason"),
    )


class BenefitMaintainedQuarter(Base):
    """A quarter whose health-care and incapacity/maternity rights are maintained **without contributions** with a
    granted bridging right, pension not included (legislation §8.1 [S41][S39]: at most 4 quarters over the career, 8
    after 60 pension-creating quarters). One row per person and quarter; ``claim_id`` the granting claim
    (``caisse.benefits.service``). Not a dispensation: nothing is cancelled and the quarterly call is unchanged —
    a person who stopped is no longer affiliated, so nothing is called; one still affiliated owes the
    contributions of the affiliation (the notes dispense none with the bridging right). The mutuality and
    insurability files read it (state ``kept_rights``, reason ``bridging``); the INASTI career file (pension) does
    not."""

    __tablename__ = "benefit_maintained_quarter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    period: Mapped[str] = mapped_column(String(6))
    claim_id: Mapped[int] = mapped_column(ForeignKey("benefit_claim.id"), index=True)
    law: Mapped[str] = mapped_column(String(200))
    granted_on: Mapped[dt.date] = mapped_column(Date)
    # withdrawn by an undue-benefit decision on the granting claim (``benefits.undue.claim_back``): the row stays
    # (history: a file as of an earlier date still shows the quarter), the counters and files from that day do not
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_by_undue: Mapped[int | None] = mapped_column(ForeignKey("benefit_undue.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        # one quarter maintained at a time per person (migration 0032: a withdrawn one may be maintained again)
        Index("uq_benefit_maintained_quarter_current", "person_id", "period", unique=True,
              sqlite_where=text("withdrawn_on IS NULL"), postgresql_where=text("withdrawn_on IS NULL")),
        CheckConstraint("(withdrawn_on is null) = (withdrawn_by_undue is null)", name="withdrawn"),
    )


INSURANCE_REQUEST_KINDS = ("illness_assimilation", "continued_insurance")
INSURANCE_REQUEST_STATUSES = ("proposed", "requested", "forwarded", "granted", "refused", "withdrawn")


class InsuranceRequest(Base):
    """A request the fund checks and forwards, decided by another institution (``caisse.benefits.
    insurance_requests``): the assimilation of a period of incapacity for illness, the continued insurance after a
    cessation. ``proposed`` (pre-filled by the fund from a life event, waiting for the person) → ``requested``
    (filed, checked) → ``forwarded`` (to ``institution`` on ``forwarded_on``; ``export_id`` the file when it went in
    one) → ``granted`` / ``refused`` (the institution's decision as recorded, its quarters and reasons); or
    ``withdrawn`` before a decision (by the person, or by staff on their word: ``withdrawn_on``, who, the reason as
    a free text the retention blanks). ``facts``
    as filed: ``incapacity_start`` / ``incapacity_end``; ``cessation_date`` / ``option`` / ``extension`` /
    ``no_other_status``. ``last_quarter`` is empty while an incapacity has no known end."""

    __tablename__ = "benefit_insurance_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(12))
    facts: Mapped[dict] = mapped_column(JSON)
    first_quarter: Mapped[str] = mapped_column(String(6))
    last_quarter: Mapped[str | None] = mapped_column(String(6))
    proposed_on: Mapped[dt.date | None] = mapped_column(Date)
    requested_on: Mapped[dt.date | None] = mapped_column(Date)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_event.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    institution: Mapped[str | None] = mapped_column(String(60))
    forwarded_on: Mapped[dt.date | None] = mapped_column(Date)
    export_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_message.id"))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_ref: Mapped[str | None] = mapped_column(String(60))
    granted_quarters: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint(f"kind in ({_in(INSURANCE_REQUEST_KINDS)})", name="kind"),
        CheckConstraint(f"status in ({_in(INSURANCE_REQUEST_STATUSES)})", name="status"),
        CheckConstraint("(status in ('granted', 'refused')) = (decided_on is not null)", name="decided"),
        CheckConstraint("(status = 'withdrawn') = (withdrawn_on is not null)", name="withdrawn"),
    )


class InsuranceQuarter(Base):
    """A quarter an institution granted on an assimilation or continued-insurance request (``InsuranceRequest.
    granted_quarters``, one row each, written by ``insurance_requests.record_decision``): what the career and
    mutuality files read set-based. ``recorded_on`` is the day the fund recorded the decision (a file as of an
    earlier date does not know it); ``decided_on`` the institution's decision date."""

    __tablename__ = "benefit_insurance_quarter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    period: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(24))
    request_id: Mapped[int] = mapped_column(ForeignKey("benefit_insurance_request.id"), index=True)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("person_id", "period", "kind"),
        CheckConstraint(f"kind in ({_in(INSURANCE_REQUEST_KINDS)})", name="kind"),
    )


CONSENT_CHANNELS = ("portal", "desk", "letter")


class SetOffConsent(Base):
    """The person's agreement that the fund sets off the benefit of one claim against their contribution debts
    (``caisse.benefits.setoff``): given from the portal, at the desk or by letter (recorded by staff), optionally up
    to ``max_cents``; withdrawn until the payment is ordered (``withdrawn_on``); ``used_on`` the day the grant was
    posted with it. No set-off of contribution debts is ever made without one (the legal basis of a set-off the
    person did not agree to is not in the legislation notes)."""

    __tablename__ = "benefit_set_off_consent"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("benefit_claim.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    given_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(10))
    max_cents: Mapped[int | None] = mapped_column(BigInteger)
    recorded_by: Mapped[str] = mapped_column(String(100))
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    used_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint(f"channel in ({_in(CONSENT_CHANNELS)})", name="channel"),
        CheckConstraint("max_cents is null or max_cents > 0", name="max_positive"),
    )
