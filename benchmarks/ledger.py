"""Ledger bulk posting versus a raw bulk insert of the same rows, on SQLite and PostgreSQL.

A quarterly-call-shaped batch: N debts, each one transaction of 2 entries (debtor's contribution debit,
fund's income credit) = 3 N rows. Measured in the same run, each on a fresh migrated database:

* ledger  — ``caisse.ledger.post_many`` (validation, idempotency keys, chunk commits, ids);
* raw     — the same rows inserted by the driver alone (sqlite3 ``executemany`` / psycopg ``COPY``),
            into the same tables (same indexes, constraints and triggers), one transaction;
* rerun   — ``post_many`` again on the ledger database: must post nothing.

Usage: PYTHONPATH=src python benchmarks/ledger.py [--n 100000] [--db sqlite,postgresql] [--chunk 50000]
PostgreSQL: a database is created and dropped on postgresql://postgres@127.0.0.1:5432 (override --pg).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid

import psycopg

from caisse.ledger import Entry, Posting, post_many
from caisse.ledger.bulk import ENTRY_COLUMNS, TX_COLUMNS
from caisse.ledger.check import run_check
from caisse.store.db import engine_for, session_scope
from caisse.store.migrate import upgrade
from caisse.store.models import utcnow

BOOKED, DUE = dt.date(2026, 1, 5), dt.date(2026, 3, 31)


def build_postings(n: int) -> list[Posting]:
    rule, param = "RD38 art.12 §1", "minimum@2026-01-01"
    return [
        Posting(f"quarterly-call/2026Q1/{p}", "charge", BOOKED, (
            Entry("contribution", 87171, p, "2026Q1", DUE, rule, param),
            Entry("income", -87171, p, "2026Q1", None, rule, param),
        ))
        for p in range(1, n + 1)
    ]


def raw_rows(postings: list[Posting], sqlite: bool):
    now = utcnow()
    d = (lambda x: x.isoformat()) if sqlite else (lambda x: x)
    ts = now.isoformat(sep=" ") if sqlite else now
    tx = [(i, p.key, p.kind, d(p.booked_on), ts, None, None, None, None) for i, p in enumerate(postings, 1)]
    en = [(i, e.party_id, e.account, e.period, e.amount_cents, None if e.due_date is None else d(e.due_date),
           e.rule, e.parameter, None) for i, p in enumerate(postings, 1) for e in p.entries]
    return tx, en


class SqliteTarget:
    name = "sqlite"

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="caisse-bench-")
        self.n = 0

    def fresh(self) -> str:
        self.n += 1
        url = f"sqlite:///{self.dir}/bench{self.n}.sqlite"
        upgrade(url)
        return url

    def parties(self, url: str, n: int) -> None:
        raw = engine_for(url).raw_connection()
        raw.driver_connection.executemany("INSERT INTO party (id, kind, language) VALUES (?, 'person', 'fr')",
                                          ((i,) for i in range(1, n + 1)))
        raw.driver_connection.commit()
        raw.close()

    def raw_insert(self, url: str, tx, en) -> None:
        raw = engine_for(url).raw_connection()
        conn = raw.driver_connection
        conn.executemany(f"INSERT INTO ledger_transaction (id, {', '.join(TX_COLUMNS)}) VALUES "
                         f"({', '.join('?' * (len(TX_COLUMNS) + 1))})", tx)
        conn.executemany(f"INSERT INTO ledger_entry ({', '.join(ENTRY_COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(ENTRY_COLUMNS))})", en)
        conn.commit()
        raw.close()

    def drop(self) -> None:
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)


class PgTarget:
    name = "postgresql"

    def __init__(self, base: str) -> None:
        self.base = base
        self.dbs: list[str] = []

    def fresh(self) -> str:
        name = f"caisse_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.dbs.append(name)
        url = self.base.rsplit("/", 1)[0] + "/" + name
        upgrade(url)
        return url

    def parties(self, url: str, n: int) -> None:
        raw = engine_for(url).raw_connection()
        with raw.driver_connection.cursor().copy("COPY party (id, kind, language) FROM STDIN") as copy:
            for i in range(1, n + 1):
                copy.write_row((i, "person", "fr"))
        raw.driver_connection.commit()
        raw.close()

    def raw_insert(self, url: str, tx, en) -> None:
        raw = engine_for(url).raw_connection()
        cur = raw.driver_connection.cursor()
        with cur.copy(f"COPY ledger_transaction (id, {', '.join(TX_COLUMNS)}) FROM STDIN") as copy:
            for row in tx:
                copy.write_row(row)
        with cur.copy(f"COPY ledger_entry ({', '.join(ENTRY_COLUMNS)}) FROM STDIN") as copy:
            for row in en:
                copy.write_row(row)
        cur.execute("SELECT setval(pg_get_serial_sequence('ledger_transaction', 'id'), %s)", (len(tx),))
        raw.driver_connection.commit()
        raw.close()

    def drop(self) -> None:
        for name in self.dbs:
            with psycopg.connect(self.base, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench(target, n: int, chunk: int) -> None:
    t0 = time.perf_counter()
    postings = build_postings(n)
    t_build = time.perf_counter() - t0
    rows = 3 * n

    raw_url = target.fresh()
    target.parties(raw_url, n)
    tx, en = raw_rows(postings, target.name == "sqlite")
    t0 = time.perf_counter()
    target.raw_insert(raw_url, tx, en)
    t_raw = time.perf_counter() - t0
    del tx, en
    engine_for(raw_url).dispose()

    url = target.fresh()
    target.parties(url, n)
    t0 = time.perf_counter()
    result = post_many(url, postings, chunk_size=chunk)
    t_ledger = time.perf_counter() - t0
    assert result.posted == n
    t0 = time.perf_counter()
    again = post_many(url, postings, chunk_size=chunk)
    t_rerun = time.perf_counter() - t0
    assert (again.posted, again.skipped) == (0, n)
    t0 = time.perf_counter()
    with session_scope(url) as s:
        report = run_check(s)
    t_check = time.perf_counter() - t0
    assert report.ok, report.breaches
    engine_for(url).dispose()

    print(f"{target.name:<10} n={n:>9,} debts, {rows:,} rows  (building {n:,} Posting objects: {t_build:.2f} s)")
    print(f"  raw insert  {t_raw:7.2f} s  {rows / t_raw:>10,.0f} rows/s")
    print(f"  post_many   {t_ledger:7.2f} s  {rows / t_ledger:>10,.0f} rows/s   ratio {t_ledger / t_raw:.2f}x raw")
    print(f"  rerun       {t_rerun:7.2f} s  (posted 0, skipped {again.skipped:,})")
    print(f"  check       {t_check:7.2f} s  {report.totals.line()}")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--chunk", type=int, default=50_000)
    ap.add_argument("--pg", default=os.environ.get("CAISSE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args()
    for name in args.db.split(","):
        target = SqliteTarget() if name == "sqlite" else PgTarget(args.pg)
        try:
            bench(target, args.n, args.chunk)
        finally:
            target.drop()


if __name__ == "__main__":
    main()
