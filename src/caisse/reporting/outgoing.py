"""Outgoing files: recorded, acknowledged, corrected, never sent twice without a reason (generic; any export).

An export is an ``Export``: a kind (``inasti-career``), a file format (``caisse.exchange.fixed_width``) and a
function giving, as of a date, the *current* record of every subject as a SELECT of ``party_id``, ``subject``
(e.g. the quarter), ``content`` (the record's data as the format's canonical text) and the format's other detail
fields. ``make_file`` compares it, in one SQL statement (a full outer join), with the last record sent for each
subject (``exchange_record``) and sends only:

* ``new`` (N) — a subject never sent;
* ``correction`` (C) — the content differs from the last record sent (naming it in ``corrects``);
* ``resend`` (R) — the last record was rejected by the receiver (naming it): sent again with today's data;
* ``cancel`` (D) — a subject sent before is no longer there (e.g. its call was cancelled), naming the last record.

Nothing else: a subject whose last record says the same is not sent again. A rerun with the same reference date
gives back the file already made (rebuilt from its records, checked against its SHA-256), never a new one; a date
before the last file's is refused. Nothing to send: no file.

``import_ack`` records the receiver's answer (docs/formats/acknowledgement.md): the file acknowledged or rejected as a
whole, and the records it rejects (with code and reason), which the next file resends. ``list_files`` is
``caisse exchange list``. Every file made or answer imported writes one audit row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, Select, and_, bindparam, func, null, or_, select, union_all, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session, aliased

from caisse.collection.db import begin_write, next_ids
from caisse.config import get_settings
from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.exchange.ack import parse_ack
from caisse.exchange.fixed_width import RECORD_TYPE_CODES, FileFormat, format_version
from caisse.reporting.models import ExchangeAck, ExchangeFile, ExchangeRecord
from caisse.services import audit
from caisse.store import bulk
from caisse.store.db import engine_for
from caisse.store.models import utcnow

CHUNK = 20_000


def quarter_of(subject: str) -> str:
    """The period a subject is about, for the file's first and last period: its quarter (``2025Q1``, or a subject
    starting with it, ``2025Q1/0000000012``)."""
    return subject[:6]


@dataclass(frozen=True)
class Export:
    kind: str  # exchange_file.kind / exchange_record.kind, e.g. "inasti-career"
    prefix: str  # of the file reference: CAREER-20260331-0001
    fmt: FileFormat
    # (session, as_of) -> SELECT party_id, subject, content, ... (one row per subject, party_id never null)
    current: Callable[[Session, dt.date], Select]
    # the content of a cancellation line, from the content of the record it cancels
    cancel_content: Callable[[str], str]
    what: str = ""  # a few words for messages ("career data")
    # the period of a subject (the header's first and last period): its quarter by default, a year for yearly files
    period: Callable[[str], str] = quarter_of

    def format_for(self, version: int) -> FileFormat:
        """The format a file was written in (a rerun of an older file's date rebuilds it in its own version)."""
        return self.fmt if version == self.fmt.version else format_version(self.fmt.name, version)


@dataclass
class FileResult:
    reference: str | None  # None: nothing to send, no file
    written: bool  # a file was written to ``output`` (a new one, or the date's file given back)
    records: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # record type -> lines
    sha256: str | None = None
    output: Path | None = None
    as_of: dt.date | None = None
    new_file: bool = False  # False: the date's file already existed and was given back (or nothing to send)

    @property
    def created(self) -> bool:
        return self.new_file

    def line(self) -> str:
        if self.reference is None:
            return f"nothing to send as of {self.as_of}: every subject's last record says the same"
        detail = ", ".join(f"{n} {t}" for t, n in self.counts.items() if n)
        if not self.created:
            return f"already made: {self.reference} ({self.records} records) — the same file, nothing new"
        return f"{self.reference}: {self.records} records ({detail})"


def _changes(session: Session, exp: Export, as_of: dt.date):
    """Subjects to send: the current records against the last record sent per subject, kept when they differ (see
    the module docstring). Columns: party_id, subject, content (NULL when the subject is gone), last_id, last_type,
    last_status, last_content, party, subj (the key from whichever side exists), ordered by party and subject.

    Nothing of the kind sent yet (a fund's first file: every quarter of every career): every current record is new,
    read once, no comparison. Otherwise a full outer join of the current records with the last record per subject:
    on PostgreSQL one FULL JOIN (a hash or merge join whatever the statistics say: just after a first file they
    still count ``exchange_record`` empty, and the two left joins below were planned as a nested loop of a million
    by a million); on SQLite, which plans a FULL JOIN as a nested scan without index, two left joins."""
    r = ExchangeRecord
    if session.scalar(select(r.id).where(r.kind == exp.kind).limit(1)) is None:
        now = exp.current(session, as_of).subquery("cur")
        return (select(now.c.party_id, now.c.subject, now.c.content, *(null().label(name) for name in (
                    "last_id", "last_type", "last_status", "last_content")),
                       now.c.party_id.label("party"), now.c.subject.label("subj"))
                .order_by(now.c.party_id, now.c.subject))
    if session.get_bind().dialect.name == "postgresql":
        return _changes_full_join(session, exp, as_of)
    cur = exp.current(session, as_of).cte("cur")
    latest = (select(r.party_id, r.subject, func.max(r.id).label("id")).where(r.kind == exp.kind)
              .group_by(r.party_id, r.subject).subquery("latest"))
    last = (select(r.id, r.party_id, r.subject, r.record_type, r.status, r.content)
            .join(latest, latest.c.id == r.id).cte("last"))
    on = and_(cur.c.party_id == last.c.party_id, cur.c.subject == last.c.subject)
    tail = (last.c.id.label("last_id"), last.c.record_type.label("last_type"), last.c.status.label("last_status"),
            last.c.content.label("last_content"))
    # each current subject finds its last record through the index (kind, party_id, subject, id)
    lr = aliased(ExchangeRecord, name="lr")
    last_id = (select(func.max(r.id)).where(r.kind == exp.kind, r.party_id == cur.c.party_id,
                                            r.subject == cur.c.subject).correlate(cur).scalar_subquery())
    present = (select(cur.c.party_id, cur.c.subject, cur.c.content, lr.id.label("last_id"),
                      lr.record_type.label("last_type"), lr.status.label("last_status"),
                      lr.content.label("last_content"), cur.c.party_id.label("party"), cur.c.subject.label("subj"))
               .select_from(cur.outerjoin(lr, lr.id == last_id))
               .where(or_(lr.id.is_(None), lr.status == "rejected", lr.content != cur.c.content)))
    gone = (select(cur.c.party_id, cur.c.subject, cur.c.content, *tail,
                   last.c.party_id.label("party"), last.c.subject.label("subj"))
            .select_from(last.outerjoin(cur, on))
            .where(cur.c.party_id.is_(None), last.c.record_type != "cancel",
                   ~and_(last.c.status == "rejected", last.c.record_type == "new")))
    both = union_all(present, gone).subquery("changes")
    return select(both).order_by(both.c.party, both.c.subj)


def _changes_full_join(session: Session, exp: Export, as_of: dt.date):
    """``_changes`` on PostgreSQL: the same rows, by one FULL JOIN with the last record of each subject."""
    r = ExchangeRecord
    cur = exp.current(session, as_of).subquery("cur")
    last = (select(r.id, r.party_id, r.subject, r.record_type, r.status, r.content).where(r.kind == exp.kind)
            .ext(distinct_on(r.party_id, r.subject)).order_by(r.party_id, r.subject, r.id.desc()).subquery("last"))
    party = func.coalesce(cur.c.party_id, last.c.party_id).label("party")
    subj = func.coalesce(cur.c.subject, last.c.subject).label("subj")
    present = and_(cur.c.party_id.is_not(None),
                   or_(last.c.id.is_(None), last.c.status == "rejected", last.c.content != cur.c.content))
    gone = and_(cur.c.party_id.is_(None), last.c.record_type != "cancel",
                ~and_(last.c.status == "rejected", last.c.record_type == "new"))
    return (select(cur.c.party_id, cur.c.subject, cur.c.content, last.c.id.label("last_id"),
                   last.c.record_type.label("last_type"), last.c.status.label("last_status"),
                   last.c.content.label("last_content"), party, subj)
            .select_from(cur.join(last, and_(cur.c.party_id == last.c.party_id, cur.c.subject == last.c.subject),
                                  full=True))
            .where(or_(present, gone)).order_by(party, subj))


def _header(fmt: FileFormat, f: ExchangeFile, kbo: str) -> dict:
    return {"format": fmt.name, "version": fmt.version, "fund_kbo": kbo, "reference": f.reference,
            "as_of": f.as_of, "created": f.created_at, "first_quarter": f.first_period or "",
            "last_quarter": f.last_period or "", "first_year": (f.first_period or "")[:4],
            "last_year": (f.last_period or "")[:4]}


class _Writer:
    """Writes header, details, trailer of one file while hashing it; keeps the trailer's counts and totals."""

    def __init__(self, fmt: FileFormat, fh):
        self.fmt, self.fh, self.sha = fmt, fh, hashlib.sha256()
        self.counts = dict.fromkeys(RECORD_TYPE_CODES, 0)
        self.totals = {name: 0 for name, _f, _v in fmt.totals}
        content = fmt.content_fields
        # (trailer field, position of the detail field in the content or its name, value counted)
        self._totals = [(name, content.index(fld) if fld in content else fld, counted)
                        for name, fld, counted in fmt.totals]

    def write(self, text: str) -> None:
        data = text.encode("ascii")
        self.sha.update(data)
        if self.fh is not None:
            self.fh.write(data)

    def detail(self, record_id: int, record_type: str, corrects: int | None, subject: str, content: str) -> None:
        fmt = self.fmt
        parts = fmt.parts(content)
        if len(parts) != len(fmt.content_fields):
            fmt.from_content(content)  # refuses it, saying why
        other = {"record_id": record_id, "record_type": RECORD_TYPE_CODES[record_type], "corrects": corrects,
                 "quarter": subject}
        self.counts[record_type] += 1
        for name, where, counted in self._totals:
            v = parts[where] if isinstance(where, int) else other.get(where)
            if counted is None:
                self.totals[name] += int(v or 0)
            elif v == counted:
                self.totals[name] += 1
        self.write(fmt.detail_line(parts, other))

    def trailer(self, reference: str) -> None:
        c = self.counts
        self.write(self.fmt.line(self.fmt.trailer, {
            "reference": reference, "records": sum(c.values()), "new": c["new"], "corrections": c["correction"],
            "resends": c["resend"], "cancellations": c["cancel"], **self.totals}))


def _rebuild(session: Session, exp: Export, f: ExchangeFile, fh, kbo: str) -> str:
    """Write the recorded file ``f`` again from its records, in the format version it was written in; its SHA-256
    must be the one recorded."""
    fmt = exp.format_for(f.format_version)
    w = _Writer(fmt, fh)
    w.write(fmt.line(fmt.header, _header(fmt, f, kbo)))
    r = ExchangeRecord
    with closing(bulk.stream_rows(session.connection(), select(r.id, r.record_type, r.corrects_id, r.subject,
                                                                r.content).where(r.file_id == f.id).order_by(r.id),
                                  CHUNK)) as chunks:
        for rows in chunks:
            for rid, rtype, corrects, subject, content in rows:
                w.detail(rid, rtype, corrects, subject, content)
    w.trailer(f.reference)
    digest = w.sha.hexdigest()
    if digest != f.sha256:
        raise Conflict("file", f"{f.reference} rebuilt from its records does not give the recorded SHA-256 "
                               f"({digest} instead of {f.sha256}): its records were changed")
    return digest


def _check_output(output: Path) -> None:
    if output.is_dir():
        raise InvalidInput("output", f"{output} is a directory")
    if not output.parent.exists():
        raise InvalidInput("output", f"the directory {output.parent} does not exist")


def _stamp(now: dt.datetime | None) -> dt.datetime:
    return (now or utcnow()).replace(microsecond=0)


def make_file(db: str | Engine, exp: Export, as_of: dt.date, output: Path, *, who: object = "export",
              today: dt.date | None = None, now: dt.datetime | None = None) -> FileResult:
    """The file of ``exp`` as of ``as_of`` written to ``output`` and recorded; see the module docstring."""
    if not isinstance(as_of, dt.date):
        raise InvalidInput("as_of", "a date is required")
    today = today or dt.date.today()
    if as_of > today:
        raise InvalidInput("as_of", f"{as_of.isoformat()} is in the future: the file says what was booked up to its "
                                    "date, and that is not known yet")
    output = Path(output)
    _check_output(output)
    kbo = get_settings().fund_kbo
    engine = engine_for(db) if isinstance(db, str) else db
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        result = _make(engine, exp, as_of, output, tmp, kbo, who, now)
        if result.reference is not None:
            os.replace(tmp, output)
        return result
    finally:
        tmp.unlink(missing_ok=True)


def _planned(row, exp: Export) -> tuple:
    """(party, subject, record type, record corrected, content) of one row of ``_changes`` (a tuple, in the order
    of its columns)."""
    party_id, _subject, content, last_id, _last_type, last_status, last_content, party, subj = row
    if party_id is not None:
        if last_id is None:
            rtype = "new"
        elif last_status == "rejected":
            rtype = "resend"
        else:
            rtype = "correction"
        return party, subj, rtype, last_id, content
    return party, subj, "cancel", last_id, exp.cancel_content(last_content)


def _make(engine: Engine, exp: Export, as_of: dt.date, output: Path, tmp: Path, kbo: str, who: object,
          now: dt.datetime | None) -> FileResult:
    """The transaction of ``make_file``: the file written to ``tmp`` (the caller renames it once committed).

    The changes are streamed in chunks (a fund's first file carries every quarter of every career): each chunk gets
    its record numbers, its lines and its rows in ``exchange_record``; the header, which names the first and last
    quarter, is written last over a placeholder of the same width, and the SHA-256 is taken of the finished file.
    Reading the changes while inserting records is safe: PostgreSQL reads the statement's snapshot, and on SQLite a
    record inserted for a subject is never looked up again by the same statement (each subject comes once)."""
    with Session(engine, expire_on_commit=False) as session, session.begin(), ExitStack() as stack:
        conn = session.connection()
        begin_write(conn, f"exchange:{exp.kind}")
        same = session.scalar(select(ExchangeFile).where(ExchangeFile.kind == exp.kind,
                                                         ExchangeFile.as_of == as_of))
        if same is not None:
            with open(tmp, "wb") as fh:
                digest = _rebuild(session, exp, same, fh, kbo)
            return FileResult(same.reference, True, same.record_count, {}, digest, output, as_of)
        later = session.scalar(select(func.max(ExchangeFile.as_of)).where(ExchangeFile.kind == exp.kind))
        if later is not None and later > as_of:
            raise InvalidInput("as_of", f"the last {exp.what or exp.kind} file is as of {later}: a new one must be as "
                                        "of that date or later (corrections are sent forward, never backdated)")
        bulk.large_query(conn)
        # closed before the commit (PostgreSQL: the server-side cursor)
        chunks = stack.enter_context(closing(bulk.stream_rows(conn, _changes(session, exp, as_of), CHUNK)))
        first = next(chunks, None)
        if not first:
            return FileResult(None, False, as_of=as_of)
        n = session.scalar(select(func.count()).select_from(ExchangeFile).where(ExchangeFile.kind == exp.kind))
        f = ExchangeFile(kind=exp.kind, reference=f"{exp.prefix}-{as_of:%Y%m%d}-{n + 1:04d}", as_of=as_of,
                         created_at=_stamp(now), created_by=str(who), record_count=0, sha256="",
                         name=output.name, path=str(output.resolve()), status="sent", rejected_count=0,
                         format_version=exp.fmt.version)
        session.add(f)
        session.flush()
        total, low, high = 0, None, None
        with open(tmp, "w+b") as fh:
            w = _Writer(exp.fmt, fh)
            fh.write(b" " * exp.fmt.width + b"\n")  # the header's place
            part = first
            while part:
                plan = [_planned(row, exp) for row in part]
                ids = next_ids(conn, "exchange_record", len(plan))
                for rid, (_party, subject, rtype, last_id, content) in zip(ids, plan, strict=True):
                    w.detail(rid, rtype, last_id, subject, content)
                periods = [exp.period(p[1]) for p in plan]
                low = min(low or periods[0], *periods)
                high = max(high or periods[0], *periods)
                bulk.insert_rows(conn, ExchangeRecord.__table__,
                                 ("id", "file_id", "kind", "party_id", "subject", "record_type", "corrects_id",
                                  "content", "status"),
                                 [(rid, f.id, exp.kind, party, subject, rtype, last_id, content, "sent")
                                  for rid, (party, subject, rtype, last_id, content) in zip(ids, plan, strict=True)])
                total += len(plan)
                part = next(chunks, None)
            w.trailer(f.reference)
            f.first_period, f.last_period, f.record_count = low, high, total
            fh.seek(0)
            fh.write(exp.fmt.line(exp.fmt.header, _header(exp.fmt, f, kbo)).encode("ascii"))
            fh.flush()
            os.fsync(fh.fileno())
            fh.seek(0)
            sha = hashlib.sha256()
            for block in iter(lambda: fh.read(1 << 20), b""):
                sha.update(block)
        f.sha256 = sha.hexdigest()
        bulk.reset_sequences(conn, [ExchangeRecord.__table__])
        counts = {t: w.counts[t] for t in RECORD_TYPE_CODES}
        audit.record(session, who, "export", "exchange_file", f.id,
                     detail={"kind": exp.kind, "reference": f.reference, "as_of": as_of.isoformat(),
                             "records": total, "sha256": f.sha256, **counts})
        session.flush()
    return FileResult(f.reference, True, total, counts, f.sha256, output, as_of, new_file=True)


# --- acknowledgements -----------------------------------------------------------------------------------------

@dataclass
class AckResult:
    reference: str
    status: str
    rejected: int
    already: bool = False

    def line(self) -> str:
        if self.already:
            return f"already imported: the answer to {self.reference} ({self.status}) — nothing changed"
        if self.status == "rejected":
            return f"{self.reference}: rejected as a whole — its {self.rejected} records will be sent again"
        return f"{self.reference}: acknowledged, {self.rejected} records rejected (sent again in the next file)"


def import_ack(db: str | Engine, path: str | Path, *, who: object = "import-ack") -> AckResult:
    """Record the answer to an outgoing file: the file ``acknowledged`` (its records accepted except those listed as
    rejected) or ``rejected`` (every record). The same answer twice is recognised (SHA-256) and changes nothing; a
    second, different answer to a file already answered is refused."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput("file", f"{path}: {exc.strerror or exc}") from None
    ack = parse_ack(data)
    digest = hashlib.sha256(data).hexdigest()
    engine = engine_for(db) if isinstance(db, str) else db
    with Session(engine, expire_on_commit=False) as session, session.begin():
        f = session.scalar(select(ExchangeFile).where(ExchangeFile.reference == ack.file))
        if f is None:
            raise NotFound("file", ack.file)
        begin_write(session.connection(), f"exchange:{f.kind}")
        session.refresh(f)  # as it stands under the lock (a concurrent answer)
        prior = session.scalar(select(ExchangeAck).where(ExchangeAck.sha256 == digest))
        if prior is not None:
            return AckResult(f.reference, prior.status, prior.rejected_count, already=True)
        if f.status != "sent":
            raise Conflict("file", f"{f.reference} was already answered ({f.status} on {f.status_at:%Y-%m-%d})")
        r = ExchangeRecord
        if ack.rejected:
            ids = [rid for rid, _c, _w in ack.rejected]
            found: set[int] = set()
            for i in range(0, len(ids), 900):
                found.update(session.scalars(select(r.id).where(r.file_id == f.id, r.id.in_(ids[i:i + 900]))))
            missing = [rid for rid in ids if rid not in found]
            if missing:
                raise InvalidInput("rejected", f"record {missing[0]} is not in {f.reference}"
                                   + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
        n_rejected = f.record_count if ack.status == "rejected" else len(ack.rejected)
        a = ExchangeAck(file_id=f.id, status=ack.status, reason=ack.reason, rejected_count=n_rejected,
                        name=path.name, sha256=digest, imported_by=str(who))
        session.add(a)
        session.flush()
        if ack.status == "rejected":
            session.execute(update(r).where(r.file_id == f.id).values(
                status="rejected", rejection_code="FILE", rejection_reason=ack.reason or "file rejected",
                ack_id=a.id))
        else:
            session.execute(update(r).where(r.file_id == f.id).values(status="accepted", ack_id=a.id))
            if ack.rejected:
                t = ExchangeRecord.__table__
                session.connection().execute(
                    update(t).where(t.c.id == bindparam("rid"))
                    .values(status="rejected", rejection_code=bindparam("code"), rejection_reason=bindparam("why")),
                    [{"rid": rid, "code": code, "why": why} for rid, code, why in ack.rejected])
        f.status = "rejected" if ack.status == "rejected" else "acknowledged"
        f.status_at = utcnow()
        f.rejected_count = n_rejected
        audit.record(session, who, "import", "exchange_ack", a.id,
                     detail={"file": f.reference, "status": ack.status, "rejected": n_rejected, "sha256": digest})
        return AckResult(f.reference, ack.status, n_rejected)


# --- what went out --------------------------------------------------------------------------------------------

def list_files(session: Session, kind: str | None = None) -> list[ExchangeFile]:
    q = select(ExchangeFile).order_by(ExchangeFile.id)
    if kind:
        q = q.where(ExchangeFile.kind == kind)
    return list(session.scalars(q))


def rejected_records(session: Session, reference: str) -> list[ExchangeRecord]:
    f = session.scalar(select(ExchangeFile).where(ExchangeFile.reference == reference))
    if f is None:
        raise NotFound("file", reference)
    return list(session.scalars(select(ExchangeRecord).where(ExchangeRecord.file_id == f.id,
                                                             ExchangeRecord.status == "rejected")
                                .order_by(ExchangeRecord.id)))
