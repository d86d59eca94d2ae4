"""Cases: open, converse, ask the person, answer, close — each with its deadline and the audit trail.

Who may do what: an affiliate (or their accountant) opens cases and writes on their own files; caseworkers,
recovery and benefits officers and managers handle the cases (of their team; another team's case needs the
same need-to-know reason as its file); auditors read. A case cannot be closed before an answer was sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import case as sql_case
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from caisse.cases.models import CHANNELS, Case, CaseMessage, Notification
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access
from caisse.services.calendar import add_months
from caisse.store.bulk import serial_ids
from caisse.store.models import Party, Person

HANDLERS = frozenset({"caseworker", "recovery_officer", "benefits_officer", "manager", "system"})
PERSON_SIDE = authz.PERSON_SIDE
MAX_BODY = 5000


@lru_cache
def deadlines() -> dict[str, dict]:
    with (Path(__file__).parent / "deadlines.yaml").open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    for kind, rule in data.items():
        if not rule.get("source") or ("days" in rule) == ("months" in rule):
            raise ValueError(f"deadline {kind}: needs a source and exactly one of days / months")
    return data


KINDS = tuple(deadlines())
PERSON_KINDS = ("question", "complaint", "rectification", "reduction", "payment_plan", "dispensation",
                "surcharge_waiver", "change", "cessation", "benefit_claim", "illness_assimilation",
                "continued_insurance")


def seen_by_person():
    """The cases the person sees on the portal: the kinds a person opens, and any other in which the fund has written
    to the person or the person has written (a life event's information, a benefit's letter). A task the fund keeps
    for itself (the recovery officer's personal contact, a batch anomaly, a missed instalment of a bailiff's plan),
    with internal notes only, is the fund's work on the file, not a request of the person's: not listed, and its
    page is refused alike a case of another file."""
    spoken = select(CaseMessage.id).where(CaseMessage.case_id == Case.id, CaseMessage.direction != "internal")
    return or_(Case.kind.in_(PERSON_KINDS), spoken.exists())


def deadline_for(kind: str, opened: dt.date) -> dt.date:
    rule = deadlines()[kind]
    return opened + dt.timedelta(days=rule["days"]) if "days" in rule else add_months(opened, rule["months"])


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(field, "is required")
    if len(value) > limit:
        raise InvalidInput(field, "at most {limit} characters", limit=limit)
    if "\x00" in value:
        raise InvalidInput(field, "may not contain NUL characters")
    return value


def _case(session: Session, who: Principal, case_id: int, *, write: bool, reason: str | None = None,
          lock: bool = False) -> tuple[Case, str | None]:
    """The case reached by its id, once ``who`` may read it (or write in it); returns it with the need-to-know
    reason to log. The role first; the person's side is refused alike a case of another file, a case of no file
    and one that does not exist (``authz.require_own``: probing ids tells nothing); staff get a 404, then the
    file's scope (team, need to know: ``reason``, else the one this session stated). ``lock``: the row locked."""
    if who.role not in PERSON_SIDE:
        if write and who.role not in HANDLERS:
            raise authz.Forbidden(f"{who.role} may not handle cases")
        if not write and who.role not in HANDLERS | {"auditor"}:
            raise authz.Forbidden(f"{who.role} may not read cases")
    c = session.get(Case, case_id, with_for_update=True if lock else None)
    if c is not None and who.role in PERSON_SIDE and not session.scalar(
            select(func.count()).select_from(Case).where(Case.id == case_id, seen_by_person())):
        c = None  # the fund's own task on the file: refused like an id that does not exist
    authz.require_own(who, None if c is None else c.party_id, "case")
    if c is None:
        raise NotFound("case", case_id)
    if c.party_id is not None:
        reason = file_access(session, who, "file.read", c.party_id, reason)
    return c, reason


def get_case(session: Session, who: Principal, case_id: int, reason: str | None = None) -> Case:
    """A case read (its page): the access of ``_case``, the read audited with the need-to-know reason."""
    c, reason = _case(session, who, case_id, write=False, reason=reason)
    audit.record(session, who, "read", "case", case_id, party_id=c.party_id, reason=reason)
    return c


