"""Set-based posting of many transactions at once (quarterly call for a million debtors, CODA import).

Driver level, no ORM object per row: SQLite gets ``executemany`` (stdlib sqlite3), PostgreSQL gets
``COPY ... FROM STDIN`` (psycopg 3). Work is cut in chunks, each committed on its own:

* fast path: insert the chunk's transactions, then its entries. Transaction ids come from SQLite's
  rowid (consecutive under the write lock, checked) or from the PostgreSQL sequence (one round trip);
* a key that already exists makes the unique index refuse the chunk: it is rolled back whole and redone
  on the slow path, which reads the keys that exist, checks their content is the same (else ``Conflict``)
  and inserts only the others.

Debts called from numpy columns (a quarterly call) can skip the object per row: ``Charges`` holds them as
columns (what ``charge_posting`` would build for each row) and ``post_many`` writes their rows straight from the
columns; only a chunk that meets an existing key is turned into ``Posting`` objects, for the slow path.

So a rerun posts nothing new, a run killed half-way and rerun ends in the state of an uninterrupted run
(every chunk is all-or-nothing), and two processes posting the same batch at once do not double-post
(the second one waits on the unique index, then finds the keys and skips them).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress, islice, repeat
from json.encoder import c_make_encoder, encode_basestring_ascii  # c_make_encoder: None without the C module
from typing import NamedTuple

import numpy as np
from sqlalchemy import Engine

from caisse.errors import Conflict, InvalidInput
from caisse.ledger.models import RECEIVABLE, LedgerEntry, LedgerTransaction
from caisse.ledger.posting import PERIOD, Entry, Posting, entry_signature, signature, validate
from caisse.store.bulk import copy_checked, copy_rows, executemany_checked, serial_ids
from caisse.store.db import engine_for
from caisse.store.models import utcnow

TX_COLUMNS = ("key", "kind", "booked_on", "recorded_at", "corrects_id", "refers_to_id", "reference", "description")
ENTRY_COLUMNS = ("transaction_id", "party_id", "account", "period", "amount_cents", "due_date", "rule", "parameter",
                 "explanation")


class BulkResult(NamedTuple):
    posted: int  # transactions inserted by this call
    skipped: int  # keys already posted with the same content


class ChargeLine(NamedTuple):
    """One line of every debt of a ``Charges`` batch: row i debits ``account`` by ``amounts[i]`` cents (0: row i
    has no such line; < 0 credits it, as ``charge_posting`` does) and credits ``income`` as much. ``rule`` and
    ``parameter``: one for every row, or one per row. ``explanations``: per row, the explanation of the debit as
    the JSON text of a dict (or None)."""

    account: str
    amounts: np.ndarray
    rule: str | Sequence[str | None] | None
    parameter: str | Sequence[str | None] | None
    explanations: Sequence[str | None] | None = None


class Charges(NamedTuple):
    """Debts as columns, row i being ``charge_posting(keys[i], party[i], period, due[i], booked_on, lines...)``:
    a batch computed with numpy posts them through ``post_many`` without an object per row."""

    keys: Sequence[str]
    party: Sequence[int]
    period: str
    due: Sequence[dt.date]
    booked_on: dt.date
    lines: Sequence[ChargeLine]
    description: str | None = None
    references: Sequence[str | None] | None = None
    kind: str = "charge"

    def posting(self, i: int) -> Posting:
        """Row ``i`` as the Posting ``charge_posting`` builds."""
        from caisse.ledger.operations import DebtLine, charge_posting

        lines = []
        for line in self.lines:
            expl = None if line.explanations is None else line.explanations[i]
            lines.append(DebtLine(line.account, int(line.amounts[i]), _at(line.rule, i), _at(line.parameter, i),
                                  None if expl is None else json.loads(expl)))
        return charge_posting(self.keys[i], int(self.party[i]), self.period, self.due[i], self.booked_on, lines,
                              kind=self.kind, description=self.description,
                              reference=None if self.references is None else self.references[i])

    def postings(self) -> list[Posting]:
        return [self.posting(i) for i in range(len(self.keys))]


def _at(value, i: int):
    return value if value is None or isinstance(value, str) else value[i]


def _column(value, n: int) -> Iterable:
    return repeat(value, n) if value is None or isinstance(value, str) else value


def _check_charges(c: Charges) -> bool:
    """Refuse what ``validate``/``charge_posting`` would refuse in any row (naming the field); False when the rows
    cannot go the column way (a key twice in the chunk: ``_dedupe`` decides between the same or a conflict)."""
    n = len(c.keys)
    if not n:
        return True
    validate(c.posting(0))  # what is the same for every row (kind, period, accounts, dates)
    if not all(type(k) is str for k in c.keys) or min(map(len, c.keys)) < 1 or max(map(len, c.keys)) > 200:
        bad = next(k for k in c.keys if type(k) is not str or not 1 <= len(k) <= 200)
        raise InvalidInput("key", f"an idempotency key of 1-200 characters is required, got {bad!r}")
    if c.period is None or not PERIOD.match(c.period):
        raise InvalidInput("entries[0].period", f"period must look like 2026Q1 or 2026, got {c.period!r}")
    if not all(isinstance(d, dt.date) for d in set(c.due)):
        raise InvalidInput("due_date", "a date is required")
    some = np.zeros(n, bool)
    for line in c.lines:
        if line.account not in RECEIVABLE:
            raise InvalidInput("account", f"{line.account!r} is not a debt account ({', '.join(RECEIVABLE)})")
        amounts = np.asarray(line.amounts)
        if amounts.dtype.kind not in "iu" or amounts.shape != (n,):
            raise InvalidInput("entries.amount_cents", "integer cents required, one per charge")
        some |= amounts != 0
    if not some.all():
        key = c.keys[int(np.flatnonzero(~some)[0])]
        raise InvalidInput("entries", f"{key}: a transaction needs at least two entries")
    if any(p is None for p in c.party) or np.asarray(c.party).dtype.kind not in "iu":
        raise InvalidInput("party_id", "every charge needs its debtor")
    return len(set(c.keys)) == n


def _chunks(items: Iterable[Posting], size: int) -> Iterator[list[Posting]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def post_many(db: str | Engine, postings: Iterable[Posting] | Charges, *, chunk_size: int = 50_000,
              progress: Callable[[int, int], None] | None = None) -> BulkResult:
    """Post ``postings`` (each validated like ``post``), committing every ``chunk_size`` transactions.
    ``Charges`` are posted as one chunk, straight from their columns.

    Manages its own database transactions: do not call it inside an open unit of work on the same data.
    ``progress(posted, skipped)`` is called after each chunk. The constraints are verified once per chunk for all
    its rows (SQLite: CHECK, PostgreSQL: foreign keys; ``store.bulk``), as ``insert_postings`` does.
    """
    engine = engine_for(db) if isinstance(db, str) else db
    writer = _PgWriter if engine.dialect.name == "postgresql" else _SqliteWriter
    posted = skipped = 0
    raw = engine.raw_connection()
    try:
        w = writer(raw.driver_connection)
        w.checks_once = True
        if isinstance(postings, Charges):
            if _check_charges(postings):
                n_posted, skipped = w.post_chunk(None, charges=postings)
                return BulkResult(n_posted, skipped)
            postings = postings.postings()
        for chunk in _chunks(postings, chunk_size):
            chunk = _dedupe(chunk)
            n_posted, n_skipped = w.post_chunk(chunk)
            posted += n_posted
            skipped += n_skipped
            if progress:
                progress(posted, skipped)
    finally:
        raw.close()
    return BulkResult(posted, skipped)


def insert_postings(connection, postings: list[Posting], *, known: dict[str, set] | None = None) -> list[int]:
    """Insert ``postings`` (each validated like ``post``) inside the caller's open transaction on a SQLAlchemy
    ``Connection``, set-based, without committing: an importer that must be all-or-nothing (a CODA file) posts
    its ledger lines and its own rows in one transaction. Every key must be new: an existing key makes the
    database refuse the insert (the caller rolls back). Returns the transaction ids, in order.
    The constraints are verified once for all the rows (SQLite: CHECK, PostgreSQL: foreign keys; ``known``: ids
    the caller's transaction inserted or verified already, per table — ``store.bulk.copy_checked``)."""
    postings = _dedupe(list(postings))
    if not postings:
        return []
    writer = _PgWriter if connection.dialect.name == "postgresql" else _SqliteWriter
    w = writer(connection.connection.driver_connection)
    w.checks_once = True  # one statement verifies the constraints of all the rows (store.bulk)
    w.known = known if known is not None else {}
    return w.insert(postings)


def _dedupe(chunk: list[Posting]) -> list[Posting]:
    seen: dict[str, Posting] = {}
    for p in chunk:
        validate(p)
        other = seen.get(p.key)
        if other is None:
            seen[p.key] = p
        elif signature(other) != signature(p):
            raise Conflict("key", f"{p.key} appears twice in the batch with different content")
    return list(seen.values()) if len(seen) != len(chunk) else chunk


_ENCODER = json.JSONEncoder(default=str)  # what json.dumps(value, default=str) builds on every call
# ``_ENCODER.encode`` of a dict builds a new C encoder on every call: one, built once with the very same settings
# (ensure_ascii, separators ", " and ": ", default=str, allow_nan; no check for circular references, which an
# explanation never has), writes the same text in half the time.
_C_ENCODER = c_make_encoder(None, str, encode_basestring_ascii, None, ": ", ", ", False, False, True) \
    if c_make_encoder is not None else None


def _json(value: dict) -> str:
    return "".join(_C_ENCODER(value, 0)) if _C_ENCODER is not None else _ENCODER.encode(value)


def explanation_json(value: dict | None) -> str | None:
    """An explanation as the JSON text ``post_many`` writes for it (what ``ChargeLine.explanations`` hold)."""
    return None if value is None else _json(value)


def _sparse_lines(lines: Sequence[ChargeLine], n: int) -> tuple[list[bool], np.ndarray] | None:
    """For each line, whether only some rows have it, and which rows have such a line — when the lines that every
    row has are there and the rows with another line are few (at most one in eight); else None (every line of every
    row, or too many gaps)."""
    full = [bool(np.all(np.asarray(line.amounts) != 0)) for line in lines]
    if all(full) or not any(full):
        return None
    some = np.zeros(n, bool)
    for line, whole in zip(lines, full, strict=True):
        if not whole:
            some |= np.asarray(line.amounts) != 0
    return ([not whole for whole in full], some) if 8 * int(some.sum()) <= n else None


def _line_columns(c: Charges, line: ChargeLine, ids: list[int], party: list[int], due: list, n: int
                  ) -> tuple[Iterable, Iterable]:
    """The entry rows of one line of ``c`` for every row: the line's account, and its counterpart on income."""
    amounts = np.asarray(line.amounts, np.int64)
    expl = _column(line.explanations, n) if line.explanations is not None else repeat(None, n)
    debit = zip(ids, party, repeat(line.account, n), repeat(c.period, n), amounts.tolist(), due,
                _column(line.rule, n), _column(line.parameter, n), expl, strict=True)
    credit = zip(ids, party, repeat("income", n), repeat(c.period, n), (-amounts).tolist(), repeat(None, n),
                 _column(line.rule, n), _column(line.parameter, n), repeat(None, n), strict=True)
    return debit, credit


def _with_sparse(c: Charges, sparse: list[bool], some: np.ndarray, ids: list[int], party: list[int], due: list,
                 n: int) -> list:
    """The entry rows of ``c`` when ``sparse`` lines belong to a few rows (``some``): the lines every row has
    interleaved at C speed, the few rows with more lines rebuilt one by one and spliced in — the same rows, in the
    same order (row by row, line by line), as the general way."""
    full_lines = [line for line, part in zip(c.lines, sparse, strict=True) if not part]
    width = 2 * len(full_lines)
    base: list = [None] * (n * width)
    for k, line in enumerate(full_lines):
        base[2 * k::width], base[2 * k + 1::width] = _line_columns(c, line, ids, party, due, n)
    rows: list = []
    done = 0
    for i in np.flatnonzero(some).tolist():
        rows.extend(base[done * width:i * width])
        k = 0  # the row's next full line in ``base``
        for line, part in zip(c.lines, sparse, strict=True):
            if not part:
                rows.extend(base[i * width + 2 * k:i * width + 2 * k + 2])
                k += 1
                continue
            amount = int(line.amounts[i])
            if amount:
                rule, parameter = _at(line.rule, i), _at(line.parameter, i)
                expl = None if line.explanations is None else line.explanations[i]
                rows.append((ids[i], party[i], line.account, c.period, amount, due[i], rule, parameter, expl))
                rows.append((ids[i], party[i], "income", c.period, -amount, None, rule, parameter, None))
        done = i + 1
    rows.extend(base[done * width:])
    return rows


class _Writer:
    placeholder = "?"
    checks_once = False  # constraints verified once for all the rows (store.bulk: executemany_checked, copy_checked)
    known: dict[str, set]  # with checks_once: ids inserted or verified by the caller's transaction, per table

    def __init__(self, conn) -> None:
        self.conn = conn

    # -- to be provided per driver
    def insert_transactions(self, rows: list[tuple]) -> list[int]: ...
    def insert_entries(self, rows: list[tuple]) -> None: ...
    def stored_signatures(self, keys: list[str]) -> dict[str, tuple]: ...
    def ids_of(self, keys: list[str]) -> dict[str, int]: ...
    def is_duplicate(self, exc: Exception) -> bool: ...

    def post_chunk(self, chunk: list[Posting] | None, *, charges: Charges | None = None) -> tuple[int, int]:
        """Post ``chunk`` (or ``charges``) in one database transaction; keys already posted are skipped."""
        self.known = {}  # what a transaction inserted or verified holds for that transaction only
        try:
            n = len(self.insert_charges(charges)) if charges is not None else self._insert(chunk)
            self.conn.commit()
            return n, 0
        except Exception as exc:
            self.conn.rollback()
            if not self.is_duplicate(exc):
                raise
        if chunk is None:
            chunk = _dedupe(charges.postings())
        for _attempt in range(3):  # slow path; a concurrent writer may still win a key: then again
            stored = self.stored_signatures([p.key for p in chunk])
            for p in chunk:
                if p.key in stored and stored[p.key] != signature(p):
                    raise Conflict("key", f"{p.key} was already posted with different content")
            todo = [p for p in chunk if p.key not in stored]
            self.known = {}
            try:
                n = self._insert(todo) if todo else 0
                self.conn.commit()
                return n, len(chunk) - len(todo)
            except Exception as exc:
                self.conn.rollback()
                if not self.is_duplicate(exc):
                    raise
        raise Conflict("key", "could not post the chunk: keys kept appearing concurrently")

    def _insert(self, chunk: list[Posting]) -> int:
        return len(self.insert(chunk))

    def insert(self, chunk: list[Posting]) -> list[int]:
        now = utcnow()
        refs = {k for p in chunk for k in (p.corrects, p.refers_to) if k}
        ref_ids = self.ids_of(sorted(refs)) if refs else {}
        missing = refs - ref_ids.keys()
        if missing:
            raise InvalidInput("corrects", f"unknown transaction(s) referenced: {', '.join(sorted(missing)[:5])}")
        dates: dict[dt.date, object] = {}
        tx_rows = []
        recorded = self.timestamp(now)
        for p in chunk:
            booked = dates.get(p.booked_on)
            if booked is None:
                booked = dates[p.booked_on] = self.date(p.booked_on)
            tx_rows.append((p.key, p.kind, booked, recorded, ref_ids.get(p.corrects) if p.corrects else None,
                            ref_ids.get(p.refers_to) if p.refers_to else None, p.reference, p.description))
        ids = self.insert_transactions(tx_rows)
        self.insert_entries(self.entry_rows(ids, chunk, dates))
        return ids

    def insert_charges(self, c: Charges) -> list[int]:
        """Insert the rows of ``c`` (checked by ``_check_charges``) straight from its columns: the same rows as
        ``insert(c.postings())`` writes, in the same order."""
        n = len(c.keys)
        if not n:
            return []
        booked = self.date(c.booked_on)
        ids = self.insert_transactions(list(zip(
            c.keys, repeat(c.kind, n), repeat(booked, n), repeat(self.timestamp(utcnow()), n), repeat(None, n),
            repeat(None, n), _column(c.references, n), repeat(c.description, n), strict=True)))
        dates = {d: self.date(d) for d in set(c.due)}
        due = list(map(dates.__getitem__, c.due))
        party = [int(p) for p in c.party] if not isinstance(c.party, list) else c.party
        sparse = _sparse_lines(c.lines, n)
        if sparse is not None:  # lines of a few rows only (a primostarter's first quarter): spliced in
            self.insert_entries(_with_sparse(c, *sparse, ids, party, due, n))
            return ids
        columns, masks = [], []
        for line in c.lines:
            mask = np.asarray(line.amounts, np.int64) != 0
            columns += _line_columns(c, line, ids, party, due, n)
            masks += [mask, mask]
        width = len(columns)
        if all(m.all() for m in masks):  # every row has every line: interleave
            rows: list = [None] * (n * width)
            for j, col in enumerate(columns):
                rows[j::width] = col
        else:  # lines of some rows are 0: keep the others, in the order row by row, line by line
            kept = [list(compress(col, m)) for col, m in zip(columns, masks, strict=True)]
            position = np.concatenate([np.flatnonzero(m) * width + j for j, m in enumerate(masks)])
            flat = [r for k in kept for r in k]
            rows = [flat[i] for i in np.argsort(position, kind="stable").tolist()]
        self.insert_entries(rows)
        return ids

    def entry_rows(self, ids: list[int], chunk: list[Posting], dates: dict) -> list[tuple]:
        """The driver rows of the chunk's entries. Explanations shared by several entries (the same dict, as
        an importer builds them) are encoded once."""
        date = self.date
        texts: dict[int, str] = {}  # id(explanation) -> JSON; the dicts live as long as ``chunk``
        rows = []
        append = rows.append
        for tid, p in zip(ids, chunk, strict=True):
            for account, amount, party, period, due, rule, parameter, expl in p.entries:
                if expl is not None:
                    text = texts.get(id(expl))
                    if text is None:
                        text = texts[id(expl)] = _json(expl)
                    expl = text
                if due is not None:
                    d = dates.get(due)
                    if d is None:
                        d = dates[due] = date(due)
                    due = d
                append((tid, party, account, period, amount, due, rule, parameter, expl))
        return rows

    def date(self, d: dt.date):
        return d

    def timestamp(self, t: dt.datetime):
        return t

    def _signatures(self, rows: Iterable[tuple]) -> dict[str, tuple]:
        """rows: (key, kind, booked_on, description, reference, corrects_key, refers_key, account, party_id,
        period, amount, due_date, rule, parameter, explanation) -> signature per key, as ``signature`` makes."""
        heads: dict[str, tuple] = {}
        entries: dict[str, list] = {}
        for r in rows:
            key = r[0]
            if key not in heads:
                heads[key] = (r[1], _iso(r[2]), r[3], r[4], r[5], r[6])
                entries[key] = []
            if r[7] is not None:
                due = _iso(r[11])
                expl = r[14]
                if isinstance(expl, str):
                    expl = json.loads(expl)
                entries[key].append(entry_signature(Entry(r[7], int(r[10]), r[8], r[9], due, r[12], r[13], expl)))
        return {k: (*heads[k], tuple(sorted(entries[k]))) for k in heads}


def _iso(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


_SIGNATURE_SQL = """
SELECT t.key, t.kind, t.booked_on, t.description, t.reference,
       (SELECT c.key FROM ledger_transaction c WHERE c.id = t.corrects_id),
       (SELECT r.key FROM ledger_transaction r WHERE r.id = t.refers_to_id),
       e.account, e.party_id, e.period, e.amount_cents, e.due_date, e.rule, e.parameter, e.explanation
FROM ledger_transaction t LEFT JOIN ledger_entry e ON e.transaction_id = t.id
"""


class _SqliteWriter(_Writer):
    def date(self, d: dt.date) -> str:
        return d.isoformat()

    def timestamp(self, t: dt.datetime) -> str:
        return t.isoformat(sep=" ")

    def insert_transactions(self, rows: list[tuple]) -> list[int]:
        cur = self.conn.cursor()
        sql = f"INSERT INTO ledger_transaction ({', '.join(TX_COLUMNS)}) VALUES ({', '.join('?' * len(TX_COLUMNS))})"
        if self.checks_once:
            executemany_checked(cur, LedgerTransaction.__table__, sql, rows)
        else:
            cur.executemany(sql, rows)
        last = cur.execute("SELECT last_insert_rowid()").fetchone()[0]
        first = last - len(rows) + 1
        # Under SQLite's single write lock an INTEGER PRIMARY KEY is allocated max+1, row after row: check it.
        got = cur.execute("SELECT id, key FROM ledger_transaction WHERE id IN (?, ?)", (first, last)).fetchall()
        if dict(got) != {first: rows[0][0], last: rows[-1][0]}:
            raise RuntimeError("ledger bulk insert: transaction ids were not consecutive")
        return list(range(first, last + 1))

    def insert_entries(self, rows: list[tuple]) -> None:
        sql = f"INSERT INTO ledger_entry ({', '.join(ENTRY_COLUMNS)}) VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"
        if self.checks_once:
            executemany_checked(self.conn, LedgerEntry.__table__, sql, rows)
        else:
            self.conn.executemany(sql, rows)

    def _with_keys(self, keys: list[str]):
        cur = self.conn.cursor()
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS ledger_bulk_key (key TEXT PRIMARY KEY)")
        cur.execute("DELETE FROM temp.ledger_bulk_key")
        cur.executemany("INSERT OR IGNORE INTO temp.ledger_bulk_key VALUES (?)", ((k,) for k in keys))
        return cur

    def ids_of(self, keys: list[str]) -> dict[str, int]:
        cur = self._with_keys(keys)
        return {k: i for k, i in cur.execute(
            "SELECT t.key, t.id FROM ledger_transaction t JOIN temp.ledger_bulk_key k ON k.key = t.key")}

    def stored_signatures(self, keys: list[str]) -> dict[str, tuple]:
        cur = self._with_keys(keys)
        rows = cur.execute(_SIGNATURE_SQL + " JOIN temp.ledger_bulk_key k ON k.key = t.key ORDER BY t.id, e.id")
        return self._signatures(rows)

    def is_duplicate(self, exc: Exception) -> bool:
        import sqlite3

        return isinstance(exc, sqlite3.IntegrityError) and "ledger_transaction.key" in str(exc)


class _PgWriter(_Writer):
    def insert_transactions(self, rows: list[tuple]) -> list[int]:
        cur = self.conn.cursor()
        ids = serial_ids(cur, "ledger_transaction", len(rows))
        rows = [(i, *row) for i, row in zip(ids, rows, strict=True)]
        if self.checks_once:
            copy_checked(self.conn, LedgerTransaction.__table__, ("id", *TX_COLUMNS), rows, self.known)
            self.known.setdefault("ledger_transaction", set()).update(ids)
        else:
            copy_rows(self.conn, "ledger_transaction", ("id", *TX_COLUMNS), rows)
        return ids

    def insert_entries(self, rows: list[tuple]) -> None:
        if self.checks_once:
            copy_checked(self.conn, LedgerEntry.__table__, ENTRY_COLUMNS, rows, self.known)
        else:
            copy_rows(self.conn, "ledger_entry", ENTRY_COLUMNS, rows)

    def ids_of(self, keys: list[str]) -> dict[str, int]:
        cur = self.conn.cursor()
        cur.execute("SELECT key, id FROM ledger_transaction WHERE key = ANY(%s)", (keys,))
        return dict(cur.fetchall())

    def stored_signatures(self, keys: list[str]) -> dict[str, tuple]:
        cur = self.conn.cursor()
        cur.execute(_SIGNATURE_SQL + " WHERE t.key = ANY(%s) ORDER BY t.id, e.id", (keys,))
        return self._signatures(cur.fetchall())

    def is_duplicate(self, exc: Exception) -> bool:
        import psycopg.errors

        return isinstance(exc, psycopg.errors.UniqueViolation) and "uq_ledger_transaction_key" in str(exc)
