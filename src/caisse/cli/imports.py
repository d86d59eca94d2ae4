"""`caisse import ...`: files from the outside world (tax incomes here; CODA is added by the exchange module)."""

from __future__ import annotations

import typer

from caisse.cli.platform import DbOption, database_url

app = typer.Typer(help="Import files sent to the fund.", no_args_is_help=True)


@app.command("tax-income")
def tax_income(file: str = typer.Argument(..., help="CSV file (docs/formats/tax-income.md)."),
               db: str | None = DbOption) -> None:
    """Definitive professional incomes from the tax administration; unknown NISS parked, bad file refused whole."""
    from caisse.batches.tax_income import import_file

    result = import_file(database_url(db), file)
    for line in result.lines():
        typer.echo(line)


@app.command("events")
def events(file: str = typer.Argument(..., help="CSV file of life events (docs/formats/benefit-events.md)."),
           today: str | None = typer.Option(None, "--today", help="The import day, when the fund learns the "
                                            "events (default: today), YYYY-MM-DD."),
           db: str | None = DbOption) -> None:
    """Life events (birth, bankruptcy, incapacity, cessation, pension age) recorded once each, as `caisse benefits
    event` does; bad lines rejected with line and field and kept (exit code 1 then); the same file twice changes
    nothing."""
    import datetime as dt
    import getpass
    from pathlib import Path

    from caisse.benefits.events_import import import_events
    from caisse.cli.platform import parse_date
    from caisse.errors import InvalidInput
    from caisse.security.authz import Principal

    path = Path(file)
    if not path.is_file():
        raise InvalidInput("file", f"{file}: no such file")
    result = import_events(database_url(db), path.read_bytes(), Principal.system(f"cli:{getpass.getuser()}"),
                           parse_date(today, "today") or dt.date.today(), filename=path.name)
    typer.echo("\n".join(result.summary_lines()))
    for r in result.rejected:
        typer.echo(f"rejected: {r}", err=True)
    if result.rejected:
        raise typer.Exit(1)
