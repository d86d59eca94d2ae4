"""The quarterly call for a large fund versus a raw bulk insert of the same rows, on SQLite and PostgreSQL; PDFs/s.

For each database, in the same run:

1. a fresh migrated database gets a synthetic fund of N people (``caisse.demo.generator``, reference date
   2026-01-10, so that 2023 incomes are known on 1 January 2026) — not timed;
2. **call**: ``caisse.batches.quarterly_call.run(url, "2026Q1")`` — the whole batch: reading every affiliation,
   the rules (vectorised), the ledger postings (``post_many``), the notice records, the batch record — timed;
3. **raw**: the rows the call wrote (ledger transactions, entries, notices), read back, then inserted by the driver
   alone (sqlite3 ``executemany`` / psycopg ``COPY``) into another fresh migrated database holding only the
   parties (foreign keys), same tables, indexes and triggers, one transaction — timed; ratio = call / raw;
   and **raw'**: the same with the constraints verified once per table, as the call's own inserts do
   (``store.bulk``: SQLite's CHECKs, PostgreSQL's foreign keys) instead of row by row — the stricter floor,
   ratio call / raw';
4. **rerun**: the finished batch again (must post nothing);
5. **PDFs**: ``--pdfs`` due notices rendered one by one (separate one-page PDFs, one process): notices per second
   of wall time and of CPU time, reading and drawing apart, standard fonts apart from DejaVu.

Figures and the load they were measured under: docs/batches.md, "Figures".

Usage: PYTHONPATH=src python benchmarks/quarterly_call.py [--n 100000] [--db sqlite,postgresql] [--pdfs 500]
PostgreSQL: databases are created and dropped on postgresql://postgres@127.0.0.1:5432 (override with --pg).
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
from sqlalchemy import select, text

from caisse.batches import quarterly_call
from caisse.batches.framework import NOTICE_COLUMNS
from caisse.batches.models import Notice
from caisse.demo.generator import PARTY_COLS, generate, load
from caisse.ledger.bulk import ENTRY_COLUMNS, TX_COLUMNS
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.store import bulk
from caisse.store.db import engine_for, session_scope
from caisse.store.migrate import upgrade
from caisse.store.models import Party


class Target:
    def __init__(self, kind: str, pg: str, workdir: str):
        self.kind, self.pg, self.workdir, self.made = kind, pg, workdir, []

    def new(self) -> str:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        if self.kind == "sqlite":
            url = f"sqlite:///{os.path.join(self.workdir, name)}.sqlite"
        else:
            with psycopg.connect(self.pg + "/postgres", autocommit=True) as conn:
                conn.execute(f'create database "{name}"')
            url = f"{self.pg}/{name}"
        self.made.append((name, url))
        upgrade(url)
        return url

    def existing(self, name: str) -> str:
        """A PostgreSQL database kept by an earlier run (``--keep``), migrated to the head; never dropped here."""
        url = f"{self.pg}/{name}"
        upgrade(url)
        return url

    def cleanup(self) -> None:
        for name, url in self.made:
            engine_for(url).dispose()
            if self.kind == "postgresql":
                with psycopg.connect(self.pg + "/postgres", autocommit=True) as conn:
                    conn.execute(f'drop database if exists "{name}" with (force)')


def read_back(url: str) -> tuple[list, list, list]:
    with engine_for(url).connect() as conn:
        tx = conn.execute(text(f"SELECT id, {', '.join(TX_COLUMNS)} FROM ledger_transaction ORDER BY id")).all()
        en = conn.execute(text(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM ledger_entry ORDER BY id")).all()
        no = conn.execute(text(f"SELECT {', '.join(NOTICE_COLUMNS)} FROM notice ORDER BY id")).all()
    import json

    # the explanation as the JSON text the database holds (PostgreSQL hands back a dict)
    en = [(*r[:-1], json.dumps(r[-1]) if isinstance(r[-1], dict) else r[-1]) for r in en]
    return [tuple(r) for r in tx], en, [tuple(r) for r in no]


TABLES = ((LedgerTransaction.__table__, ("id", *TX_COLUMNS)), (LedgerEntry.__table__, ENTRY_COLUMNS),
          (Notice.__table__, NOTICE_COLUMNS))


def raw_insert(kind: str, url: str, tx: list, en: list, no: list, *, checks_once: bool = False) -> float:
    """The rows inserted by the driver alone, one transaction. ``checks_once``: the constraints verified once
    per table for all its rows, as the call's own inserts do (``store.bulk``) — SQLite: the CHECKs by one statement
    (``executemany_checked``; row by row SQLite rebuilds the ``IN (...)`` list of a CHECK for every row);
    PostgreSQL: the foreign keys by one ``SELECT … FOR KEY SHARE`` (``copy_checked``) instead of a trigger per
    row."""
    engine = engine_for(url)
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        start = time.perf_counter()
        if kind == "sqlite":
            for (table, cols), rows in zip(TABLES, (tx, en, no), strict=True):
                sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                if checks_once:
                    bulk.executemany_checked(conn, table, sql, rows)
                else:
                    conn.executemany(sql, rows)
        else:
            known: dict[str, set] = {"ledger_transaction": {r[0] for r in tx}}  # inserted by this transaction
            for (table, cols), rows in zip(TABLES, (tx, en, no), strict=True):
                if checks_once:
                    bulk.copy_checked(conn, table, cols, rows, known)
                else:
                    bulk.copy_rows(conn, table.name, cols, rows)
        conn.commit()
        return time.perf_counter() - start
    finally:
        raw.close()


def pdf_figures(url: str, count: int) -> None:
    """``count`` due notices rendered one by one (separate one-page PDFs, one process): notices per second of wall
    time (what the shared machine gave) and of CPU time (this process's, steadier under load), split into reading
    a notice's data and drawing it, the standard fonts apart from DejaVu (a name or address they cannot print)."""
    from caisse.documents.fonts import STANDARD, fonts_for
    from caisse.documents.notices import notice_document, notice_pdf, render

    with session_scope(url) as s:
        ids = list(s.scalars(select(Notice.id).order_by(Notice.id).limit(count)))
        warm: dict[bool, int] = {}  # one notice of each font drawn first: fonts registered, parameters loaded
        for i in ids:
            warm.setdefault(fonts_for(notice_document(s, i)) == STANDARD, i)
            if len(warm) == 2:
                break
        for i in warm.values():
            notice_pdf(s, i)
        read = {True: 0.0, False: 0.0}
        draw = {True: 0.0, False: 0.0}
        many = {True: 0, False: 0}
        size = 0
        wall, cpu = time.perf_counter(), time.process_time()
        for i in ids:
            c0 = time.process_time()
            doc = notice_document(s, i)
            c1 = time.process_time()
            size += len(render(doc))
            c2 = time.process_time()
            standard = fonts_for(doc) == STANDARD
            read[standard] += c1 - c0
            draw[standard] += c2 - c1
            many[standard] += 1
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = len(ids)
    print(f"  pdfs      {wall:8.2f} s  {n:,} separate one-page notices, {n / wall:,.0f} per second of wall time, "
          f"{n / cpu:,.0f} per second of CPU time ({cpu / n * 1000:.1f} ms each, {size / n / 1024:.0f} KB)")
    for standard, label in ((True, "standard fonts"), (False, "DejaVu")):
        if many[standard]:
            k = many[standard]
            each = (read[standard] + draw[standard]) / k
            print(f"    {label:<15} {k:5,} notices: read {read[standard] / k * 1000:.1f} ms + draw "
                  f"{draw[standard] / k * 1000:.1f} ms CPU each = {1 / each:,.0f} per second of CPU time", flush=True)


def parties_only(target: Target, fund) -> str:
    """Another fresh migrated database holding only the fund's parties (the rows' foreign keys)."""
    url = target.new()
    with engine_for(url).begin() as conn:
        bulk.insert_rows(conn, Party.__table__, PARTY_COLS, fund.rows["party"])
    return url


def bench(kind: str, n: int, pdfs: int, pg: str, workdir: str) -> None:
    target = Target(kind, pg, workdir)
    try:
        t0 = time.perf_counter()
        fund = generate(affiliates=n, companies=0, seed=7, as_of=dt.date(2026, 1, 10))
        url = target.new()
        with engine_for(url).begin() as conn:
            load(conn, fund)
        print(f"{kind:<10} n={n:>10,} people (fund generated and loaded in {time.perf_counter() - t0:.1f} s, "
              "not timed)", flush=True)
        start = time.perf_counter()
        summary = quarterly_call.run(url, "2026Q1", fee_rate="0.0405")
        call = time.perf_counter() - start
        tx, en, no = read_back(url)
        rows = len(tx) + len(en) + len(no)
        raw = raw_insert(kind, parties_only(target, fund), tx, en, no)
        raw_once = raw_insert(kind, parties_only(target, fund), tx, en, no, checks_once=True)
        print(f"  call      {call:8.2f} s  {summary.debtors:,} debtors, {summary.notices:,} notices, "
              f"{summary.skipped_total:,} skipped, {summary.exempt:,} exempt; {rows:,} rows "
              f"({len(tx):,} transactions, {len(en):,} entries, {len(no):,} notices)")
        print(f"  raw       {raw:8.2f} s  {rows / raw:,.0f} rows/s   ratio call/raw = {call / raw:.2f}x")
        print(f"  raw'      {raw_once:8.2f} s  {rows / raw_once:,.0f} rows/s   ratio call/raw' = "
              f"{call / raw_once:.2f}x  (constraints verified once per table, as the call does)")
        start = time.perf_counter()
        again = quarterly_call.run(url, "2026Q1")
        print(f"  rerun     {time.perf_counter() - start:8.2f} s  finished before: {again.finished_before}")
        if pdfs:
            pdf_figures(url, pdfs)
    finally:
        target.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--pdfs", type=int, default=500)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="caisse-bench-") as workdir:
        for kind in args.db.split(","):
            bench(kind.strip(), args.n, args.pdfs, args.pg, workdir)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
