"""Contacts by channel: what was said on the phone, written by e-mail or letter, or said at the office, kept on
the file (``contact_note``) so the next caseworker to answer knows it; and free notes on the file.

Who: the fund's handlers (caseworker, recovery and benefits officers, manager) on a file they may read — a file
of another team after stating why (the need-to-know reason "the person contacted us" is meant for a call
taken for another team). Notes are only added, never changed: a wrong note is corrected by a new one.
Every read of the notes is in the audit log; a note's text never goes to the audit log (only its channel).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.cases.models import NOTE_CHANNELS, NOTE_DIRECTIONS, Case, ContactNote
from caisse.errors import InvalidInput
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access

WRITERS = frozenset({"caseworker", "recovery_officer", "benefits_officer", "manager", "system"})
MAX_SUMMARY = 4000
#: how far back a contact may be dated (a note is written the day of the contact, or soon after)
MAX_DAYS_BACK = 366


def add(session: Session, who: Principal, party_id: int, channel: str, direction: str, happened_on: dt.date,
        summary: str, today: dt.date, case_id: int | None = None) -> ContactNote:
    """A contact (``channel`` phone / email / office / letter, ``direction`` in / out) or a free note
    (``channel`` note, direction internal) on file ``party_id``, optionally linked to one of its cases."""
    if who.role not in WRITERS:
        raise authz.Forbidden(f"{who.role} may not write on a file")
    if channel not in NOTE_CHANNELS:
        raise InvalidInput("channel", "one of {channels}", channels=", ".join(NOTE_CHANNELS))
    if channel == "note":
        direction = "internal"
    elif direction not in NOTE_DIRECTIONS or direction == "internal":
        raise InvalidInput("direction", "in (the person contacted us) or out (we contacted the person)")
    if not isinstance(happened_on, dt.date):
        raise InvalidInput("happened_on", "a date (YYYY-MM-DD)")
    if happened_on > today:
        raise InvalidInput("happened_on", "a contact cannot be in the future")
    if happened_on < today - dt.timedelta(days=MAX_DAYS_BACK):
        raise InvalidInput("happened_on", "at most {days} days back", days=MAX_DAYS_BACK)
    text = (summary or "").strip()
    if not text:
        raise InvalidInput("summary", "say what was said or done")
    if len(text) > MAX_SUMMARY or "\x00" in text:
        raise InvalidInput("summary", "at most {limit} characters of plain text", limit=MAX_SUMMARY)
    reason = file_access(session, who, "file.read", party_id)
    if case_id is not None:
        c = session.get(Case, case_id)
        if c is None or c.party_id != party_id:
            raise InvalidInput("case_id", "case {case} is not a case of file {party}", case=case_id, party=party_id)
    note = ContactNote(party_id=party_id, channel=channel, direction=direction, happened_on=happened_on,
                       author=str(who), account_id=who.account_id, summary=text, case_id=case_id)
    session.add(note)
    session.flush()
    audit.record(session, who, "create", "contact_note", note.id, party_id=party_id, reason=reason,
                 detail={"channel": channel, "direction": direction, "case": case_id})
    return note


def of_file(session: Session, who: Principal, party_id: int, channel: str | None = None,
            audited: bool = True) -> list[ContactNote]:
    """The file's notes, newest first (optionally of one channel). ``audited=False`` only for a caller that
    checks access and records the read itself (the 360° file)."""
    if channel is not None and channel not in NOTE_CHANNELS:
        raise InvalidInput("channel", "one of {channels}", channels=", ".join(NOTE_CHANNELS))
    if audited:
        if who.role not in WRITERS | {"auditor"}:
            raise authz.Forbidden(f"{who.role} may not read the fund's notes")
        reason = file_access(session, who, "file.read", party_id)
    q = select(ContactNote).where(ContactNote.party_id == party_id)
    if channel is not None:
        q = q.where(ContactNote.channel == channel)
    rows = list(session.scalars(q.order_by(ContactNote.happened_on.desc(), ContactNote.id.desc())))
    if audited:
        audit.record(session, who, "read", "contact_notes", None, party_id=party_id, reason=reason,
                     detail={"what": "contact notes (channel, date, author, summary)", "notes": len(rows)})
    return rows
