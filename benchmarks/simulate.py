"""Benchmark: 1,000,000 random profiles through `caisse simulate contribution --input … --output …`.

The whole process is timed (wall clock, subprocess: interpreter start, imports, reading, computing, writing).
A random sample of rows is then checked to the cent against the single-affiliate rules. Target: < 1 s on the
project's 2-core machine. One untimed warm-up run first: it compiles the bytecode (into a temporary
PYTHONPYCACHEPREFIX, as an installed package has it; PYTHONDONTWRITEBYTECODE would otherwise recompile every module
on every run) and reads the input into the page cache.

    PYTHONPATH=src python benchmarks/simulate.py [--rows 1000000] [--runs 5] [--fee-rate 0.0405] [--sample 2000]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

CATEGORIES = ["main", "complementary", "student", "helping_spouse", "post_pension", "art37"]
CLI = "import sys; sys.argv[0] = 'caisse'; from caisse.cli import main; main()"


def generate(path: Path, rows: int, seed: int = 2025) -> None:
    rng = np.random.default_rng(seed)
    years = rng.choice([2024, 2025, 2026], rows)
    cats = np.array(CATEGORIES)[rng.choice(len(CATEGORIES), rows, p=[0.55, 0.25, 0.05, 0.03, 0.07, 0.05])]
    # incomes: many small, a long tail above the ceiling; cents
    cents = np.minimum((rng.lognormal(10.3, 0.9, rows) * 100).astype(np.int64), 40_000_000)
    cents[rng.random(rows) < 0.05] = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id,year,category,income\n")
        chunk = 100_000
        for start in range(0, rows, chunk):
            sl = slice(start, start + chunk)
            fh.write("".join(f"{i},{y},{c},{v // 100}.{v % 100:02d}\n" for i, y, c, v in
                             zip(range(start, start + chunk), years[sl].tolist(), cats[sl].tolist(),
                                 cents[sl].tolist(), strict=False)))


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(SRC), "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "caisse-bench-pyc")}


def run_once(src: Path, dst: Path, fee: str | None) -> tuple[float, float]:
    cmd = [sys.executable, "-c", CLI, "simulate", "contribution", "--input", str(src), "--output", str(dst)]
    if fee:
        cmd += ["--fee-rate", fee]
    env = _env()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def startup(tmp: Path) -> float:
    """The same command on a one-row CSV: interpreter, imports, parameters (the batch's fixed cost)."""
    one, out = tmp / "one.csv", tmp / "one-out.csv"
    one.write_text("year,category,income\n2025,main,80000\n")
    return min(run_once(one, out, "0.0405")[0] for _ in range(3))


def verify(dst: Path, fee: str | None, sample: int) -> int:
    from caisse.money import fmt
    from caisse.rules.contributions import contribution

    with open(dst, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    picked = random.Random(7).sample(rows, min(sample, len(rows)))
    for r in picked:
        single = contribution(int(r["year"]), r["category"], r["income"], fee_rate=fee)
        assert r["annual_contribution"] == fmt(single.annual), r
        assert r["quarterly_contribution"] == fmt(single.quarterly), r
        if fee:
            assert r["quarterly_total"] == fmt(single.quarterly_total), r
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--fee-rate", default="0.0405")
    ap.add_argument("--sample", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "profiles.csv", Path(tmp) / "result.csv"
        t = time.perf_counter()
        generate(src, args.rows)
        size = src.stat().st_size / 1e6
        print(f"generated {args.rows:,} profiles ({size:.1f} MB) in {time.perf_counter() - t:.1f} s")
        run_once(src, dst, args.fee_rate)   # warm-up, not counted
        load = os.getloadavg()[0]
        walls, cpus = [], []
        for _ in range(args.runs):
            w, c = run_once(src, dst, args.fee_rate)
            walls.append(w)
            cpus.append(c)
        n = verify(dst, args.fee_rate, args.sample)
        print(f"caisse simulate contribution --input/--output, {n:,} rows, fee {args.fee_rate}, "
              f"output {dst.stat().st_size / 1e6:.1f} MB")
        print(f"  whole process, wall: best {min(walls):.3f} s, median {statistics.median(walls):.3f} s "
              f"(runs: {', '.join(f'{w:.3f}' for w in walls)})")
        print(f"  whole process, CPU (user+sys): best {min(cpus):.3f} s, median {statistics.median(cpus):.3f} s")
        print(f"  the same command on a one-row CSV (start-up, best of 3): {startup(Path(tmp)):.3f} s")
        print(f"  {min(args.sample, n):,} random rows checked to the cent against the single-affiliate rules: OK")
        print(f"  machine: {os.cpu_count()} CPUs, 1-min load average {load:.2f} before the runs, "
              f"{os.getloadavg()[0]:.2f} after (other work slows the figures)")


if __name__ == "__main__":
    main()
