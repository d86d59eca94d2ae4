"""The `caisse` command line. Each domain adds its own sub-app (``caisse.cli._app``); errors print one line, exit 2.

``main()`` runs the CSV batch of the simulator (``caisse simulate contribution --input F --output G [--fee-rate R]
[--allow-estimates] [--json]``) without building the typer application: that batch is timed as a whole process
(issue 3: 1,000,000 rows in under a second) and typer's start-up (its parameter coercion imports pydantic) plus the
other sub-apps' imports cost about 0.4 s. Any other command line — or the batch spelled any other way — goes
through typer; both paths share ``caisse.cli.batch.run`` and are tested to answer alike.
"""

from __future__ import annotations

import os
import sys

USER_ERROR_EXIT = 2


def main() -> None:
    # The rules compute in int64 cents: numpy's BLAS is never used, and starting its threads costs start-up time.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from caisse.cli.batch import parse_fast

    batch = parse_fast(sys.argv[1:])
    if batch is not None:
        from caisse.cli.batch import run_or_exit

        run_or_exit(**batch)
        return
    from caisse.cli._app import app

    app()


def __getattr__(name: str):
    """``from caisse.cli import app`` (tests, tools) builds the typer application on first use."""
    if name in ("app", "CaisseGroup"):
        from caisse.cli import _app

        return getattr(_app, name)
    raise AttributeError(f"module 'caisse.cli' has no attribute {name!r}")
