"""Posting one balanced transaction, idempotently by key; reversing one (a correction).

``post`` is the only way a transaction enters the ledger (``bulk.post_many`` is its set-based twin).
Posting a key that exists returns the existing transaction and posts nothing; the same key with
different content raises ``Conflict``. Nothing is ever updated or deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.ledger.models import (
    ACCOUNTS,
    BENEFIT_UNDUE,
    BUYBACK,
    PARTNER_CLEARING,
    RECEIVABLE,
    TRANSACTION_KINDS,
    LedgerEntry,
    LedgerTransaction,
)

PERIOD = re.compile(r"^\d{4}(Q[1-4])?$")


class Entry(NamedTuple):
    """One line: ``amount_cents`` > 0 debits ``account``, < 0 credits it (integer cents, never float)."""

    account: str
    amount_cents: int
    party_id: int | None = None
    period: str | None = None  # "2026Q1" or "2026"
    due_date: dt.date | None = None
    rule: str | None = None  # e.g. "RD38 art.12 §1"
    parameter: str | None = None  # e.g. "first_threshold@2026-01-01"
    explanation: dict | None = None  # anything a document needs to explain the figure


class Posting(NamedTuple):
    """A transaction to post. ``corrects``/``refers_to`` are keys of earlier transactions."""

    key: str
    kind: str
    booked_on: dt.date
    entries: tuple[Entry, ...]
    description: str | None = None
    reference: str | None = None  # structured communication, bank reference, request id
    corrects: str | None = None
    refers_to: str | None = None


class PostResult(NamedTuple):
    transaction_id: int
    key: str
    created: bool  # False: the key was already posted with the same content, nothing was posted


def validate(posting: Posting) -> None:
    """Refuse a posting that would break an invariant, naming the field."""
    if not posting.key or len(posting.key) > 200:
        raise InvalidInput("key", f"an idempotency key of 1-200 characters is required, got {posting.key!r}")
    if posting.kind not in TRANSACTION_KINDS:
        raise InvalidInput("kind", f"unknown transaction kind {posting.kind!r}")
    if not isinstance(posting.booked_on, dt.date):
        raise InvalidInput("booked_on", "a date is required")
    if len(posting.entries) < 2:
        raise InvalidInput("entries", f"{posting.key}: a transaction needs at least two entries")
    total = 0
    for i, e in enumerate(posting.entries):
        where = f"entries[{i}]"
        if type(e.amount_cents) is not int:
            raise InvalidInput(f"{where}.amount_cents", f"integer cents required, got {e.amount_cents!r}")
        if e.amount_cents == 0:
            raise InvalidInput(f"{where}.amount_cents", "an entry of zero is not posted")
        if e.account not in ACCOUNTS:
            raise InvalidInput(f"{where}.account", f"unknown account {e.account!r}")
        if e.period is not None and not PERIOD.match(e.period):
            raise InvalidInput(f"{where}.period", f"period must look like 2026Q1 or 2026, got {e.period!r}")
        if e.account in RECEIVABLE and (e.party_id is None or e.period is None):
            raise InvalidInput(where, f"a {e.account} entry needs a debtor and a period")
        if e.account in ("credit", "benefit") and e.party_id is None:
            raise InvalidInput(where, f"a {e.account} entry needs a party")
        if e.account == PARTNER_CLEARING and (not e.parameter or e.party_id is not None):
            raise InvalidInput(where, "a partner_clearing entry names its partner (parameter = the partner's code) "
                                      "and no party")
        if e.account == BENEFIT_UNDUE and (e.party_id is None or e.period is None
                                           or not (e.parameter or "").startswith("benefit_undue:")):
            raise InvalidInput(where, "a benefit_undue entry needs the person, a period and its decision "
                                      "(parameter = benefit_undue:<id>)")
        if e.account == BUYBACK and (e.party_id is None or e.period is None
                                     or not (e.parameter or "").startswith("buyback:")):
            raise InvalidInput(where, "a buyback entry needs the person, the dispensed quarter and its request "
                                      "(parameter = buyback:<id>)")
        total += e.amount_cents
    if total != 0:
        raise InvalidInput("entries", f"{posting.key}: entries sum to {total} cents, not 0 (unbalanced)")


def _explanation_text(explanation: dict | None) -> str:
    return "" if explanation is None else json.dumps(explanation, sort_keys=True, default=str)


def entry_signature(e: Entry) -> tuple:
    due = e.due_date.isoformat() if isinstance(e.due_date, dt.date) else e.due_date  # or already ISO text
    return (e.account, e.party_id, e.period, int(e.amount_cents), due, e.rule, e.parameter,
            _explanation_text(e.explanation))


def signature(posting: Posting) -> tuple:
    """What 'the same content' means for an idempotency key (everything but the recording time)."""
    return (posting.kind, posting.booked_on.isoformat(), posting.description, posting.reference,
            posting.corrects, posting.refers_to, tuple(sorted(entry_signature(e) for e in posting.entries)))


def _key_of(session: Session, transaction_id: int | None) -> str | None:
    if transaction_id is None:
        return None
    return session.scalar(select(LedgerTransaction.key).where(LedgerTransaction.id == transaction_id))


def load(session: Session, key: str) -> Posting | None:
    """The posting stored under ``key`` (as it was posted), or None."""
    t = session.execute(select(LedgerTransaction).where(LedgerTransaction.key == key)).scalar_one_or_none()
    if t is None:
        return None
    rows = session.execute(select(LedgerEntry).where(LedgerEntry.transaction_id == t.id).order_by(LedgerEntry.id))
    entries = tuple(
        Entry(r.account, int(r.amount_cents), r.party_id, r.period, r.due_date, r.rule, r.parameter, r.explanation)
        for r in rows.scalars()
    )
    return Posting(t.key, t.kind, t.booked_on, entries, t.description, t.reference,
                   _key_of(session, t.corrects_id), _key_of(session, t.refers_to_id))


def transaction_id(session: Session, key: str) -> int | None:
    return session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.key == key))


def _existing(session: Session, posting: Posting) -> PostResult | None:
    tid = transaction_id(session, posting.key)
    if tid is None:
        return None
    stored = load(session, posting.key)
    if signature(stored) != signature(posting):
        raise Conflict("key", f"{posting.key} was already posted with different content")
    return PostResult(tid, posting.key, False)


def _required_id(session: Session, key: str | None, field: str) -> int | None:
    if key is None:
        return None
    tid = transaction_id(session, key)
    if tid is None:
        raise NotFound(f"transaction ({field})", key)
    return tid


def post(session: Session, posting: Posting) -> PostResult:
    """Post one balanced transaction in the caller's unit of work (the caller commits)."""
    validate(posting)
    found = _existing(session, posting)
    if found:
        return found
    corrects_id = _required_id(session, posting.corrects, "corrects")
    refers_to_id = _required_id(session, posting.refers_to, "refers_to")
    # A concurrent writer may post the same key between our look-up and our insert: the savepoint lets
    # us fall back to "already posted" instead of failing the caller's whole unit of work.
    savepoint = session.begin_nested()
    try:
        tid = session.execute(
            insert(LedgerTransaction).returning(LedgerTransaction.id),
            [dict(key=posting.key, kind=posting.kind, booked_on=posting.booked_on, corrects_id=corrects_id,
                  refers_to_id=refers_to_id, reference=posting.reference, description=posting.description)],
        ).scalar_one()
        session.execute(
            insert(LedgerEntry),
            [dict(transaction_id=tid, account=e.account, amount_cents=e.amount_cents, party_id=e.party_id,
                  period=e.period, due_date=e.due_date, rule=e.rule, parameter=e.parameter,
                  explanation=e.explanation) for e in posting.entries],
        )
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        found = _existing(session, posting)
        if found:
            return found
        raise
    return PostResult(tid, posting.key, True)


def reverse(session: Session, original_key: str, key: str, booked_on: dt.date, reason: str) -> PostResult:
    """A correction that cancels ``original_key`` entirely: same kind, every entry negated.

    The original stays as it was; the reversal references it. A transaction is reversed at most once.
    """
    original = load(session, original_key)
    if original is None:
        raise NotFound("transaction", original_key)
    if original.corrects is not None:
        raise Conflict("corrects", f"{original_key} is itself a correction; correct the original instead")
    posting = Posting(
        key=key, kind=original.kind, booked_on=booked_on,
        entries=tuple(e._replace(amount_cents=-e.amount_cents, explanation={"reversal_of": original_key,
                                                                            "reason": reason})
                      for e in original.entries),
        description=f"Correction: reversal of {original_key} ({reason})",
        reference=original.reference, corrects=original_key, refers_to=original.refers_to,
    )
    if transaction_id(session, key) is None:
        oid = transaction_id(session, original_key)
        already = session.scalar(
            select(LedgerTransaction.key).where(LedgerTransaction.corrects_id == oid,
                                                LedgerTransaction.description.like("Correction: reversal of %"))
        )
        if already:
            raise Conflict("corrects", f"{original_key} was already reversed by {already}")
    return post(session, posting)