def open_case(session: Session, who: Principal, party_id: int | None, kind: str, subject: str, body: str,
              today: dt.date, channel: str = "portal", *, at: dt.datetime | None = None) -> Case:
    """Open a case. ``at``: when the person's message arrived, if not now (a case recorded afterwards, the demo's
    calendar); the case's dates are ``today``'s."""
    if kind not in deadlines():
        raise InvalidInput("kind", "unknown kind of case {kind!r}; expected one of {kinds}", kind=kind,
                           kinds=", ".join(KINDS))
    if channel not in CHANNELS:
        raise InvalidInput("channel", "one of {channels}", channels=", ".join(CHANNELS))
    subject = _text(subject, "subject", 200)
    body = _text(body, "body", MAX_BODY)
    if who.role in PERSON_SIDE:
        if kind not in PERSON_KINDS:
            raise InvalidInput("kind", "{kind} cases are opened by the fund", kind=kind)
        if party_id is None:
            raise InvalidInput("party_id", "which file is this about?")
        channel = "portal"
    elif who.role not in HANDLERS:
        raise authz.Forbidden(f"{who.role} may not open cases")
    team = None
    if party_id is not None:
        file_access(session, who, "file.read", party_id)
        team = session.get(Party, party_id).team
    c = Case(party_id=party_id, kind=kind, channel=channel, subject=subject, status="open", team=team,
             opened_on=today, deadline=deadline_for(kind, today), created_by=str(who))
    session.add(c)
    session.flush()
    session.add(CaseMessage(case_id=c.id, direction="in" if who.role in PERSON_SIDE or channel != "system"
                            else "internal", author=str(who), body=body, **({"at": at} if at else {})))
    audit.record(session, who, "create", "case", c.id, party_id=party_id, detail={"kind": kind})
    session.flush()
    return c


def open_file_cases_in_bulk(session: Session, who: Principal, kind: str, items: list[tuple[int, str, str]],
                            today: dt.date) -> dict[int, int]:
    """Cases the fund opens for many files at once (a batch's tasks, channel ``system``): the same case, first
    message and audit row as ``open_case`` for each ``(party_id, subject, body)``, written with one statement per
    table. Returns ``{party_id: case_id}``."""
    if who.role != "system":
        raise authz.Forbidden("only the fund's batches open cases in bulk")
    if kind not in deadlines():
        raise InvalidInput("kind", "unknown kind of case {kind!r}; expected one of {kinds}", kind=kind,
                           kinds=", ".join(KINDS))
    if not items:
        return {}
    authz.require(who, "file.read")
    parties = [p for p, _s, _b in items]
    from caisse.store.db import among

    teams = dict(session.execute(select(Party.id, Party.team).where(
        among(Party.id, parties, session.get_bind().dialect.name))).all())
    missing = [p for p in parties if p not in teams]
    if missing:
        raise NotFound("file", missing[0])
    deadline = deadline_for(kind, today)
    rows = [{"party_id": p, "kind": kind, "channel": "system", "subject": _text(subject, "subject", 200),
             "status": "open", "team": teams[p], "opened_on": today, "deadline": deadline, "created_by": str(who)}
            for p, subject, _b in items]
    if session.get_bind().dialect.name == "postgresql":
        # ids drawn from the sequence first, then a plain executemany: an INSERT … RETURNING of thousands of rows
        # is sent as multi-row VALUES statements that the driver converts slowly
        with session.connection().connection.driver_connection.cursor() as cur:
            ids = serial_ids(cur, "case", len(rows))
        session.execute(insert(Case), [{**r, "id": i} for r, i in zip(rows, ids, strict=True)])
    else:
        ids = session.execute(insert(Case).returning(Case.id, sort_by_parameter_order=True), rows).scalars().all()
    session.execute(insert(CaseMessage), [{"case_id": cid, "direction": "internal", "author": str(who),
                                           "body": _text(body, "body", MAX_BODY)}
                                          for cid, (_p, _s, body) in zip(ids, items, strict=True)])
    audit.append_many(session.connection(), session.info, [
        {"actor": str(who), "action": "create", "entity": "case", "entity_id": cid, "party_id": p,
         "origin": getattr(who, "origin", None), "detail": {"kind": kind}}
        for cid, (p, _s, _b) in zip(ids, items, strict=True)])
    return dict(zip(parties, ids, strict=True))


