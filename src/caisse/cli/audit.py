"""`caisse audit verify`: recompute the audit log's hash chain."""

from __future__ import annotations

import typer

from caisse.cli.platform import DbOption, database_url

app = typer.Typer(help="The audit log (every read and write of personal data).", no_args_is_help=True)


@app.command("verify")
def verify(db: str | None = DbOption) -> None:
    """Check that no audit row was changed or removed; exit 1 and name the first broken row otherwise."""
    from caisse.services.audit import verify as verify_chain
    from caisse.store.db import engine_for

    with engine_for(database_url(db)).connect() as conn:
        result = verify_chain(conn)
    if result.ok:
        typer.echo(f"audit chain intact: {result.rows} rows")
        return
    typer.echo(f"audit chain BROKEN after {result.rows} good rows: {result.problem}", err=True)
    raise typer.Exit(1)
