"""Cases: every question, request, complaint or anomaly the fund must answer, with its deadline."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
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
)
from sqlalchemy.orm import Mapped, mapped_column

from caisse.store.models import Base, utcnow

CASE_STATUSES = ("open", "waiting_for_person", "answered", "closed")
CHANNELS = ("portal", "phone", "email", "office", "letter", "system")


class Case(Base):
    """A question, request or complaint (or an anomaly raised by the system) with a tracked deadline.

    ``deadline`` is computed from the kind's legal or charter period (``cases/deadlines.yaml``) and moves
    forward by the days spent waiting for the person (Charter of the social insured, art. 10).
    """

    __tablename__ = "case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    team: Mapped[str | None] = mapped_column(String(40))
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    waiting_since: Mapped[dt.date | None] = mapped_column(Date)
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # a case the system opens for a thing (``bank_line/123``, ``batch/<batch key>/<anomaly>``): at most one each
    key: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (
        CheckConstraint("status in ('open', 'waiting_for_person', 'answered', 'closed')", name="status"),
        CheckConstraint("channel in ('portal', 'phone', 'email', 'office', 'letter', 'system')", name="channel"),
        Index("ix_case_open_deadline", "status", "deadline"),
        Index("ux_case_key", "key", unique=True),
    )


class CaseMessage(Base):
    """A message in a case: from the person (``in``), to the person (``out``), or an internal note."""

    __tablename__ = "case_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    author: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    read_by_person: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (CheckConstraint("direction in ('in', 'out', 'internal')", name="direction"),)


class CaseAttachment(Base):
    """A document added to a case (migration 0029_caseattach): by the person on the portal, when opening the
    request or later in its thread, or by staff (a paper document scanned). PDF or JPEG as recognised from its bytes
    (``services/uploads.py``, shared with the benefit claims' documents); the same bytes twice on a case are refused.
    ``content`` is emptied by the retention batch (``services/gdpr.py``, rule ``case_attachments``); ``sha256``, type,
    size and date stay as proof of what was received."""

    __tablename__ = "case_attachment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    received_on: Mapped[dt.date] = mapped_column(Date)
    added_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("case_id", "sha256"),
        CheckConstraint("content_type in ('application/pdf', 'image/jpeg')", name="content_type"),
        CheckConstraint("size > 0", name="size"),
    )


class Notification(Base):
    """An e-mail telling a person that something is waiting in the portal (never the content itself)."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    case_message_id: Mapped[int | None] = mapped_column(ForeignKey("case_message.id"), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))


NOTE_CHANNELS = ("phone", "email", "office", "letter", "note")
NOTE_DIRECTIONS = ("in", "out", "internal")


class ContactNote(Base):
    """A contact with the person outside the portal, kept on the file (migration 0015): a phone call, an e-mail,
    an office visit or a letter (``in``: from the person, ``out``: from the fund), or a free note (channel
    ``note``, direction ``internal``). The services only add notes: a wrong note is corrected by a new one."""

    __tablename__ = "contact_note"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    channel: Mapped[str] = mapped_column(String(10))
    direction: Mapped[str] = mapped_column(String(8))
    happened_on: Mapped[dt.date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    summary: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        CheckConstraint("channel in ('phone', 'email', 'office', 'letter', 'note')", name="channel"),
        CheckConstraint("direction in ('in', 'out', 'internal')", name="direction"),
        CheckConstraint("(channel = 'note') = (direction = 'internal')", name="note_is_internal"),
        Index("ix_contact_note_party_on", "party_id", "happened_on"),
    )
