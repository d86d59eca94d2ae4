"""`caisse audit verify`: seal what waits for its seal, then recompute the audit log's hash chain."""

from __future__ import annotations

import typer

from caisse.cli.platform import DbOption, database_url

app = typer.Typer(help="The audit log (every read and write of personal data).", no_args_is_help=True)


@app.command("verify")
def verify(db: str | None = DbOption) -> None:
    """Check that no audit row was changed or removed; exit 1 and name the first broken row otherwise.

    The reads written by pages and lists are sealed into the chain shortly after (the server's sealer); any still
    waiting — a server that stopped before its sealer ran — are sealed first, then the whole chain is checked."""
    from caisse.services.audit import seal
    from caisse.services.audit import verify as verify_chain
    from caisse.store.db import engine_for

    engine = engine_for(database_url(db))
    with engine.begin() as conn:
        sealed = seal(conn)
    with engine.connect() as conn:
        result = verify_chain(conn)
    if result.ok:
        notes = [f"{sealed} sealed now"] if sealed else []
        if result.unsealed:
            notes.append(f"{result.unsealed} written since, waiting for their seal")
        typer.echo(f"audit chain intact: {result.rows} rows" + (f" ({'; '.join(notes)})" if notes else ""))
        return
    typer.echo(f"audit chain BROKEN after {result.rows} good rows: {result.problem}", err=True)
    raise typer.Exit(1)
