"""The yearly tax-certificate run for a large fund, on SQLite and PostgreSQL: certificates per second, and PDFs.

For each database:

1. a fresh migrated database gets a synthetic fund of N people (``caisse.demo.generator``), the four quarterly
   calls of 2025, and a year of money: every debtor pays some of his quarters (one payment and its imputation per
   quarter paid, ~85 % of the quarters, a few in January 2026), posted with the ledger's ``post_many`` — not timed;
2. **run**: ``caisse.reporting.tax_certificates.run(url, 2025)`` — the one aggregation over the year's
   imputations, the certificates recorded in chunks, the batch record — timed, certificates per second;
3. **rerun**: the finished batch again (must write nothing);
4. **PDFs** (``--pdfs M``, 0 to skip): the first M recorded certificates rendered to files on one core, per second
   (the time includes reading every certificate of the year);
   then ``--jobs J`` (default 2) processes rendering all the certificates (``write_pdfs``), per second;
5. **reports**: each ``caisse report`` (collection, arrears-ageing, affiliates) as of 2025-12-31 on the same fund.

Usage: PYTHONPATH=src python benchmarks/tax_certificates.py [--n 300000] [--db sqlite,postgresql] [--pdfs 500]
           [--jobs 2] [--reuse NAME]
``--reuse NAME``: a PostgreSQL fund kept by ``benchmarks/home_page.py --keep`` (the fund of ``reports.build``: the
same calls and payments, plus companies, cases, plans, claims), measured without building.
PostgreSQL: databases are created and dropped on postgresql://postgres@127.0.0.1:5432 (override with --pg).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time

from sqlalchemy import text

from caisse.batches import quarterly_call
from caisse.demo.generator import generate, load
from caisse.ledger import Entry, imputation_posting, payment_posting, post_many
from caisse.reporting import tax_certificates as tc
from caisse.store.db import engine_for

sys.path.insert(0, os.path.dirname(__file__))
from quarterly_call import Target  # noqa: E402

QUARTERS = ("2025Q1", "2025Q2", "2025Q3", "2025Q4")


def pay(url: str, seed: int = 7) -> int:
    """One payment + its imputation per quarter paid (not every quarter is paid). Returns transactions posted."""
    rng = random.Random(seed)
    with engine_for(url).connect() as conn:
        rows = conn.execute(text(
            "SELECT party_id, period, account, SUM(amount_cents) FROM ledger_entry "
            "WHERE account IN ('contribution', 'management_fee') AND period LIKE '2025Q%' "
            "GROUP BY party_id, period, account ORDER BY party_id, period, account")).all()
    items: dict[tuple[int, str], list[tuple[str, int]]] = {}
    for party, period, account, cents in rows:
        items.setdefault((party, period), []).append((account, int(cents)))
    postings = []
    for (party, period), lines in items.items():
        if rng.random() < 0.15:  # left unpaid
            continue
        q = int(period[-1])
        late = rng.random() < 0.05
        day = dt.date(2026, 1, 15) if late and q == 4 else dt.date(2025, 3 * q, 20)
        total = sum(c for _a, c in lines)
        key = f"bench/{party}/{period}"
        postings.append(payment_posting(key, day, total, party))
        entries = [Entry(a, -c, party, period, None, "bench", "bench") for a, c in lines]
        entries.append(Entry("credit", total, party, None, None, "bench", "bench"))
        postings.append(imputation_posting(f"{key}/imputation", day, entries, None))
    post_many(url, postings, chunk_size=50_000)
    return len(postings)


def paid_year(target: Target, kind: str, n: int, reuse: str | None) -> str:
    """Step 1 (not timed): a new database with N people, the calls of 2025 and a year of payments — or, with
    ``reuse``, a PostgreSQL fund kept by ``home_page.py --keep``. Prints what it holds; returns its URL."""
    t0 = time.perf_counter()
    if reuse:
        from reports import fund_size

        url = target.existing(reuse)
        print(f"{kind:<10} reusing {reuse}: {fund_size(url)}", flush=True)
        return url
    fund = generate(affiliates=n, companies=0, seed=7, as_of=dt.date(2025, 1, 10))
    url = target.new()
    with engine_for(url).begin() as conn:
        load(conn, fund)
    for quarter in QUARTERS:
        quarterly_call.run(url, quarter, fee_rate="0.0405")
    posted = pay(url)
    print(f"{kind:<10} n={n:>9,} people; calls of 2025 and {posted:,} payment/imputation transactions made "
          f"in {time.perf_counter() - t0:.1f} s (not timed)", flush=True)
    return url


def bench(kind: str, n: int, pdfs: int, pg: str, workdir: str, jobs: int = 2, reuse: str | None = None) -> None:
    target = Target(kind, pg, workdir)
    try:
        url = paid_year(target, kind, n, reuse)
        from caisse.store.db import session_scope

        start = time.perf_counter()
        with session_scope(url) as s:
            found = len(tc.compute(s, 2025))
        print(f"  aggregate {time.perf_counter() - start:8.2f} s  {found:,} certificates computed (the SELECT and "
              "the shaping alone, nothing written)", flush=True)
        start = time.perf_counter()
        summary = tc.run(url, 2025, today=dt.date(2026, 1, 31))
        took = time.perf_counter() - start
        print(f"  run       {took:8.2f} s  {summary.debtors:,} certificates, {summary.debtors / took:,.0f} "
              f"certificates/s (deductible total {summary.amount_cents / 100:,.2f} EUR)", flush=True)
        start = time.perf_counter()
        again = tc.run(url, 2025, today=dt.date(2026, 1, 31))
        print(f"  rerun     {time.perf_counter() - start:8.2f} s  finished before: {again.finished_before}")
        if pdfs:
            from caisse.documents.tax_certificate import addresses, render_certificate

            out = os.path.join(workdir, f"pdf-{kind}")
            os.makedirs(out, exist_ok=True)
            start = time.perf_counter()
            with session_scope(url) as s:
                certs = tc.stored(s, 2025)[:pdfs]
                who = addresses(s, [c.party_id for c in certs])
            size = 0
            for cert in certs:
                data = render_certificate(cert, who.get(cert.party_id), dt.date(2026, 1, 31))
                size += len(data)
                with open(os.path.join(out, f"{cert.party_id}.pdf"), "wb") as fh:
                    fh.write(data)
            took = time.perf_counter() - start
            print(f"  pdfs      {took:8.2f} s  {len(certs):,} one-page certificates, {len(certs) / took:,.0f} per "
                  f"second on one core, reading all the year's certificates included "
                  f"({size / max(len(certs), 1) / 1024:.0f} KB each)", flush=True)
            start = time.perf_counter()
            n_all = tc.write_pdfs(url, 2025, os.path.join(workdir, f"all-{kind}"), today=dt.date(2026, 1, 31),
                                  jobs=jobs)
            took = time.perf_counter() - start
            print(f"  all pdfs  {took:8.2f} s  {n_all:,} certificates read and rendered by {jobs} processes, "
                  f"{n_all / took:,.0f} per second", flush=True)
        from caisse.reporting.reports import REPORTS, build

        for name in REPORTS:
            start = time.perf_counter()
            with session_scope(url) as s:
                rows = len(build(s, name, dt.date(2025, 12, 31)).rows)
            print(f"  report    {time.perf_counter() - start:8.2f} s  {name} ({rows} rows)", flush=True)
    finally:
        target.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300_000)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--pdfs", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--reuse", metavar="NAME", help="PostgreSQL only: a database kept by benchmarks/home_page.py "
                    "--keep, measured without building (its tax certificates of 2025 must not be made yet)")
    args = ap.parse_args()
    if args.reuse:
        args.db = "postgresql"
    with tempfile.TemporaryDirectory(prefix="caisse-bench-") as workdir:
        for kind in args.db.split(","):
            bench(kind.strip(), args.n, args.pdfs, args.pg, workdir, args.jobs, args.reuse)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