def messages(session: Session, c: Case, who: Principal) -> list[CaseMessage]:
    q = select(CaseMessage).where(CaseMessage.case_id == c.id).order_by(CaseMessage.id)
    if who.role in PERSON_SIDE:
        q = q.where(CaseMessage.direction != "internal")
    rows = list(session.scalars(q))
    if who.role in PERSON_SIDE:
        for m in rows:
            if m.direction == "out" and not m.read_by_person:
                m.read_by_person = True
    return rows


def write(session: Session, who: Principal, case_id: int, body: str, today: dt.date, *, internal: bool = False,
          ask_person: bool = False, at: dt.datetime | None = None) -> CaseMessage:
    """A message in the case. The person's reply restarts the clock (the waiting days extend the deadline);
    staff may ask the person for something (the clock stops) or leave an internal note."""
    c = _case(session, who, case_id, write=True)[0]
    body = _text(body, "body", MAX_BODY)
    if c.status == "closed":
        raise Conflict("status", "this case is closed; open a new one")
    if who.role in PERSON_SIDE:
        message = CaseMessage(case_id=c.id, direction="in", author=str(who), body=body)
        person_resumes(c, today)
    else:
        message = CaseMessage(case_id=c.id, direction="internal" if internal else "out", author=str(who), body=body)
        if ask_person and not internal:
            c.status, c.waiting_since = "waiting_for_person", today
    if at is not None:  # written on a day other than now (the demo's calendar): its time is that day's
        message.at = at
    session.add(message)
    session.flush()
    if message.direction == "out":
        _notify(session, c, message)
    audit.record(session, who, "write", "case", c.id, party_id=c.party_id, detail={"direction": message.direction})
    return message


def person_resumes(c: Case, today: dt.date) -> None:
    """The person wrote or added a document: the case is open again, the days it waited for them extend its
    deadline (Charter art. 10)."""
    if c.status == "waiting_for_person" and c.waiting_since is not None:
        c.deadline = c.deadline + (today - c.waiting_since)
        c.waiting_since = None
    c.status = "open"


def answer(session: Session, who: Principal, case_id: int, body: str, today: dt.date, *,
           at: dt.datetime | None = None) -> Case:
    """The fund's answer: the case stands answered. ``answered_on`` is the day of the **first** answer — what the
    legal or charter deadline measures (``reporting.service_levels``) — and never moves: a case answered again (the
    person wrote back) gets the later answer as a message in its thread, dated there."""
    message = write(session, who, case_id, body, today, at=at)
    c = session.get(Case, message.case_id)
    c.status = "answered"
    if c.answered_on is None:
        c.answered_on = today
    return c


def close(session: Session, who: Principal, case_id: int, today: dt.date) -> Case:
    c = _case(session, who, case_id, write=True)[0]
    if who.role in PERSON_SIDE:
        raise authz.Forbidden("the fund closes a case once it has answered")
    last_in = session.scalar(select(func.max(CaseMessage.id)).where(CaseMessage.case_id == c.id,
                                                                   CaseMessage.direction == "in")) or 0
    answered = session.scalar(select(func.count()).select_from(CaseMessage).where(
        CaseMessage.case_id == c.id, CaseMessage.direction == "out", CaseMessage.id > last_in))
    # asking the person something is a message out, not an answer: the case must stand "answered"
    if not answered or c.status != "answered":
        raise Conflict("status", "a case cannot be closed before an answer was sent to the person")
    c.status, c.closed_on = "closed", today
    audit.record(session, who, "close", "case", c.id, party_id=c.party_id)
    return c


def assign(session: Session, who: Principal, case_id: int, account_id: int | None) -> Case:
    """Give the case to a handler: a manager assigns any case; a handler takes an unassigned case for
    themselves, and the case's holder hands it over to a colleague (of the case's team, when team-bound)."""
    from caisse.store.models import Account

    c = _case(session, who, case_id, write=True)[0]
    if c.status == "closed":
        raise Conflict("status", "this case is closed")
    if who.role not in ("manager", "system"):
        taking = c.assigned_to is None and account_id is not None and account_id == who.account_id
        holding = c.assigned_to is not None and c.assigned_to == who.account_id
        if not (taking or holding):
            raise authz.Forbidden("a manager or the case's holder assigns a case")
    if account_id is not None:
        target = session.get(Account, account_id)
        if target is None or target.disabled or target.role not in HANDLERS:
            raise InvalidInput("account", "a member of staff handling cases")
        if target.role in authz.TEAM_BOUND and c.team is not None and target.team != c.team:
            raise InvalidInput("account", "{login} works in team {team}; this case belongs to team {case_team}",
                               login=target.login, team=target.team or "—", case_team=c.team)
    previous = c.assigned_to
    c.assigned_to = account_id
    audit.record(session, who, "assign", "case", c.id, party_id=c.party_id,
                 detail={"account": account_id, "previous": previous})
    return c


