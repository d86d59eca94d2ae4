"""What every batch of the fund's calendar shares: its key and run record, its summary, resumable chunked writing.

A batch is identified by a key (``quarterly-call/2026Q1``). ``run_batch``:

* records the run in ``batch_run`` (parameters as given at the *first* start: a resumed run reuses them, so a
  run killed on Monday and resumed on Tuesday posts what Monday's run would have posted);
* returns at once, posting nothing, when the batch already finished;
* on PostgreSQL holds an advisory lock on the key for the whole run, so a second process started at the same
  time waits, then finds the batch finished (and the ledger's unique keys would refuse a double post anyway);
* marks the run ``failed`` with the error on an exception, ``finished`` with its counts and summary at the end,
  and writes one audit row.

The work itself is set-based: the batch computes every amount with numpy over all debtors, then writes chunks
with ``write_chunks`` — the ledger's ``post_many`` for the debts, the driver's bulk insert for the notices, each
chunk committed on its own. Keys already in the database are skipped, so a run killed half-way (even by
SIGKILL) and run again ends in exactly the state of an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from caisse.batches.models import BatchRun, Notice
from caisse.ledger import Charges, Posting, post_many
from caisse.money import fmt
from caisse.store import bulk
from caisse.store.db import engine_for, session_scope
from caisse.store.models import utcnow

Progress = Callable[[int, int], None]  # (done, total)
CHUNK = 20_000


@dataclass
class Summary:
    """What a batch did, for the terminal and ``batch_run.summary``. Counts cover the whole batch (a resumed
    run reports the same totals as an uninterrupted one); ``posted``/``already`` say what this run wrote."""

    key: str
    kind: str
    debtors: int = 0  # debtors with a debt (or a credit) in this batch
    amount_cents: int = 0  # total of the batch's debts (net of credits for a regularisation)
    notices: int = 0  # notices of the batch (one per debtor)
    posted: int = 0  # ledger transactions written by this run
    already: int = 0  # found already posted (earlier, interrupted or concurrent run)
    exempt: int = 0  # nothing due (exemption, no difference): nothing posted, no notice
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> debtors
    examples: dict[str, list[int]] = field(default_factory=dict)  # reason -> a few file numbers
    details: dict[str, object] = field(default_factory=dict)
    finished_before: bool = False  # the batch had already finished: this run did nothing
    anomalies: set[str] = field(default_factory=set)  # skip reasons that are anomalies: a case each

    def anomaly(self, reason: str, party_ids: Sequence[int] | np.ndarray) -> None:
        """Files the batch could not handle for a reason staff must look at (a legal parameter missing, data
        missing): skipped, and — when the batch finishes — a ``batch_anomaly`` case in the work queue."""
        if len(party_ids):
            self.anomalies.add(reason)
        self.skip(reason, party_ids)

    def skip(self, reason: str, party_ids: Sequence[int] | np.ndarray) -> None:
        n = len(party_ids)
        if not n:
            return
        self.skipped[reason] = self.skipped.get(reason, 0) + n
        self.examples.setdefault(reason, [])
        room = 5 - len(self.examples[reason])
        if room > 0:
            self.examples[reason] += [int(x) for x in list(party_ids[:room])]

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def to_json(self) -> dict:
        return {"debtors": self.debtors, "amount": fmt(self.amount_cents), "notices": self.notices,
                "posted": self.posted, "already_posted": self.already, "exempt": self.exempt,
                "skipped": dict(self.skipped), "skipped_examples": dict(self.examples),
                **({"anomalies": sorted(self.anomalies)} if self.anomalies else {}), **self.details}

    @classmethod
    def from_row(cls, row: BatchRun) -> Summary:
        s = row.summary or {}
        return cls(row.key, row.kind, row.debtors, row.amount_cents, row.notices, 0, s.get("posted", 0) +
                   s.get("already_posted", 0), s.get("exempt", 0), dict(s.get("skipped", {})),
                   dict(s.get("skipped_examples", {})), finished_before=True)

    def lines(self) -> list[str]:
        if self.finished_before:
            head = [f"{self.key}: already finished, nothing posted (rerunning a finished batch changes nothing)"]
        else:
            head = [f"{self.key}: finished"]
        out = head + [
            f"  debtors        {self.debtors:>12,}",
            f"  amount         {fmt(self.amount_cents):>15} EUR",
            f"  notices        {self.notices:>12,}",
        ]
        if not self.finished_before:
            out.append(f"  posted now     {self.posted:>12,}   (already posted before: {self.already:,})")
        if self.exempt:
            out.append(f"  nothing due    {self.exempt:>12,}   (exempt or no difference: nothing posted)")
        for key, value in self.details.items():
            out.append(f"  {key:<14} {value}")
        out.append(f"  skipped        {self.skipped_total:>12,}")
        for reason, n in sorted(self.skipped.items(), key=lambda kv: -kv[1]):
            ex = ", ".join(str(x) for x in self.examples.get(reason, []))
            out.append(f"    {n:>8,} × {reason}" + (f"  (e.g. files {ex})" if ex else ""))
        return out


@contextlib.contextmanager
def _exclusive(engine: Engine, key: str) -> Iterator[None]:
    """PostgreSQL: a session advisory lock on the batch key (released when the connection ends, even on
    SIGKILL). SQLite has one writer at a time and the unique keys do the rest."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": key})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": key})
            conn.commit()


