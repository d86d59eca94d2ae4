"""Inbound life events: ``caisse import events FILE`` (layout: docs/formats/benefit-events.md, version 1).

The real flows (National Register births and deaths, the Crossroads Bank's mutuality messages, the Moniteur's
bankruptcies) are not public: this is the fund's own CSV, which a sender (or a converter in front of those flows)
writes. Each line is one event of one person, recorded through ``benefits.events.record_event`` exactly as
``caisse benefits event`` does (a pre-filled claim granted at once when nothing needs the person's choice, else
the person invited; an information task for incapacity, cessation, pension age).

* every line is checked on its own; a bad line is **rejected** with its line number and field and **kept**
  (``benefit_event_line``: the raw text, the field, the reason) while the good lines are recorded;
* an event already known (key kind/person/date, whatever told the fund first) is kept as ``already`` and changes
  nothing; each line is written in its own savepoint, so a line failing half-way leaves nothing behind;
* the same bytes twice are recognised (SHA-256) and change nothing; the fund learns the events on the import day
  (``known_on``: the Charter's 4 months to decide run from it).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from caisse import identifiers
from caisse.benefits.events import FACTS, record_event
from caisse.benefits.models import EVENT_KINDS, BenefitEventFile, BenefitEventLine
from caisse.errors import CaisseError, InvalidInput
from caisse.errors import RejectedLine as Rejected
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.store.db import session_scope
from caisse.store.models import Person

HEADER = ("version", "reference", "niss", "kind", "date", "facts")
VERSIONS = ("1",)
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,59}$")
DATE_FACTS = {"start", "end"}
INT_FACTS = {"days": (1, 366), "half_days": (1, 732), "full_weeks": (0, 52), "half_weeks": (0, 52),
             "months": (1, 24), "pension_quarters": (0, 400), "months_before": (0, 24), "age": (50, 80)}
BOOL_FACTS = {"multiple_birth", "family_charge"}


@dataclass
class EventsResult:
    file_id: int
    sha256: str
    already_imported: bool = False
    lines: int = 0
    recorded: int = 0
    already: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)  # "birth granted", "birth claim", "incapacity informed"

    def summary_lines(self) -> list[str]:
        if self.already_imported:
            return [f"already imported (events file {self.file_id}, sha256 {self.sha256[:12]}…): nothing changed"]
        out = [f"events file {self.file_id}: {self.lines} line(s): {self.recorded} recorded, {self.already} already "
               f"known, {len(self.rejected)} rejected (kept)"]
        out += [f"  {label}: {n}" for label, n in sorted(self.outcomes.items())]
        return out


def _facts(text: str, kind: str) -> dict:
    """``key=value;key=value`` → typed facts of the event (dates ISO, whole numbers, yes/no, short text)."""
    out: dict = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        name = f"facts.{key}" if key else "facts"
        if not sep or not key or not value:
            raise InvalidInput(name, f"not key=value: {part!r}")
        if key not in FACTS[kind]:
            known = ", ".join(sorted(FACTS[kind])) or "none"
            raise InvalidInput(name, f"not a fact of a {kind} event (facts: {known})")
        if key in out:
            raise InvalidInput(name, "given twice")
        if key in DATE_FACTS:
            try:
                out[key] = dt.date.fromisoformat(value)
            except ValueError:
                raise InvalidInput(name, f"not a date (YYYY-MM-DD): {value}") from None
        elif key in INT_FACTS:
            low, high = INT_FACTS[key]
            if not value.isdigit() or not low <= int(value) <= high:
                raise InvalidInput(name, f"a whole number from {low} to {high}")
            out[key] = int(value)
        elif key in BOOL_FACTS:
            if value not in ("yes", "no"):
                raise InvalidInput(name, "yes or no")
            out[key] = value == "yes"
        else:
            out[key] = value
    return out


@dataclass
class _Line:
    number: int
    raw: str
    reference: str | None = None
    person_id: int | None = None
    kind: str = ""
    date: dt.date | None = None
    facts: dict = field(default_factory=dict)


def _check(ln: _Line, row: list[str], persons: dict[str, int], today: dt.date) -> None:
    if len(row) != len(HEADER):
        raise InvalidInput("line", f"{len(row)} fields, expected {len(HEADER)} ({','.join(HEADER)})")
    version, reference, niss, kind, date, facts = (c.strip() for c in row)
    normal = identifiers.normalize_niss(niss, "niss")
    if normal not in persons:
        raise InvalidInput("niss", "no person with this national number in the fund")
    ln.person_id = persons[normal]  # kept on the line even when it is rejected below (right of access)
    if not REF.match(reference):
        raise InvalidInput("reference", "the sender's reference of the line: 1 to 60 letters, digits, . _ / -")
    ln.reference = reference
    if version not in VERSIONS:
        raise InvalidInput("version", f"format version {version!r} is not read here (versions: "
                                      f"{', '.join(VERSIONS)})")
    if kind not in EVENT_KINDS:
        raise InvalidInput("kind", "one of " + ", ".join(EVENT_KINDS))
    ln.kind = kind
    try:
        ln.date = dt.date.fromisoformat(date)
    except ValueError:
        raise InvalidInput("date", f"not a date (YYYY-MM-DD): {date}") from None
    if ln.date > today and kind != "pension_age":
        raise InvalidInput("date", f"after the import day {today}: the event has not happened yet")
    ln.facts = _facts(facts, kind)


def import_events(url: str, data: bytes, who: Principal, today: dt.date, *,
                  filename: str | None = None) -> EventsResult:
    """Import an events file; the result lists what was recorded, already known and rejected (with line and field).
    A file that cannot be read at all (not UTF-8, wrong header) is refused whole: ``InvalidInput``."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("file", f"not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(content, newline=""))
    header = next(reader, None)
    if header is None:
        raise InvalidInput("file", "empty file")
    if tuple(h.strip().lower() for h in header) != HEADER:
        raise InvalidInput("line 1", f"header must be {','.join(HEADER)}, got {','.join(header)}")
    raw_lines = content.splitlines()
    rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    sha = hashlib.sha256(data).hexdigest()
    with session_scope(url) as s:
        done = s.scalar(select(BenefitEventFile).where(BenefitEventFile.sha256 == sha))
        if done is not None:
            return EventsResult(done.id, sha, already_imported=True)
        wanted = set()
        for _, row in rows:
            if len(row) > 2:
                with contextlib.suppress(InvalidInput):  # the line is rejected with its reason below
                    wanted.add(identifiers.normalize_niss(row[2].strip(), "niss"))
        persons = {n: int(i) for n, i in s.execute(select(Person.niss, Person.id).where(
            Person.niss.in_(wanted)))} if wanted else {}
        f = BenefitEventFile(sha256=sha, filename=(filename or "")[:300] or None, version=VERSIONS[-1],
                             lines=len(rows), recorded=0, already=0, rejected=0, imported_on=today,
                             imported_by=str(who))
        s.add(f)
        s.flush()
        result = EventsResult(f.id, sha, lines=len(rows))
        source = f"events file {f.id}"
        seen: dict[str, int] = {}
        for number, row in rows:
            ln = _Line(number, raw_lines[number - 1] if number - 1 < len(raw_lines) else ",".join(row))
            status, error, event_id = "recorded", None, None
            try:
                _check(ln, row, persons, today)
                if ln.reference in seen:
                    raise InvalidInput("reference", f"{ln.reference} is also on line {seen[ln.reference]}")
                seen[ln.reference] = number
                with s.begin_nested():  # a line failing half-way leaves nothing behind
                    event, created = record_event(s, who, ln.person_id, ln.kind, ln.date, today, ln.facts,
                                                  source=source)
                event_id = event.id
                if created:
                    label = f"{ln.kind} {event.outcome}"
                    result.outcomes[label] = result.outcomes.get(label, 0) + 1
                else:
                    status = "already"
            except CaisseError as exc:
                status = "rejected"
                error = exc if isinstance(exc, InvalidInput) else InvalidInput("line", str(exc))
            if status == "rejected":
                result.rejected.append(Rejected(number, error.field, error.message))
            elif status == "already":
                result.already += 1
            else:
                result.recorded += 1
            s.add(BenefitEventLine(file_id=f.id, line=number, raw=ln.raw[:4000], reference=ln.reference,
                                   status=status, field=error.field[:60] if error else None,
                                   error=error.message if error else None, event_id=event_id,
                                   person_id=ln.person_id))
        f.recorded, f.already, f.rejected = result.recorded, result.already, len(result.rejected)
        s.flush()
        audit.record(s, who, "import", "benefit_event_file", f.id, detail={
            "sha256": sha, "recorded": f.recorded, "already": f.already, "rejected": f.rejected,
            "events": sorted({ev for ev in s.scalars(select(BenefitEventLine.event_id).where(
                BenefitEventLine.file_id == f.id, BenefitEventLine.event_id.is_not(None)))})})
    return result


def rejected_lines(url: str, file_id: int) -> list[BenefitEventLine]:
    with session_scope(url) as s:
        rows = list(s.scalars(select(BenefitEventLine).where(BenefitEventLine.file_id == file_id,
                                                             BenefitEventLine.status == "rejected")
                              .order_by(BenefitEventLine.line)))
        s.expunge_all()
        return rows

