"""Run every benchmark of the fund, one after the other, and print their figures (`make bench`).

Each script also runs alone with its own options (see its docstring). Sizes here are the issues' targets;
``--quick`` divides them by ten for a first look. Timings on a shared 2-core machine are noisy: compare runs
made back to back, never a run against a number from another day.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = [
    ("simulate", ["--rows", "1000000"]),
    ("coda", ["--movements", "100000"]),
    ("coda_import", ["--movements", "100000"]),
    ("ledger", ["--n", "1000000"]),
    ("affiliates", ["--sizes", "100000", "1000000"]),
    ("quarterly_call", ["--n", "1000000", "--pdfs", "500"]),
    ("reports", ["--n", "300000"]),
    ("recovery", ["--n", "300000"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
    args = parser.parse_args()
    failed = []
    for name, options in SCRIPTS:
        if args.only and name not in args.only:
            continue
        if args.quick:
            options = [str(int(o) // 10) if o.isdigit() else o for o in options]
        print(f"\n=== benchmarks/{name}.py {' '.join(options)}", flush=True)
        start = time.perf_counter()
        if subprocess.run([sys.executable, str(HERE / f"{name}.py"), *options]).returncode:
            failed.append(name)
        print(f"=== {name}: {time.perf_counter() - start:.1f} s wall", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