@dataclass
class QueueItem:
    case: Case
    days_left: int
    overdue: bool
    assignee: str | None = None  # login of the handler holding the case


def queue_item(case: Case, today: dt.date, holder_login: str | None) -> QueueItem:
    """A case as the work queue shows it: days left to its deadline, overdue while the fund owes the answer."""
    return QueueItem(case, (case.deadline - today).days, case.deadline < today and case.status == "open",
                     holder_login)


def work_queue(session: Session, who: Principal, today: dt.date, *, team: str | None = None,
               assignee: int | None = None, kind: str | None = None, unassigned: bool = False,
               overdue: bool = False, limit: int = 200) -> list[QueueItem]:
    """Open cases, overdue first then by deadline (cases waiting for the person last). A team-bound handler
    sees their team's cases and the cases of no file (unmatched bank lines, batch anomalies: everyone's);
    managers and auditors see every team's, or one team's. Filters: team, holder (``assignee``), ``kind``,
    ``unassigned``, ``overdue`` (only the cases whose answer is late). The read is audited per file shown."""
    from caisse.store.models import Account

    if who.role not in HANDLERS | {"auditor"}:
        raise authz.Forbidden(f"{who.role} has no work queue")
    if kind is not None and kind not in deadlines():
        raise InvalidInput("kind", "one of {kinds}", kinds=", ".join(KINDS))
    q = (select(Case, Account.login).outerjoin(Account, Account.id == Case.assigned_to)
         .where(Case.status.in_(("open", "waiting_for_person", "answered"))))
    if who.role in authz.TEAM_BOUND:
        if team not in (None, who.team):
            raise authz.Forbidden("another team's queue: ask that team or a manager")
        q = q.where(or_(Case.team == who.team, Case.team.is_(None))) if who.team else q.where(Case.team.is_(None))
    elif team is not None:
        q = q.where(Case.team == team)
    if assignee is not None:
        q = q.where(Case.assigned_to == assignee)
    if unassigned:
        q = q.where(Case.assigned_to.is_(None))
    if kind is not None:
        q = q.where(Case.kind == kind)
    if overdue:
        q = q.where(Case.status == "open", Case.deadline < today)
    waiting_last = sql_case((Case.status == "open", 0), else_=1)
    q = q.order_by(waiting_last, Case.deadline, Case.id).limit(limit)
    items = [queue_item(c, today, login) for c, login in session.execute(q)]
    audit.record_reads(session, who, "work_queue", (i.case.party_id for i in items),
                       what=["case kind", "subject", "deadline", "status"])
    return items


def teams(session: Session) -> list[str]:
    """The teams that own files (for the queue's filter)."""
    return [t for t in session.scalars(select(Party.team).where(Party.team.is_not(None)).distinct()
                                       .order_by(Party.team))]


# ---------------------------------------------------------------- cases the system opens


