"""`caisse import coda FILE...`: bank statements in, reconciled against the ledger.

The function ``coda`` is registered on the `import` sub-app (``app.command("coda")(coda)``).
"""

from __future__ import annotations

from pathlib import Path

import typer

from caisse.cli.platform import DbOption, database_url


def coda(files: list[Path] = typer.Argument(..., help="CODA files as the bank sent them."),
         db: str | None = DbOption) -> None:
    """Import CODA bank statements: book the payments we recognise, park the others for reconciliation.

    Every file is checked first; if one breaks the CODA format, none is imported (line and field are given).
    A file already imported is recognised by its SHA-256 and changes nothing."""
    from caisse.collection.coda_import import import_coda
    from caisse.errors import InvalidInput
    from caisse.exchange.coda import CodaError, parse_coda

    url = database_url(db)
    parsed = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInput("file", f"{path}: {exc.strerror or exc}") from None
        if not data:
            raise InvalidInput("file", f"{path}: empty file")
        try:
            parsed.append((path, data, parse_coda(data)))
        except CodaError as exc:
            raise InvalidInput("file", f"{path}: {exc} (no file was imported)") from None
    for path, data, coda_file in parsed:
        summary = import_coda(url, data, filename=path.name, parsed=coda_file, actor="cli:import-coda")
        typer.echo(f"{path.name}: {summary.line()}")
        for warning in summary.warnings:
            typer.echo(f"  warning: {warning}")