def _start(url: str, key: str, kind: str, params: dict, actor: str) -> BatchRun:
    with session_scope(url) as s:
        row = s.scalar(select(BatchRun).where(BatchRun.key == key))
        if row is None:
            try:
                with s.begin_nested():
                    s.execute(insert(BatchRun).values(key=key, kind=kind, params=params, status="running",
                                                      started_at=utcnow(), attempts=1, actor=actor, debtors=0,
                                                      amount_cents=0, notices=0, skipped=0))
            except IntegrityError:  # a twin started it a moment ago
                pass
            row = s.scalar(select(BatchRun).where(BatchRun.key == key))
        elif row.status != "finished":
            s.execute(update(BatchRun).where(BatchRun.id == row.id).values(
                status="running", attempts=BatchRun.attempts + 1, error=None))
        s.expunge(row)
        return row


def run_batch(url: str, key: str, kind: str, params: dict, body: Callable[[dict, Summary], None], *,
              actor: str | None = None) -> Summary:
    """Run ``body(params, summary)`` as the batch ``key`` (see the module docstring)."""
    from caisse.security.authz import Principal
    from caisse.services import audit

    engine = engine_for(url)
    who = Principal.system(actor or f"batch:{kind}")
    with _exclusive(engine, key):
        row = _start(url, key, kind, params, str(who))
        if row.status == "finished":
            return Summary.from_row(row)
        summary = Summary(key, kind)
        try:
            body(dict(row.params or params), summary)
        except BaseException as exc:
            with session_scope(url) as s:
                error = f"{type(exc).__name__}: {exc}"[:2000]
                s.execute(update(BatchRun).where(BatchRun.id == row.id).values(status="failed", error=error))
                if isinstance(exc, Exception):  # not a Ctrl-C: someone must look at it
                    _anomaly_cases(s, key, [(f"batch/{key}/failed", f"Batch {key} failed",
                                             f"The batch {key} stopped with an error: {error}. Fix the cause and "
                                             "run it again (it resumes where it stopped).")], str(who))
            raise
        with session_scope(url) as s:
            s.execute(update(BatchRun).where(BatchRun.id == row.id).values(
                status="finished", finished_at=utcnow(), debtors=summary.debtors, amount_cents=summary.amount_cents,
                notices=summary.notices, skipped=summary.skipped_total, summary=summary.to_json()))
            audit.record(s, who, "batch_finished", "batch_run", key, detail=summary.to_json())
            _anomaly_cases(s, key, [
                (f"batch/{key}/{hashlib.sha256(reason.encode()).hexdigest()[:16]}",
                 f"Batch {key}: {summary.skipped.get(reason, 0)} file(s) skipped, {reason}"[:200],
                 f"The batch {key} skipped {summary.skipped.get(reason, 0)} file(s): {reason}. Examples: files "
                 + ", ".join(str(x) for x in summary.examples.get(reason, [])) + ". These files were left out of "
                 "this batch: complete what is missing and handle them.")
                for reason in sorted(summary.anomalies)], str(who))
    return summary


def _anomaly_cases(session, key: str, found: list[tuple[str, str, str]], actor: str) -> None:
    """A ``batch_anomaly`` case per anomaly (``(case key, subject, body)``), once per key."""
    from caisse.cases.service import open_system_cases

    open_system_cases(session, [{"key": k, "kind": "batch_anomaly", "subject": subject, "body": body}
                                for k, subject, body in found], today(), actor)


# --- resumable chunked writing ------------------------------------------------------------------------------

def existing_keys(url: str, table: str, prefix: str) -> set[str]:
    """Keys of ``table`` (ledger_transaction or notice) starting with ``prefix`` (one set-based read)."""
    with engine_for(url).connect() as conn:
        return set(conn.execute(text(f"SELECT key FROM {table} WHERE key LIKE :p"), {"p": prefix + "%"}).scalars())