def open_system_cases(session: Session, wanted: list[dict], today: dt.date, actor: str) -> int:
    """Open the cases of things the system found (``wanted``: dicts with ``key``, ``kind``, ``subject``,
    ``body`` and optionally ``party_id``), set-based and idempotent by ``key``: a key that already has a case
    opens nothing. Returns how many were opened. Each case gets its body as an internal first message."""
    if not wanted:
        return 0
    keys = [w["key"] for w in wanted]
    taken: set[str] = set()
    for i in range(0, len(keys), 5000):
        taken |= set(session.scalars(select(Case.key).where(Case.key.in_(keys[i:i + 5000]))))
    todo = {w["key"]: w for w in wanted if w["key"] not in taken}
    if not todo:
        return 0
    teams_of = {}
    parties = {w["party_id"] for w in todo.values() if w.get("party_id")}
    if parties:
        teams_of = dict(session.execute(select(Party.id, Party.team).where(Party.id.in_(parties))).all())
    # Core inserts of the tables (the same rows and defaults; the ORM's bulk path cost 20-30 µs a row: a bank file
    # opens thousands of cases at once)
    conn = session.connection()
    conn.execute(insert(Case.__table__), [
        {"party_id": w.get("party_id"), "kind": w["kind"], "channel": "system", "subject": w["subject"][:200],
         "status": "open", "team": teams_of.get(w.get("party_id")), "opened_on": today,
         "deadline": deadline_for(w["kind"], today), "created_by": actor, "key": k} for k, w in todo.items()])
    ids: dict[str, int] = {}
    keys = list(todo)
    for i in range(0, len(keys), 5000):
        ids.update(conn.execute(select(Case.key, Case.id).where(Case.key.in_(keys[i:i + 5000]))).all())
    conn.execute(insert(CaseMessage.__table__), [{"case_id": ids[k], "direction": "internal", "author": actor,
                                                  "body": w["body"][:MAX_BODY], "read_by_person": False}
                                                 for k, w in todo.items()])
    audit.record(session, actor, "create", "case", None, detail={"kind": sorted({w["kind"] for w in todo.values()}),
                                                                  "opened": len(todo)})
    return len(todo)


def inform_in_bulk(session: Session, items: list[dict], today: dt.date, actor: str) -> list[dict]:
    """Tell people something on the fund's own initiative, once each (a batch's proposals). ``items``: dicts with
    ``key``, ``kind``, ``party_id``, ``subject``, ``note`` (for staff) and ``text`` (to the person). For each key that
    has no case yet: the case opened by the system (``open_system_cases``, the note as its internal first message),
    the text written to the person, the case standing answered and closed — a piece of information asks nothing of
    staff, and the person acts from the link it gives —, and the e-mail that a message waits for a person with an
    address (``_notify``'s notification). Set-based: one statement per table. Returns the items told now."""
    if not items:
        return []
    keys = [w["key"] for w in items]
    taken: set[str] = set()
    for i in range(0, len(keys), 5000):
        taken |= set(session.scalars(select(Case.key).where(Case.key.in_(keys[i:i + 5000]))))
    todo = [w for w in items if w["key"] not in taken]
    if not todo:
        return []
    open_system_cases(session, [{"key": w["key"], "kind": w["kind"], "subject": w["subject"], "body": w["note"],
                                 "party_id": w["party_id"]} for w in todo], today, actor)
    ids: dict[str, int] = {}
    new_keys = [w["key"] for w in todo]
    for i in range(0, len(new_keys), 5000):
        ids.update(session.execute(select(Case.key, Case.id).where(Case.key.in_(new_keys[i:i + 5000]))).all())
    conn = session.connection()
    conn.execute(insert(CaseMessage.__table__), [{"case_id": ids[w["key"]], "direction": "out", "author": actor,
                                                  "body": w["text"][:MAX_BODY], "read_by_person": False}
                                                 for w in todo])
    case_ids = list(ids.values())
    for i in range(0, len(case_ids), 5000):
        conn.execute(update(Case.__table__).where(Case.__table__.c.id.in_(case_ids[i:i + 5000])).values(
            status="closed", answered_on=today, closed_on=today))
    messages: dict[int, int] = {}
    for i in range(0, len(case_ids), 5000):
        messages.update(conn.execute(select(CaseMessage.case_id, CaseMessage.id).where(
            CaseMessage.case_id.in_(case_ids[i:i + 5000]), CaseMessage.direction == "out")).all())
    parties = sorted({w["party_id"] for w in todo})
    reach: dict[int, tuple[str, str]] = {}
    for i in range(0, len(parties), 5000):
        for pid, email, lang in conn.execute(select(Person.id, Person.email, Party.language).join(
                Party, Party.id == Person.id).where(Person.id.in_(parties[i:i + 5000]), Person.email.is_not(None))):
            if email:
                reach[pid] = (email, lang)
    notes = [{"party_id": w["party_id"], "case_message_id": messages[ids[w["key"]]],
              "to_address": reach[w["party_id"]][0], "language": reach[w["party_id"]][1]}
             for w in todo if w["party_id"] in reach]
    if notes:
        conn.execute(insert(Notification.__table__), notes)
    audit.record(session, actor, "write", "case", None, detail={"kind": sorted({w["kind"] for w in todo}),
                                                                "told": len(todo)})
    return todo


