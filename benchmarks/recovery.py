"""The dunning batch (``caisse run recovery --as-of D``) over a large fund on PostgreSQL: seconds and debtors/s.

Issue 7's target: "the recovery batch over 300 000 debtors (20 % in arrears) under 60 s on PostgreSQL".

1. **build** (not timed): a fresh migrated database gets a synthetic fund of N people (``caisse.demo.generator``,
   reference date 2025-01-10), the quarterly calls of 2025Q1 and 2025Q2 (``quarterly_call.run``: every debtor of
   the fund gets two quarters due on 2025-03-31 and 2025-06-30), then the money: ``--arrears`` (default 20 %) of
   the debtors leave something unpaid — half of them pay nothing, half pay Q1 only — and every other debtor pays
   both quarters in full (one payment and its imputation per debtor, ``post_many``);
2. **runs** (timed, each the whole batch as the command runs it, ``caisse.batches.recovery.run``): four dates a
   month apart, so that the debtors in arrears climb the ladder one stage per run —
   2025-07-16 (→ reminder: every file created), 2025-08-16 (→ statement), 2025-09-16 (→ formal notice),
   2025-10-17 (→ personal contact: a task — a case — per debtor) — and a rerun of the last date (writes nothing);
   the whole-fund arrears query alone (``recovery.arrears.arrears``) is timed too.

Debtors/s = debtors of the fund (everyone with a ledger entry, in arrears or not) / seconds of the run.

Usage: PYTHONPATH=src python benchmarks/recovery.py [--n 300000] [--arrears 0.2] [--pg postgresql://…]
A database ``bench_<random>`` is created on the PostgreSQL server (default postgres@127.0.0.1:5432) and dropped
at the end (also on failure).
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
from caisse.batches import recovery as recovery_batch
from caisse.demo.generator import generate, load
from caisse.ledger import Entry, imputation_posting, payment_posting, post_many
from caisse.recovery.arrears import arrears
from caisse.store.db import engine_for

sys.path.insert(0, os.path.dirname(__file__))
from quarterly_call import Target  # noqa: E402

QUARTERS = ("2025Q1", "2025Q2")
RUNS = (dt.date(2025, 7, 16), dt.date(2025, 8, 16), dt.date(2025, 9, 16), dt.date(2025, 10, 17))


def pay(url: str, share_in_arrears: float, seed: int = 7) -> tuple[int, int, int]:
    """Payments: most debtors pay both quarters, ``share_in_arrears`` leave Q1+Q2 or Q2 unpaid.
    Returns (debtors, debtors left in arrears, transactions posted)."""
    rng = random.Random(seed)
    with engine_for(url).connect() as conn:
        rows = conn.execute(text(
            "SELECT party_id, period, account, SUM(amount_cents) FROM ledger_entry "
            "WHERE account IN ('contribution', 'management_fee') AND period IN ('2025Q1', '2025Q2') "
            "GROUP BY party_id, period, account ORDER BY party_id, period, account")).all()
    items: dict[int, list[tuple[str, str, int]]] = {}
    for party, period, account, cents in rows:
        items.setdefault(int(party), []).append((period, account, int(cents)))
    postings, behind = [], 0
    for party, lines in items.items():
        if rng.random() < share_in_arrears:
            behind += 1
            if rng.random() < 0.5:
                continue  # pays nothing
            lines = [x for x in lines if x[0] == "2025Q1"]  # pays Q1 only
            if not lines:
                continue
        day = dt.date(2025, 6, 20)
        total = sum(c for _p, _a, c in lines)
        key = f"bench/{party}"
        postings.append(payment_posting(key, day, total, party))
        entries = [Entry(a, -c, party, p, None, "bench", "bench") for p, a, c in lines]
        entries.append(Entry("credit", total, party, None, None, "bench", "bench"))
        postings.append(imputation_posting(f"{key}/imputation", day, entries, None))
    post_many(url, postings, chunk_size=50_000)
    return len(items), behind, len(postings)


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def bench(n: int, share: float, pg: str, workdir: str) -> None:
    target = Target("postgresql", pg, workdir)
    try:
        t0 = time.perf_counter()
        fund = generate(affiliates=n, companies=0, seed=7, as_of=dt.date(2025, 1, 10))
        url = target.new()
        with engine_for(url).begin() as conn:
            load(conn, fund)
        del fund
        print(f"fund of {n:,} people loaded in {time.perf_counter() - t0:.1f} s", flush=True)
        for quarter in QUARTERS:
            t = time.perf_counter()
            quarterly_call.run(url, quarter, fee_rate="0.0405")
            print(f"  call {quarter} in {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        debtors, behind, posted = pay(url, share)
        print(f"  {posted:,} payment/imputation transactions in {time.perf_counter() - t:.1f} s", flush=True)
        with engine_for(url).connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
        print(f"built in {time.perf_counter() - t0:.1f} s (not timed): {debtors:,} debtors, {behind:,} "
              f"({behind / debtors:.1%}) left in arrears", flush=True)
        print(f"machine: {os.cpu_count()} CPUs; 1-min load average {os.getloadavg()[0]:.2f} before the runs",
              flush=True)
        with engine_for(url).connect() as conn:
            t, c = time.perf_counter(), cpu()
            a = arrears(conn, RUNS[0])
            print(f"  arrears query alone  {time.perf_counter() - t:7.2f} s wall {cpu() - c:6.2f} s CPU (this "
                  f"process)  {len(a.party):,} debtors owing, {int((a.principal > 0).sum()):,} with principal due",
                  flush=True)
        for i, on in enumerate((*RUNS, RUNS[-1])):
            t, c = time.perf_counter(), cpu()
            s = recovery_batch.run(url, on)
            took = time.perf_counter() - t
            moves = ", ".join(f"{k[3:]} {v:,}" for k, v in s.details.items() if str(k).startswith("-> "))
            label = "rerun" if i == len(RUNS) else f"run {on}"
            print(f"  {label:<16} {took:7.2f} s wall {cpu() - c:6.2f} s CPU (this process)  "
                  f"{debtors / took:10,.0f} debtors/s  moved {s.debtors:,} ({moves or 'nothing'}); "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        target.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300_000, help="people in the fund")
    ap.add_argument("--arrears", type=float, default=0.2, help="share of the debtors left in arrears")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="caisse-bench-") as workdir:
        bench(args.n, args.arrears, args.pg, workdir)


if __name__ == "__main__":
    main()
