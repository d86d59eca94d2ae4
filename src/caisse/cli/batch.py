"""The simulator's CSV batch from the command line, shared by the typer command and the fast path of ``main()``.

Imports nothing but the rules (no typer, no settings): see ``caisse.cli.__init__``.
"""

from __future__ import annotations

import sys

VALUED = {"--input": "input_path", "--output": "output_path", "--fee-rate": "fee_rate"}
FLAGS = {"--allow-estimates": "allow_estimates", "--json": "as_json"}


def parse_fast(argv: list[str]) -> dict | None:
    """The batch's arguments when ``argv`` is exactly ``simulate contribution`` with --input, --output and only
    --fee-rate / --allow-estimates / --json besides, each once; else None (typer handles it, --help included)."""
    if argv[:2] != ["simulate", "contribution"]:
        return None
    out: dict = {"fee_rate": None, "allow_estimates": False, "as_json": False}
    seen: set[str] = set()
    rest = argv[2:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        name, eq, value = arg.partition("=")
        if name in seen:
            return None
        seen.add(name)
        if name in VALUED:
            if not eq:
                if i + 1 >= len(rest):
                    return None
                i += 1
                value = rest[i]
            out[VALUED[name]] = value
        elif name in FLAGS and not eq:
            out[FLAGS[name]] = True
        else:
            return None
        i += 1
    if "--input" not in seen or "--output" not in seen:
        return None
    return out


def run(input_path: str, output_path: str, fee_rate: str | None, allow_estimates: bool, as_json: bool) -> None:
    """Run the batch; the count of rows goes to stderr (stdout stays empty). Raises CaisseError on bad input."""
    from caisse.rules.batch import run_csv

    rows = run_csv(input_path, output_path, fee_rate=fee_rate, allow_estimates=allow_estimates)
    if not as_json:
        print(f"{rows} rows written to {output_path}", file=sys.stderr)


def error_line(exc: Exception) -> str:
    """``error: field: message``; the rules name fields as the API does (fee_rate), shown as the option (fee-rate)."""
    from caisse.errors import InvalidInput

    if isinstance(exc, InvalidInput):
        return f"error: {exc.field.replace('_', '-')}: {exc.message}"
    return f"error: {exc}"


def run_or_exit(**kw) -> None:
    from caisse.errors import CaisseError

    try:
        run(**kw)
    except CaisseError as exc:
        print(error_line(exc), file=sys.stderr)
        sys.exit(2)
