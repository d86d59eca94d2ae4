"""The tax certificates issued (attestations fiscales): one row per debtor and calendar year, so that the portal
serves the very certificate that was sent and a rerun of the batch writes nothing new. The certificates of payment
status issued on demand (``paid_up_certificate``), so the desk can confirm one is genuine. The files sent to outside
institutions (``exchange_file``), their records (``exchange_record``) and the answers received (``exchange_ack``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from caisse.store.models import Base, utcnow


class TaxCertificate(Base):
    """Amounts in cents, all from the ledger (entries booked in ``year``): ``paid`` = money imputed on the
    deductible items (contributions, management fees, company contribution, reminder costs), ``returned`` = the
    part of those items given back (a debt lowered after it was paid: released to the debtor's credit),
    ``deductible`` = paid − returned; ``surcharges`` and ``other_costs`` (judicial costs, legal interest,
    unclassified costs) = paid net, not deductible. ``lines``: the same figures per period (the trail)."""

    __tablename__ = "tax_certificate"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # tax-certificate/<year>/<party>
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    language: Mapped[str] = mapped_column(String(2))
    paid_cents: Mapped[int] = mapped_column(BigInteger)
    returned_cents: Mapped[int] = mapped_column(BigInteger)
    deductible_cents: Mapped[int] = mapped_column(BigInteger)
    surcharges_cents: Mapped[int] = mapped_column(BigInteger)
    other_costs_cents: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list | None] = mapped_column(JSON)
    batch_key: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- certificates of payment status issued on demand (docs/certificates.md) -------------------------------------

PAID_UP_OUTCOMES = ("in_order", "arrears")


class PaidUpCertificate(Base):
    """A certificate of payment status issued (attestation de régularité de paiement des cotisations sociales /
    attest van regelmatige betaling / Bescheinigung über die ordnungsgemäße Zahlung): its unique ``reference`` printed
    on it, the day it speaks of, and what it said — ``in_order``, or ``arrears`` with ``due_cents`` and, per period,
    what was due and unpaid (``lines``: period, principal, surcharges, costs, due date, cents from the ledger) and the
    notes printed (a plan respected, a request pending). The desk confirms a copy shown by a bank or a contracting
    authority with it; ``sha256`` is the PDF's, so a copy sent by e-mail can be compared byte for byte."""

    __tablename__ = "paid_up_certificate"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(2))
    outcome: Mapped[str] = mapped_column(String(10))
    due_cents: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list] = mapped_column(JSON)
    notes: Mapped[list] = mapped_column(JSON)
    communication: Mapped[str | None] = mapped_column(String(12))  # the structured communication printed (arrears)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint("outcome in ('in_order', 'arrears')", name="outcome"),
        CheckConstraint("(outcome = 'in_order') = (due_cents = 0) and due_cents >= 0", name="due_matches_outcome"),
        CheckConstraint("language in ('fr', 'nl', 'de')", name="language"),
    )


# --- outgoing files (career data for INASTI, contributions paid for the mutualities, any later export) ----------

EXCHANGE_FILE_STATUSES = ("sent", "acknowledged", "rejected")
EXCHANGE_RECORD_TYPES = ("new", "correction", "resend", "cancel")
EXCHANGE_RECORD_STATUSES = ("sent", "accepted", "rejected")


class ExchangeFile(Base):
    """One file sent to an outside institution: what (``kind``), as of which date, its records, checksum, where it
    was written and what became of it (``sent`` → ``acknowledged`` or ``rejected`` by the receiver's answer).
    A rerun with the same ``as_of`` gives back this file (rebuilt from its records, same SHA-256), never a new one."""

    __tablename__ = "exchange_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. CAREER-20260331-0001, in the header
    as_of: Mapped[dt.date] = mapped_column(Date)  # the reference date: ledger and files as they stood on it
    first_period: Mapped[str | None] = mapped_column(String(6))
    last_period: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    record_count: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str | None] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(20), default="sent")
    status_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    # the version of the file's format it was written in (a rerun of its date rebuilds it in that version)
    format_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __table_args__ = (
        CheckConstraint("status in ('sent', 'acknowledged', 'rejected')", name="status"),
        UniqueConstraint("kind", "as_of", name="uq_exchange_file_kind_as_of"),
    )


class ExchangeRecord(Base):
    """One record of an outgoing file, about one subject (``party_id`` + ``subject``, e.g. a quarter). ``content``
    is the record's data in the export's canonical text (fields joined by ``|``): the next export compares it with
    what it would send now, and sends a ``correction`` (naming this record in ``corrects_id``) only when it differs,
    a ``resend`` when this record was rejected, a ``cancel`` when the subject is gone. Its ``id`` is the record
    number printed in the file and quoted by the receiver's acknowledgement."""

    __tablename__ = "exchange_record"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("exchange_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    subject: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str] = mapped_column(String(12))
    corrects_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="sent")
    rejection_code: Mapped[str | None] = mapped_column(String(20))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    ack_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_ack.id"))  # the answer that set ``status``
    __table_args__ = (
        CheckConstraint("record_type in ('new', 'correction', 'resend', 'cancel')", name="record_type"),
        CheckConstraint("status in ('sent', 'accepted', 'rejected')", name="status"),
        Index("ix_exchange_record_kind_subject", "kind", "party_id", "subject", "id"),
    )


class ExchangeAck(Base):
    """An acknowledgement (or rejection) received for an outgoing file; the same answer imported twice is refused
    by its SHA-256."""

    __tablename__ = "exchange_ack"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("exchange_file.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(100))
    __table_args__ = (CheckConstraint("status in ('accepted', 'rejected')", name="status"),)
