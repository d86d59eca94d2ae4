"""Small driver-level helpers for set-based writes inside one transaction (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import Connection, text

from caisse.store.bulk import serial_ids

CHUNK = 900  # bound parameters per IN (...) list: safe on every SQLite build


def begin_write(conn: Connection, lock_name: str) -> None:
    """Serialise writers of the same kind from the first statement of the transaction on: SQLite takes its
    write lock now (``BEGIN IMMEDIATE``: a later read-then-write cannot fail on a stale snapshot), PostgreSQL
    an advisory lock held until commit. What is read afterwards is what the writer builds on."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": lock_name})
        return
    raw = conn.connection.driver_connection
    # A bank file of 100 000 lines touches ~800 000 rows and their indexes in one transaction: keep the
    # B-tree pages in memory (256 MiB at most, for this connection) instead of spilling them mid-transaction.
    raw.execute("PRAGMA cache_size = -262144")
    if not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")


def next_ids(conn: Connection, table: str, n: int) -> list[int]:
    """``n`` fresh primary keys for ``table`` (call after ``begin_write``: SQLite allocates under its lock)."""
    if n == 0:
        return []
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur:
            return serial_ids(cur, table, n)
    first = raw.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"').fetchone()[0]
    return list(range(first, first + n))


def chunks(values: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def select_in(conn: Connection, sql: str, values: Iterable) -> list[tuple]:
    """Run ``sql`` (with one ``{in}`` placeholder for a list of values) for all ``values``; all rows.

    A short list is bound value by value (in chunks); a long one (a bank file's 100 000 debtors) goes as one
    parameter — a JSON array unpacked by ``json_each`` on SQLite, an array unnested on PostgreSQL — so it is
    one query instead of hundreds."""
    values = list(dict.fromkeys(v for v in values if v is not None))
    out: list[tuple] = []
    raw = conn.connection.driver_connection
    pg = conn.dialect.name == "postgresql"
    if len(values) > CHUNK and len({type(v) for v in values}) == 1 and type(values[0]) in (int, str):
        if pg:
            with raw.cursor() as cur:
                array = "bigint[]" if type(values[0]) is int else "text[]"
                cur.execute(sql.format(**{"in": f"SELECT unnest(%s::{array})"}), [values])
                return cur.fetchall()
        return raw.execute(sql.format(**{"in": "SELECT value FROM json_each(?)"}), [json.dumps(values)]).fetchall()
    for part in chunks(values):
        marks = ", ".join(["%s" if pg else "?"] * len(part))
        if pg:
            with raw.cursor() as cur:
                cur.execute(sql.format(**{"in": marks}), list(part))
                out.extend(cur.fetchall())
        else:
            out.extend(raw.execute(sql.format(**{"in": marks}), list(part)).fetchall())
    return out


def adapt(conn: Connection):
    """Value converters for driver-level inserts: (date, datetime, bool, json) for this dialect."""
    if conn.dialect.name == "postgresql":
        return (lambda d: d), (lambda t: t), (lambda b: b), (lambda v: None if v is None else json.dumps(v))

    def date(d: dt.date | None):
        return None if d is None else d.isoformat()

    def stamp(t: dt.datetime | None):
        return None if t is None else t.isoformat(sep=" ")

    return date, stamp, (lambda b: None if b is None else int(b)), (lambda v: None if v is None else json.dumps(v))
