"""The fund's data model. The schema is created only by the Alembic migrations in ``migrations/``;
``tests/store/test_migrations.py`` checks that these models and the migrations agree.

A *party* is anyone the fund holds an account for: a person or a company (the debtor of the ledger).
History is never overwritten: addresses, bank accounts and contributor categories are rows with a
validity period; the affiliation workflow keeps one row per step.
"""

from __future__ import annotations

import datetime as dt
import enum

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
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict: JSON}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Category(enum.StrEnum):
    """Contributor category (catégorie de cotisant), spelled as in the simulator."""

    MAIN = "main"  # à titre principal
    COMPLEMENTARY = "complementary"  # à titre complémentaire
    STUDENT = "student"  # étudiant-indépendant
    HELPING_SPOUSE = "helping_spouse"  # conjoint aidant, maxi-statut
    POST_PENSION = "post_pension"  # actif après l'âge de la pension
    ART37 = "art37"  # assimilé à titre complémentaire (art. 37 RD 19-12-1967)


class Language(enum.StrEnum):
    FR = "fr"
    NL = "nl"
    DE = "de"


class AffiliationStatus(enum.StrEnum):
    REQUESTED = "requested"  # request received, checks pending
    PENDING_DOCUMENTS = "pending_documents"  # checks found missing documents
    PENDING_TRANSFER = "pending_transfer"  # affiliated elsewhere: transfer to be arranged
    AFFILIATED = "affiliated"
    CEASED = "ceased"
    REFUSED = "refused"


CATEGORY_VALUES = tuple(c.value for c in Category)
LANGUAGE_VALUES = tuple(lang.value for lang in Language)


class Party(Base):
    """A debtor/creditor of the fund: a person or a company. ``id`` is the fund's file number."""

    __tablename__ = "party"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(2))
    team: Mapped[str | None] = mapped_column(String(40), index=True)  # the caseworkers' team that owns the file
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    __table_args__ = (
        CheckConstraint("kind in ('person', 'company')", name="kind"),
        CheckConstraint("language in ('fr', 'nl', 'de')", name="language"),
    )


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(ForeignKey("party.id"), primary_key=True)
    niss: Mapped[str] = mapped_column(String(11), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    party: Mapped[Party] = relationship(lazy="joined")
    __table_args__ = (CheckConstraint("sex is null or sex in ('M', 'F')", name="sex"),)


class Company(Base):
    __tablename__ = "company"
    id: Mapped[int] = mapped_column(ForeignKey("party.id"), primary_key=True)
    kbo: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(20))
    affiliation_start: Mapped[dt.date] = mapped_column(Date)
    affiliation_end: Mapped[dt.date | None] = mapped_column(Date)
    party: Mapped[Party] = relationship(lazy="joined")


class Address(Base):
    """A party's address for a period; a move is a new row (the old one gets ``valid_to``)."""

    __tablename__ = "address"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    street: Mapped[str] = mapped_column(String(200))
    house_number: Mapped[str] = mapped_column(String(20))
    box: Mapped[str | None] = mapped_column(String(20))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="BE")
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class BankAccount(Base):
    """The IBAN the fund refunds to / pays benefits on, for a period."""

    __tablename__ = "bank_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class Affiliation(Base):
    """A period during which a person is affiliated with the fund as a self-employed worker."""

    __tablename__ = "affiliation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    requested_on: Mapped[dt.date] = mapped_column(Date)
    previous_fund: Mapped[str | None] = mapped_column(String(100))
    primostarter: Mapped[bool] = mapped_column(Boolean, default=False)
    activity: Mapped[str | None] = mapped_column(String(200))
    categories: Mapped[list[CategoryPeriod]] = relationship(
        back_populates="affiliation", order_by="[CategoryPeriod.valid_from, CategoryPeriod.id]", lazy="selectin"
    )
    __table_args__ = (
        CheckConstraint("end_date is null or end_date >= start_date", name="end_after_start"),
        CheckConstraint(
            "status in ('requested', 'pending_documents', 'pending_transfer', 'affiliated', 'ceased', 'refused')",
            name="status",
        ),
    )


