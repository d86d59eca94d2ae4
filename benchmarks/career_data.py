"""Career data (INASTI) and contributions paid (mutualities) for a large fund, on SQLite and PostgreSQL: records/s.

For each database:

1. a fresh migrated database gets a synthetic fund of N people (``caisse.demo.generator``), the four quarterly
   calls of 2025 and a year of payments (``tax_certificates.pay``: ~85 % of the quarters paid, a few in January
   2026) — not timed;
2. **state query**: ``quarter_states`` as of 2025-12-31 alone (the SELECT, every row fetched);
3. **first career file** as of 2025-12-31: every (person, quarter) is new — the diff against what was sent (nothing),
   the file written and hashed, every record recorded — timed, records per second;
4. **rerun** the same date: the recorded file given back (rebuilt from its records, checksum checked);
5. **corrections**: the January 2026 payments are booked, a file as of 2026-01-31 carries only the quarters whose
   state changed — timed: the full comparison of every subject with its last record, per second of subjects;
6. **mutuality file** as of 2025-12-31 (its own tracking, so all new).

Usage: PYTHONPATH=src python benchmarks/career_data.py [--n 20000] [--db sqlite,postgresql] [--reuse NAME]
``--reuse NAME``: a PostgreSQL fund kept by ``benchmarks/home_page.py --keep``, measured without building.
PostgreSQL: databases are created and dropped on postgresql://postgres@127.0.0.1:5432 (override with --pg); skipped
when it cannot be reached.

Figures, 2026-12-03, ``--reuse`` of the 300,000-affiliate fund (a private copy; 1,115,548 person-quarters), PostgreSQL
default settings, 2-core machine shared with other sessions, one run each, back to back:

=================  ======================  ======================
step               before (load 5.0–5.8)   after (load 5.5 → 3.4)
=================  ======================  ======================
states             32.0 s                  23.8 s
career (first)     121.7 s, 9,166/s        67.4 s, 16,557/s
rerun              16.8 s                  11.4 s
changes            no end (see below)      20.7 s
mutuality (first)  108.7 s (make_file)     58.3 s, 19,127/s
=================  ======================  ======================

Before, the changes file did not end: the statistics still counted exchange_record empty after the first file
(analysed before it, as on a fresh fund), and the old query planned a nested loop of a million by a million
(cancelled after 3½ min); the mutuality figure before is make_file alone on the same copy, load ≈ 5.
Earlier the same day on the shared fund (load ≈ 6): states 26 s, career 92 s, changes 68 s, mutuality 125 s. After,
on the shared fund with nothing else running (18:34 UTC, load 1.8 → 1.1): states 13.0 s, career 54.5 s (20,481/s),
rerun 9.1 s, changes 18.0 s, mutuality 40.2 s (27,732/s) — every file under a minute. What
changed and where the time goes now: docs/outgoing-files.md "At 300,000 people".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from caisse.reporting import outgoing
from caisse.reporting.career import career_export, mutuality_export, quarter_states
from caisse.store import bulk
from caisse.store.db import session_scope

sys.path.insert(0, os.path.dirname(__file__))
from quarterly_call import Target  # noqa: E402
from tax_certificates import paid_year  # noqa: E402

TODAY = dt.date(2026, 2, 15)


def _pg_reachable(pg: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(pg + "/postgres", connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def bench(kind: str, n: int, pg: str, workdir: str, reuse: str | None = None) -> None:
    target = Target(kind, pg, workdir)
    out = Path(workdir)
    try:
        url = paid_year(target, kind, n, reuse)

        start = time.perf_counter()
        with session_scope(url) as s:
            bulk.large_query(s.connection())  # as the exports run it
            rows = s.execute(quarter_states(s, dt.date(2025, 12, 31))).all()
        took = time.perf_counter() - start
        states: dict[str, int] = {}
        for r in rows:
            states[r.state] = states.get(r.state, 0) + 1
        print(f"  states    {took:8.2f} s  {len(rows):,} person-quarters, {len(rows) / took:,.0f}/s "
              f"({', '.join(f'{k} {v:,}' for k, v in sorted(states.items()))})", flush=True)

        start = time.perf_counter()
        first = outgoing.make_file(url, career_export(), dt.date(2025, 12, 31), out / f"career1-{kind}.txt",
                                   who="bench", today=TODAY)
        took = time.perf_counter() - start
        size = (out / f"career1-{kind}.txt").stat().st_size
        print(f"  career    {took:8.2f} s  {first.records:,} records (all new), {first.records / took:,.0f} "
              f"records/s, {size / 1e6:.1f} MB", flush=True)

        start = time.perf_counter()
        again = outgoing.make_file(url, career_export(), dt.date(2025, 12, 31), out / f"career1b-{kind}.txt",
                                   who="bench", today=TODAY)
        took = time.perf_counter() - start
        assert not again.created and again.sha256 == first.sha256
        print(f"  rerun     {took:8.2f} s  the same file rebuilt from its {again.records:,} records "
              f"({again.records / took:,.0f} records/s), same SHA-256", flush=True)

        start = time.perf_counter()
        second = outgoing.make_file(url, career_export(), dt.date(2026, 1, 31), out / f"career2-{kind}.txt",
                                    who="bench", today=TODAY)
        took = time.perf_counter() - start
        print(f"  changes   {took:8.2f} s  {second.records:,} corrections among {len(rows):,} subjects compared "
              f"({len(rows) / took:,.0f} subjects/s)", flush=True)

        start = time.perf_counter()
        m = outgoing.make_file(url, mutuality_export(), dt.date(2025, 12, 31), out / f"mutuality-{kind}.txt",
                               who="bench", today=TODAY)
        took = time.perf_counter() - start
        print(f"  mutuality {took:8.2f} s  {m.records:,} records (all new), {m.records / took:,.0f} records/s",
              flush=True)
    finally:
        target.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--reuse", metavar="NAME", help="PostgreSQL only: a database kept by benchmarks/home_page.py "
                    "--keep, measured without building (no career or mutuality file sent from it yet)")
    args = ap.parse_args()
    if args.reuse:
        args.db = "postgresql"
    with tempfile.TemporaryDirectory(prefix="caisse-bench-") as workdir:
        for kind in (k.strip() for k in args.db.split(",")):
            if kind == "postgresql" and not _pg_reachable(args.pg):
                print(f"postgresql: {args.pg} cannot be reached, skipped")
                continue
            bench(kind, args.n, args.pg, workdir, args.reuse)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
