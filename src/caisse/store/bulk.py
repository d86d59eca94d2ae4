"""Bulk loading for batches, imports and the demo: driver-level ``executemany`` on SQLite, ``COPY`` on
PostgreSQL (dependencies.md §7: 5–6× faster than ORM or dict-based inserts)."""

from __future__ import annotations

import gc
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import CheckConstraint, Connection, Engine, Table

log = logging.getLogger(__name__)


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence], *,
                checks_once: bool = False, known: dict[str, set] | None = None) -> None:
    """Insert tuples (in ``columns`` order) into ``table`` inside the caller's transaction.

    ``checks_once``: the constraints the database would check row by row are verified once for all the inserted
    rows, by one statement each — the same rows are refused, much faster: on SQLite the CHECK constraints
    (``executemany_checked``), on PostgreSQL the foreign keys (``copy_checked``; ``known``: see there)."""
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        if checks_once:
            copy_checked(raw, table, columns, rows, known)
        else:
            copy_rows(raw, table.name, columns, rows)
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})'
    if checks_once:
        executemany_checked(raw, table, sql, rows, list(columns).index("id") if "id" in columns else None)
        return
    cur = raw.cursor()
    cur.executemany(sql, rows)
    cur.close()


def copy_rows(raw, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """PostgreSQL ``COPY`` of tuples into ``table`` (``raw``: the psycopg connection), in the caller's transaction."""
    cols = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def copy_checked(raw, table: Table, columns: Sequence[str], rows: Iterable[Sequence],
                 known: dict[str, set] | None = None) -> None:
    """PostgreSQL ``COPY`` into ``table`` whose foreign keys are verified once for all the rows, by one statement
    per constraint, instead of by PostgreSQL's trigger per row and constraint — in the caller's transaction; a
    row naming a missing row raises ``psycopg.errors.ForeignKeyViolation`` naming the constraint and the value
    (the caller rolls back, as for a row the trigger refuses).

    Why: each foreign-key check is a small query the server plans and runs for every row (the import of a bank
    file of 100 000 movements checks ~960 000 references: 4–5 s of server time, nearly half of it). The
    statement ``SELECT … FOR KEY SHARE`` on the distinct values checks what the triggers check and takes the
    locks they take (the row referenced cannot be deleted, nor its key changed, until the caller commits).

    The triggers are set aside for the ``COPY`` alone with ``SET LOCAL session_replication_role = replica``, which
    PostgreSQL allows to a superuser or a role granted ``SET`` on that parameter (PostgreSQL ≥ 15); for any other
    role, or a table with another trigger on insert or a foreign key of several columns, the rows go in with
    their triggers, as before. ``known``: per referenced table, ids this very transaction inserted (nobody else
    sees them: they can be neither missing nor deleted) or already verified; the ids verified are added."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return
    known = known if known is not None else {}
    with _reference_triggers_off(raw, table.name, columns) as checks:
        copy_rows(raw, table.name, columns, rows)
    if not checks:
        return
    with raw.cursor() as cur:
        for name, column, target, target_column, type_ in checks:
            i = list(columns).index(column)
            done = known.setdefault(target, set())
            wanted = {r[i] for r in rows}
            wanted.discard(None)
            wanted -= done
            if not wanted:
                continue
            cur.execute(f'SELECT "{target_column}" FROM ONLY "{target}" WHERE "{target_column}" = ANY(%s::{type_}[]) '
                        f"FOR KEY SHARE", (sorted(wanted),))
            found = {r[0] for r in cur.fetchall()}
            missing = wanted - found
            if missing:
                import psycopg.errors

                raise psycopg.errors.ForeignKeyViolation(
                    f'insert or update on table "{table.name}" violates foreign key constraint "{name}": '
                    f'Key ({column})=({min(missing)}) is not present in table "{target}".')
            done |= wanted


_CHECKABLE = ("integer", "bigint", "smallint", "text", "character varying")


@contextmanager
def _reference_triggers_off(raw, table: str, columns: Sequence[str]) -> Iterator[list[tuple] | None]:
    """The foreign keys of ``table`` the caller verifies itself (constraint, column, referenced table and column,
    type), with the row triggers off until the block ends; None (triggers on) when that cannot be done. A caller
    that already set the triggers aside (``replica``) gets its rows verified all the same."""
    import psycopg

    with raw.cursor() as cur:
        cur.execute(
            "SELECT c.conname, a.attname, t.relname, ta.attname, format_type(ta.atttypid, NULL), "
            "array_length(c.conkey, 1), a.atthasdef "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute ta ON ta.attrelid = c.confrelid AND ta.attnum = c.confkey[1] "
            "WHERE c.conrelid = %s::regclass AND c.contype = 'f' ORDER BY c.conname", (f'"{table}"',))
        found = cur.fetchall()
        cur.execute("SELECT current_setting('session_replication_role'), NOT EXISTS (SELECT 1 FROM pg_trigger "
                    "WHERE tgrelid = %s::regclass AND (tgtype & 4) <> 0 "
                    "AND tgfoid <> '\"RI_FKey_check_ins\"'::regproc)", (f'"{table}"',))
        role, only_references = cur.fetchone()
        checkable = all(width == 1 and (column in columns or not default) and type_.split("(")[0] in _CHECKABLE
                        for _n, column, _t, _c, type_, width, default in found)
        checks = [(n, column, t, c, type_) for n, column, t, c, type_, _w, _d in found if column in columns]
        if role == "replica":  # set aside by the caller already: verified here, left as it is
            switched = False
        elif role == "origin" and only_references and checkable and checks:
            cur.execute("SAVEPOINT caisse_copy_checked")
            try:
                cur.execute("SET LOCAL session_replication_role = replica")
                switched = True
            except psycopg.errors.InsufficientPrivilege:
                cur.execute("ROLLBACK TO SAVEPOINT caisse_copy_checked")
                switched = False
            cur.execute("RELEASE SAVEPOINT caisse_copy_checked")
            if not switched:
                checks = []
        else:
            checks = []
    if not (checks and checkable):
        yield None
        return
    try:
        yield checks
    finally:
        if switched and raw.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
            raw.execute("SET LOCAL session_replication_role = origin")


def serial_ids(cur, table: str, n: int) -> list[int]:
    """PostgreSQL: ``n`` fresh ids from the serial sequence of ``table``'s ``id`` (``cur``: a psycopg cursor), drawn
    with ``nextval`` one by one, so safe beside other writers. The sequence is looked up once: written
    ``nextval(pg_get_serial_sequence(...))``, that look-up is a STABLE function PostgreSQL evaluates again for
    every row of the series (1 s of server time for a bank file's 163 000 ledger transactions, 0.08 s this way)."""
    if n <= 0:
        return []
    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')::regclass::oid", (f'"{table}"',))
    seq = cur.fetchone()[0]
    cur.execute("SELECT nextval(%s::oid::regclass) FROM generate_series(1, %s)", (seq, n))
    return [r[0] for r in cur.fetchall()]


def lz4_for_large_values(conn: Connection) -> None:
    """PostgreSQL, for the rest of the caller's transaction: large values (a bank file's bytes, tens of MB) are
    compressed with lz4 instead of the default pglz when the server has it — the same bytes read back, for a
    third of the CPU (a 38 MB CODA file: 1.5–1.9 s with pglz, 0.5–1.3 s with lz4, stored in 6.4 MB instead of
    5.0 MB). A server without lz4 keeps pglz."""
    if conn.dialect.name != "postgresql":
        return
    has = conn.exec_driver_sql("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                               "WHERE name = 'default_toast_compression'").scalar()
    if has:
        conn.exec_driver_sql("SET LOCAL default_toast_compression = lz4")


def large_query(conn: Connection, work_mem: str = "64MB") -> None:
    """PostgreSQL, for the rest of the caller's transaction (SET LOCAL): settings for a statement over millions of
    rows (a first career file aggregates the whole contribution ledger). ``work_mem``: the sorts and hashes of the
    aggregate stay in memory instead of spilling (the default 4MB split the hash join in 32 batches). ``jit`` off:
    the plan's cost makes PostgreSQL compile and optimise its expressions, 4 s before the first row, more than
    they then gain."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL work_mem = '{work_mem}'")
        conn.exec_driver_sql("SET LOCAL jit = off")


def stream_rows(conn: Connection, stmt, size: int) -> Iterator[Sequence[Sequence]]:
    """The rows of the SELECT ``stmt``, ``size`` at a time, as the driver gives them (tuples).

    On PostgreSQL the statement runs in a server-side cursor of the caller's transaction, read by the driver
    itself: a first career file streams a million rows, and building a SQLAlchemy row (and mapping) for each was a
    quarter of its time. Elsewhere (SQLite, small funds) SQLAlchemy's rows, which index and unpack alike."""
    if conn.dialect.name != "postgresql":
        yield from conn.execute(stmt).partitions(size)
        return
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    raw = conn.connection.driver_connection
    with raw.cursor(name=f"caisse_stream_{id(stmt):x}") as cur:
        cur.itersize = size
        cur.execute(str(compiled), compiled.params)
        while rows := cur.fetchmany(size):
            yield rows


@lru_cache(maxsize=64)
def _violations_sql(table: Table) -> str | None:
    """One SELECT finding the first row (from a rowid on) that breaks one of ``table``'s CHECK constraints, and
    which: a CHECK fails when its expression is false (not when it is NULL), so ``NOT (expr)`` selects exactly
    the rows SQLite would have refused."""
    checks = [c for c in table.constraints if isinstance(c, CheckConstraint)]
    if not checks:
        return None
    which = " ".join(f"WHEN NOT ({c.sqltext}) THEN '{c.name}'" for c in checks)
    where = " OR ".join(f"NOT ({c.sqltext})" for c in checks)
    return f'SELECT rowid, CASE {which} END FROM "{table.name}" WHERE rowid >= ? AND ({where}) LIMIT 1'


def executemany_checked(raw: sqlite3.Connection, table: Table, sql: str, rows: Iterable[Sequence],
                        id_index: int | None = None) -> None:
    """SQLite ``executemany`` of an INSERT into ``table`` whose CHECK constraints are verified once for all the
    rows instead of row by row, inside the caller's transaction; a violation raises ``sqlite3.IntegrityError``
    naming the constraint (the caller rolls back, as for a row refused by the database).

    Why: SQLite evaluates a CHECK with an ``IN (...)`` list of constants (``account in ('contribution', ...)``)
    by building a temporary index of the list on every execution of the statement — once per row with
    ``executemany``: on ``ledger_entry`` that costs three times the insert itself. One verification statement
    builds it once. ``id_index``: position of an explicit ``id`` in the rows (verified from the lowest one on)."""
    check = _violations_sql(table)
    if check is None:
        raw.executemany(sql, rows)
        return
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return
    first = raw.execute(f'SELECT COALESCE(MAX(rowid), 0) + 1 FROM "{table.name}"').fetchone()[0]
    if id_index is not None:
        first = min(first, min(r[id_index] for r in rows))
    # A flag pragma expires the connection's prepared statements: none keeps the setting it was compiled with.
    raw.execute("PRAGMA ignore_check_constraints = ON")
    try:
        raw.executemany(sql, rows)
    finally:
        raw.execute("PRAGMA ignore_check_constraints = OFF")
    bad = raw.execute(check, (first,)).fetchone()
    if bad is not None:
        raise sqlite3.IntegrityError(f"CHECK constraint failed: {bad[1]} ({table.name} row {bad[0]})")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused during a bulk load, then restored as it was. A bank file of
    100 000 movements allocates millions of small objects (records, lines, postings, rows) that reference
    counting frees anyway; each automatic full collection would walk all that are alive, again and again as
    they grow — a third of the import's time. Nothing is leaked: what is cyclic is collected once resumed."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_checkpoints: set[threading.Thread] = set()


@contextmanager
def checkpoint_after(engine: Engine) -> Iterator[Connection]:
    """A connection for one large write transaction whose commit does not wait for SQLite's checkpoint.

    In WAL mode the connection that commits past 1 000 pages of log copies them into the database file on the
    way (its automatic checkpoint): for a bank file of 100 000 movements ~1 s of the import's commit, spent
    after the data is safely in the log. Here the automatic checkpoint is off for this transaction only, and a
    passive checkpoint runs right after the commit in a thread of its own — SQLite does that work without
    Python's lock, on the other core while the caller goes on. A passive checkpoint blocks no reader or writer;
    one interrupted (the process ends) is taken up by the next. PostgreSQL: a plain connection."""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            yield conn
            return
        raw = conn.connection.driver_connection
        was = int(raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        raw.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield conn
        finally:
            raw.execute(f"PRAGMA wal_autocheckpoint = {was}")
    if was > 0:  # the database's own choice of no automatic checkpoint is kept
        thread = threading.Thread(target=_checkpoint, args=(engine,), name="sqlite-checkpoint", daemon=True)
        _checkpoints.add(thread)
        thread.start()


def _checkpoint(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except Exception:  # noqa: BLE001 - housekeeping: the next checkpoint does the same work
        log.warning("the checkpoint after a large write did not run; the next one will do it", exc_info=True)
    finally:
        _checkpoints.discard(threading.current_thread())


def wait_for_checkpoints(timeout: float | None = None) -> None:
    """Wait for the checkpoints ``checkpoint_after`` started (a test, a benchmark, before copying the file)."""
    for thread in list(_checkpoints):
        thread.join(timeout)


def reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """After inserting explicit ids on PostgreSQL, move each serial sequence past the highest id."""
    if conn.dialect.name != "postgresql":
        return
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        for table in tables:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)")
