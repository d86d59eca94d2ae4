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