def resolve_system_case(session: Session, key: str, who: object, text: str, today: dt.date) -> Case | None:
    """What was done with the thing a system case was opened for (the bank line assigned, refunded, ...): the
    answer of the case, which is then closed. Nothing when no open case has that key."""
    c = session.scalar(select(Case).where(Case.key == key))
    if c is None or c.status == "closed":
        return None
    session.add(CaseMessage(case_id=c.id, direction="out", author=str(who), body=text[:MAX_BODY]))
    c.status, c.answered_on, c.closed_on, c.waiting_since = "closed", c.answered_on or today, today, None
    session.flush()
    audit.record(session, who, "close", "case", c.id, party_id=c.party_id, detail={"key": key})
    return c


def complete_tasks(session: Session, who: object, party_id: int, kind: str, text: str, today: dt.date) -> int:
    """The fund's own open tasks of ``kind`` on a file (e.g. the ``recovery_contact`` the batch opened) done: an
    internal note of what was done, then closed — a task asks nothing of the person, so nothing is sent to them.
    Returns how many were closed."""
    done = 0
    for c in session.scalars(select(Case).where(Case.party_id == party_id, Case.kind == kind,
                                                Case.status != "closed", Case.channel == "system")):
        session.add(CaseMessage(case_id=c.id, direction="internal", author=str(who), body=text[:MAX_BODY]))
        c.status, c.answered_on, c.closed_on, c.waiting_since = "closed", c.answered_on or today, today, None
        audit.record(session, who, "close", "case", c.id, party_id=party_id, detail={"kind": kind, "task": True})
        done += 1
    session.flush()
    return done


def complete_tasks_in_bulk(session: Session, actor: str, kind: str, party_ids: list[int], text: str,
                           today: dt.date) -> int:
    """``complete_tasks`` for many files at once (a batch: a file closed as paid no longer needs its call): one
    statement per table, the audit rows appended together. Returns how many tasks were closed."""
    if not party_ids:
        return 0
    from caisse.store.db import among

    dialect = session.get_bind().dialect.name
    open_ = session.execute(select(Case.id, Case.party_id).where(
        among(Case.party_id, list(party_ids), dialect), Case.kind == kind, Case.status != "closed",
        Case.channel == "system")).all()
    if not open_:
        return 0
    ids = [c for c, _p in open_]
    session.execute(insert(CaseMessage), [{"case_id": c, "direction": "internal", "author": actor,
                                           "body": text[:MAX_BODY]} for c in ids])
    session.execute(update(Case).where(among(Case.id, ids, dialect)).values(
        status="closed", answered_on=func.coalesce(Case.answered_on, today), closed_on=today, waiting_since=None))
    audit.append_many(session.connection(), session.info, [
        {"actor": actor, "action": "close", "entity": "case", "entity_id": c, "party_id": p,
         "detail": {"kind": kind, "task": True}} for c, p in open_])
    return len(ids)


def cases_of(session: Session, who: Principal, party_id: int) -> list[Case]:
    reason = file_access(session, who, "file.read", party_id)
    q = select(Case).where(Case.party_id == party_id).order_by(Case.opened_on.desc(), Case.id.desc())
    if who.role in PERSON_SIDE:
        q = q.where(seen_by_person())
    rows = list(session.scalars(q))
    audit.record(session, who, "read", "case_list", None, party_id=party_id, reason=reason,
                 detail={"what": "case kind,subject,status,deadline", "cases": len(rows)})
    return rows


def unread_count(session: Session, party_id: int) -> int:
    return session.scalar(select(func.count()).select_from(CaseMessage).join(Case, Case.id == CaseMessage.case_id)
                          .where(Case.party_id == party_id, CaseMessage.direction == "out",
                                 CaseMessage.read_by_person.is_(False))) or 0


def _notify(session: Session, c: Case, message: CaseMessage) -> None:
    """Queue an e-mail that something is waiting (sent by ``caisse.cases.mail.send_pending``)."""
    if c.party_id is None:
        return
    person = session.get(Person, c.party_id)
    if person is None or not person.email:
        return
    session.add(Notification(party_id=c.party_id, case_message_id=message.id, to_address=person.email,
                             language=session.get(Party, c.party_id).language))
