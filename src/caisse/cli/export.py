"""`caisse export sepa-dd` and `caisse export credit-transfers`: payment files for the bank."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from caisse.cli.platform import DbOption, database_url, parse_date

app = typer.Typer(help="Files that go out: payments for the bank (SEPA direct debits, credit transfers) and the "
                       "tracked files for INASTI, the mutualities and the other institutions.", no_args_is_help=True)



def write_atomically(path: Path, content: bytes) -> None:
    from caisse.errors import InvalidInput

    if not path.parent.exists():
        raise InvalidInput("output", f"the directory {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidInput("output", f"{path}: {exc.strerror or exc}") from None


def _check_output(output: Path) -> None:
    from caisse.errors import InvalidInput

    if output.is_dir():
        raise InvalidInput("output", f"{output} is a directory")
    if not output.parent.exists():
        raise InvalidInput("output", f"the directory {output.parent} does not exist")


@app.command("sepa-dd")
def sepa_dd(collection_date: str = typer.Option(..., "--collection-date",
                                                help="Date the bank collects (ISO): a TARGET2 business day, at "
                                                     "least one TARGET2 business day after today."),
            output: Path = typer.Option(..., "--output", help="Where to write the pain.008 file."),
            due_by: str | None = typer.Option(None, "--due-by",
                                              help="Collect open items due by this date (default: collection date)."),
            db: str | None = DbOption) -> None:
    """Collect what every debtor with an active mandate owes, as a pain.008.001.02 file (XSD-validated).

    Idempotent: what a previous run collects and the bank has not credited yet is not collected again; with
    nothing new, the date's last file is written again."""
    from caisse.collection.direct_debit import export_direct_debits

    day = parse_date(collection_date, "collection_date")
    _check_output(output)
    result = export_direct_debits(database_url(db), day, due_by=parse_date(due_by, "due_by"), who="cli:sepa-dd")
    if result.content is not None:
        write_atomically(output, result.content)
        typer.echo(f"{result.line()} -> {output}")
    else:
        typer.echo(result.line())
    for reason in result.skipped:
        typer.echo(f"  skipped: {reason}")


@app.command("credit-transfers")
def credit_transfers(execution_date: str = typer.Option(..., "--execution-date",
                                                       help="Execution date (ISO): a TARGET2 business day, not "
                                                            "before today."),
                     output: Path = typer.Option(..., "--output", help="Where to write the pain.001 file."),
                     db: str | None = DbOption) -> None:
    """Pay every refund and benefit ordered and not yet paid, as a pain.001.001.03 file; posts the payouts.

    Idempotent: an order is paid once; with nothing new, the date's last file is written again."""
    from caisse.collection.credit_transfers import export_credit_transfers
    from caisse.errors import InvalidInput

    try:
        day = parse_date(execution_date, "execution_date")
        _check_output(output)
        result = export_credit_transfers(database_url(db), day, who="cli:credit-transfers")
    except InvalidInput as exc:  # the date is refused naming the option as it is typed
        if exc.field != "execution_date":
            raise
        raise InvalidInput("--execution-date", exc.message) from None
    if result.content is not None:
        write_atomically(output, result.content)
        typer.echo(f"{result.line()} -> {output}")
    else:
        typer.echo(result.line())
    for reason in result.skipped:
        typer.echo(f"  skipped: {reason}")