class CategoryPeriod(Base):
    """The contributor category of an affiliation from ``valid_from`` to ``valid_to`` (inclusive)."""

    __tablename__ = "category_period"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    affiliation_id: Mapped[int] = mapped_column(ForeignKey("affiliation.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    pension_received: Mapped[bool | None] = mapped_column(Boolean)
    reduced_regime_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    affiliation: Mapped[Affiliation] = relationship(back_populates="categories")
    __table_args__ = (
        CheckConstraint(
            "category in ('main', 'complementary', 'student', 'helping_spouse', 'post_pension', 'art37')",
            name="category",
        ),
        CheckConstraint("valid_to is null or valid_to >= valid_from", name="valid_period"),
    )


class AffiliationStep(Base):
    """One step of the affiliation workflow, with the date it happened (never rewritten)."""

    __tablename__ = "affiliation_step"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    affiliation_id: Mapped[int] = mapped_column(ForeignKey("affiliation.id"), index=True)
    step: Mapped[str] = mapped_column(String(40))
    happened_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    detail: Mapped[dict | None] = mapped_column(JSON)


class AffiliationDocument(Base):
    """A document the affiliation needs (e.g. proof of employment for a complementary activity)."""

    __tablename__ = "affiliation_document"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    affiliation_id: Mapped[int] = mapped_column(ForeignKey("affiliation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    __table_args__ = (UniqueConstraint("affiliation_id", "kind", name="uq_affiliation_document_kind"),)


class SpouseLink(Base):
    """A helping spouse (conjoint aidant) and the self-employed person they help: joint liability."""

    __tablename__ = "spouse_link"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    self_employed_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    __table_args__ = (CheckConstraint("helper_id <> self_employed_id", name="distinct_people"),)


class Mandate(Base):
    """A company director (mandataire de société) for the period of the mandate: joint liability."""

    __tablename__ = "mandate"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(40), default="director")
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class BalanceSheet(Base):
    """A company's balance-sheet total for a financial year (drives the company contribution bracket)."""

    __tablename__ = "balance_sheet"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (
        UniqueConstraint("company_id", "financial_year", name="uq_balance_sheet_company_year"),
        CheckConstraint("total_cents >= 0", name="total_positive"),
    )


class Event(Base):
    """A dated change to a file (address, IBAN, category, cessation, ...): the file's history."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict | None] = mapped_column(JSON)


class AuditLog(Base):
    """Who did (or read) what on which file, when and from where. Append-only (database triggers refuse
    UPDATE and DELETE) and hash-chained: ``hash`` = SHA-256 of the previous hash and this row's content,
    so that ``caisse audit verify`` detects a row changed or removed behind the application's back.

    A read may be written unsealed (``hash``, ``prev_hash``, ``seq`` empty: no wait for the chain's head) and is
    sealed shortly after, in order (``services/audit.py``); the trigger allows that one change and no other.
    ``seq``: the row's place in the chain (none on the rows chained before migration 0030: they come first)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    seq: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    party_id: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict | None] = mapped_column(JSON)
    __table_args__ = (Index("ix_audit_log_party_at", "party_id", "at"),
                      Index("ix_audit_log_seq", "seq", unique=True),
                      Index("ix_audit_log_unsealed", "id", postgresql_where=text("hash IS NULL"),
                            sqlite_where=text("hash IS NULL")))


class ExchangeMessage(Base):
    """A file or record exchanged with an outside institution (INASTI, tax administration, bank)."""

    __tablename__ = "exchange_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(60))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    path: Mapped[str | None] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict | None] = mapped_column(JSON)
    __table_args__ = (
        CheckConstraint("direction in ('in', 'out')", name="direction"),
        UniqueConstraint("direction", "kind", "sha256", name="uq_exchange_message_content"),
    )


class ProfessionalIncome(Base):
    """Net taxable professional income of a year (the contribution base, RD 38 art. 11).

    ``source``: ``tax`` (communicated by the tax administration — a revision is a new row, the latest
    ``assessed_on`` wins), ``estimate`` (the affiliate's estimate, e.g. for a reduction request).
    """

    __tablename__ = "professional_income"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(10))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint("source in ('tax', 'estimate')", name="source"),
        CheckConstraint("amount_cents >= 0", name="amount_positive"),
        Index("ix_professional_income_person_year", "person_id", "year"),
    )


class AuditHead(Base):
    """The last hash of the audit chain (one row). Updating it serialises writers of the chain."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(BigInteger, default=0)


ROLES = ("affiliate", "accountant", "caseworker", "recovery_officer", "benefits_officer", "manager", "auditor",
         "administrator")


class Account(Base):
    """A login: an affiliate (person or company director), an accountant with mandates, or a staff member."""

    __tablename__ = "account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)  # the affiliate's own file
    team: Mapped[str | None] = mapped_column(String(40))  # staff: the team whose files they handle
    # staff: how the people whose caseworker they are reach them (shown on the portal home)
    display_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    # the language last chosen on a page (or set when the login was made); None: the file's language, for staff
    # the browser's (caisse.web.i18n)
    language: Mapped[str | None] = mapped_column(String(2))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # the last TOTP time step used (no replay)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint("role in ('affiliate', 'accountant', 'caseworker', 'recovery_officer', 'benefits_officer', "
                        "'manager', 'auditor', 'administrator')", name="role"),
    )


class FileCaseworker(Base):
    """The named caseworker of a file (a staff account), dated: assigning another closes the current row
    (``valid_to``) and adds one, so the history of who held the file is kept (migration 0015)."""

    __tablename__ = "file_caseworker"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)  # the last day; None: the current caseworker
    assigned_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_file_caseworker_party_current", "party_id", "valid_to"),)


class AccessGrant(Base):
    """Access of an account to a file other than its own: an accountant's mandate, a director for the company."""

    __tablename__ = "access_grant"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # mandate | director
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    granted_by: Mapped[str] = mapped_column(String(100))


class WebSession(Base):
    """A login session. Only the SHA-256 of the cookie token is stored; a new token at every login."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    mfa_done: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str | None] = mapped_column(String(100))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class NeedToKnowGrant(Base):
    """A team-bound handler stated why they need a file of another team (POSTed, never in a URL): for a short
    while, in that session, reads of that file are allowed and logged with this reason."""

    __tablename__ = "need_to_know_grant"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("web_session.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_need_to_know_grant_account_party", "account_id", "party_id", "expires_at"),)


class LoginAttempt(Base):
    """Every login attempt (for throttling by address and the security log); no password is kept."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100))
    origin: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (Index("ix_login_attempt_origin_at", "origin", "at"),)


class PasswordReset(Base):
    """A "forgotten password" request, whatever came of it (the throttles count these rows). When a link was
    e-mailed, only the SHA-256 of its random token is kept; the link works once (``used_at``) and until
    ``expires_at``. ``outcome``: sent, refused (no such login, staff, no e-mail address on file, disabled, demo),
    throttled, or superseded (a newer link was sent)."""

    __tablename__ = "password_reset"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    origin: Mapped[str | None] = mapped_column(String(100))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        CheckConstraint("outcome in ('sent', 'refused', 'throttled', 'superseded')", name="outcome"),
        Index("ix_password_reset_login_at", "login", "requested_at"),
        Index("ix_password_reset_origin_at", "origin", "requested_at"),
    )


class Approval(Base):
    """Four-eyes control: a refund, write-off, surcharge waiver or payment plan above the fund's threshold waits
    for a second person (a manager, never the requester) before the ledger is touched. A refund of parked money
    (kind ``parked_refund``) belongs to no file: it names the reconciliation item instead (``item_id``)."""

    __tablename__ = "approval"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("reconciliation_item.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    ledger_key: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (
        CheckConstraint("status in ('pending', 'approved', 'rejected', 'executed')", name="status"),
        CheckConstraint("kind in ('refund', 'write_off', 'surcharge_waiver', 'payment_plan', 'parked_refund', "
                        "'reduction')",
                        name="kind"),
        # a file's request names its file; a parked-money refund names its bank line's item and no file
        CheckConstraint("(kind = 'parked_refund' and party_id is null and item_id is not null) or "
                        "(kind <> 'parked_refund' and party_id is not null and item_id is null)", name="owner"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_approval_status", "status", "requested_at"),
    )
