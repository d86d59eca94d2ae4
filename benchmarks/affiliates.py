"""Create N affiliates (people + companies with addresses, accounts, affiliations, categories, incomes)
on SQLite and PostgreSQL and report rows/s.

    python benchmarks/affiliates.py                 # N = 100 000 and 1 000 000
    python benchmarks/affiliates.py --sizes 100000  # one size
    CAISSE_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres python benchmarks/affiliates.py

Each run builds into a fresh database (a temp SQLite file; a throwaway PostgreSQL database that is dropped
afterwards). Generation (pure Python) and loading (bulk executemany / COPY) are timed separately.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from caisse.demo.generator import generate, load
from caisse.store.db import engine_for
from caisse.store.migrate import upgrade

PG = os.environ.get("CAISSE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def bench(url: str, fund, label: str) -> None:
    upgrade(url)
    engine = engine_for(url)
    rows = sum(len(r) for r in fund.rows.values())
    t = time.perf_counter()
    with engine.begin() as conn:
        load(conn, fund)
    elapsed = time.perf_counter() - t
    print(f"  {label:<11} load {elapsed:7.2f} s   {rows / elapsed:12,.0f} rows/s   "
          f"{len(fund.rows['person']) / elapsed:10,.0f} affiliates/s")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    for n in args.sizes:
        t = time.perf_counter()
        fund = generate(n, seed=1, as_of=dt.date(2026, 11, 24))
        gen = time.perf_counter() - t
        rows = sum(len(r) for r in fund.rows.values())
        print(f"N = {n:,} affiliates ({len(fund.rows['company']):,} companies, {rows:,} rows in "
              f"{len(fund.rows)} tables); generation {gen:.2f} s")
        with tempfile.TemporaryDirectory() as tmp:
            bench(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", fund, "SQLite")
        if args.no_postgres:
            continue
        name = f"caisse_bench_{uuid.uuid4().hex[:8]}"
        try:
            with psycopg.connect(PG, autocommit=True) as conn:
                conn.execute(f'create database "{name}"')
        except psycopg.OperationalError as exc:
            print(f"  PostgreSQL  skipped: {exc}".splitlines()[0], file=sys.stderr)
            continue
        try:
            bench(PG.rsplit("/", 1)[0] + "/" + name, fund, "PostgreSQL")
        finally:
            with psycopg.connect(PG, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{name}" with (force)')


if __name__ == "__main__":
    main()
