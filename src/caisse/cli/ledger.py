"""`caisse ledger check` and `caisse ledger statement --debtor ID`."""

from __future__ import annotations

import typer

from caisse.cli.platform import DbOption, database_url

app = typer.Typer(help="The ledger: invariants check and account statements.", no_args_is_help=True)


@app.command("check")
def check(db: str | None = DbOption) -> None:
    """Verify every ledger invariant; exit 1 on any breach. The last line is the totals."""
    from caisse.ledger.check import run_check
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        report = run_check(session)
    for breach in report.breaches:
        typer.echo(f"BREACH: {breach}")
    for warning in report.warnings:
        typer.echo(f"warning: {warning}")
    typer.echo("ok: every invariant holds" if report.ok else f"FAILED: {len(report.breaches)} breach(es)")
    typer.echo(report.totals.line())
    if not report.ok:
        raise typer.Exit(1)


@app.command("statement")
def statement(debtor: int = typer.Option(..., "--debtor", help="The debtor's file number (party id)."),
              pdf: str | None = typer.Option(None, "--pdf", help="Also write the statement as a PDF file."),
              db: str | None = DbOption) -> None:
    """Print the account statement of a debtor: per period called / paid / surcharges / balance, and lines."""
    import getpass

    from caisse.ledger.statement import render_pdf
    from caisse.ledger.statement import statement as build
    from caisse.services import audit
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        st = build(session, debtor)
        audit.record(session, f"cli:{getpass.getuser()}", "read", "account_statement", debtor, party_id=debtor,
                     origin="cli", detail={"what": "statement (text)" + (" + pdf" if pdf else "")})
    typer.echo(st.render_text())
    if pdf:
        render_pdf(st, pdf)
        typer.echo(f"written {pdf}")