NOTICE_COLUMNS = ("key", "kind", "party_id", "period", "amount_cents", "due_date", "reference", "language",
                  "batch_key", "created_at")


def _is_duplicate(exc: Exception) -> bool:
    """A unique-key violation, whether raised through SQLAlchemy or by the driver (bulk insert)."""
    import sqlite3

    import psycopg.errors

    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.IntegrityError):  # SQLite's one class for every constraint: a CHECK is no duplicate
        return str(orig).startswith("UNIQUE constraint failed")
    return isinstance(orig, psycopg.errors.UniqueViolation)


def insert_keyed(url: str, table, columns, rows: list[tuple], *, what: str) -> int:
    """Insert rows whose first column is a unique key, in one transaction (constraints verified once for all the
    rows: ``store.bulk.insert_rows``); rows whose key a concurrent run wrote meanwhile are left out (the chunk is
    retried without them). Returns the number inserted."""
    key_column = table.c[columns[0]]
    engine = engine_for(url)
    for _attempt in range(3):
        try:
            with engine.begin() as conn:
                bulk.insert_rows(conn, table, columns, rows, checks_once=True)
            return len(rows)
        except Exception as exc:
            if not _is_duplicate(exc):
                raise
            taken = set()
            with engine.connect() as conn:
                keys = [r[0] for r in rows]
                for i in range(0, len(keys), 5000):
                    taken |= set(conn.execute(select(key_column).where(key_column.in_(keys[i:i + 5000]))).scalars())
            rows = [r for r in rows if r[0] not in taken]
            if not rows:
                return 0
    raise RuntimeError(f"{what}: keys kept appearing concurrently")


def driver_dates(url: str) -> tuple[Callable[[dt.date | None], object], Callable[[dt.datetime], object]]:
    """(date, timestamp) converters to the values the driver stores: SQLite holds them as text."""
    if engine_for(url).dialect.name == "sqlite":
        return (lambda d: None if d is None else d.isoformat()), (lambda t: t.isoformat(sep=" "))
    return (lambda d: d), (lambda t: t)


def _insert_notices(url: str, rows: list[tuple], *, driver_values: bool = False) -> int:
    """Notice rows (NOTICE_COLUMNS order) through ``insert_keyed``; SQLite gets its dates as text (already so when
    ``driver_values``: built with ``driver_dates``)."""
    if not driver_values and engine_for(url).dialect.name == "sqlite":
        rows = [(*r[:5], None if r[5] is None else r[5].isoformat(), *r[6:9], r[9].isoformat(sep=" ")) for r in rows]
    return insert_keyed(url, Notice.__table__, NOTICE_COLUMNS, rows, what="notices")


def _not_in(idx: np.ndarray, keys: list[str], done: set[str]) -> np.ndarray:
    """The rows of ``idx`` (consecutive) whose key is not in ``done``."""
    if not done:
        return idx
    start = int(idx[0])
    return np.array([start + j for j, k in enumerate(keys[start:int(idx[-1]) + 1]) if k not in done], dtype=np.int64)


def write_chunks(url: str, n: int, make_postings: Callable[[np.ndarray], list[Posting] | Charges],
                 make_notices: Callable[[np.ndarray], list[tuple]] | None, *, posted_keys: set[str],
                 notice_keys: set[str], keys: list[str], notice_key_list: list[str] | None = None,
                 summary: Summary, progress: Progress | None = None, chunk: int = CHUNK,
                 driver_notices: bool = False) -> None:
    """Write rows 0..n-1 chunk by chunk: their postings (keys not yet posted) then their notices (keys not yet
    written). ``make_*`` receive the row indexes to build; ``make_postings`` may return the chunk's debts as
    ``Charges`` (columns), ``make_notices`` rows already in driver values (``driver_notices``, see
    ``driver_dates``). Counts go to ``summary.posted/already``."""
    notice_key_list = notice_key_list if notice_key_list is not None else keys
    for start in range(0, n, chunk):
        idx = np.arange(start, min(start + chunk, n))
        todo = _not_in(idx, keys, posted_keys)
        summary.already += len(idx) - len(todo)
        if len(todo):
            result = post_many(url, make_postings(todo), chunk_size=len(todo))
            summary.posted += result.posted
            summary.already += result.skipped
        if make_notices is not None:
            missing = _not_in(idx, notice_key_list, notice_keys)
            if len(missing):
                _insert_notices(url, make_notices(missing), driver_values=driver_notices)
        if progress:
            progress(int(idx[-1]) + 1, n)


def today() -> dt.date:
    return dt.date.today()
