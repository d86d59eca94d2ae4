"""`caisse gdpr ...`: the data subject's rights and the retention rules."""

from __future__ import annotations

import datetime as dt
import getpass
import json

import typer

from caisse.cli.platform import DbOption, database_url

app = typer.Typer(help="Personal data: right of access export, retention.", no_args_is_help=True)


def _system():
    from caisse.security.authz import Principal

    return Principal.system(f"cli:{getpass.getuser()}")


@app.command("export")
def export(party: int = typer.Option(..., help="File number of the person."),
           output: str = typer.Option("-", help="Where to write the JSON ('-' for standard output)."),
           pdf: str | None = typer.Option(None, "--pdf", help="Also write it as a readable PDF file."),
           db: str | None = DbOption) -> None:
    """Everything the fund holds about a person (GDPR art. 15), as JSON (and PDF)."""
    from caisse.services import gdpr
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        data = gdpr.export_file(session, _system(), party, document="json+pdf" if pdf else "json")
    if pdf:
        from caisse.config import get_settings
        from caisse.documents.gdpr_export import render_pdf

        with open(pdf, "wb") as fh:
            fh.write(render_pdf(data, get_settings().fund_name))
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if output == "-":
        typer.echo(text)
    else:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        typer.echo(f"written to {output}")


@app.command("retention")
def retention(as_of: str = typer.Option(None, help="Apply the rules as on this date (default: today)."),
              db: str | None = DbOption) -> None:
    """Delete or pseudonymise what the retention rules no longer allow to keep (never ledger money)."""
    from caisse.cli.platform import parse_date
    from caisse.services import gdpr
    from caisse.store.db import session_scope

    day = parse_date(as_of, "as_of") or dt.date.today()
    with session_scope(database_url(db)) as session:
        r = gdpr.apply_retention(session, _system(), day)
    typer.echo(f"login attempts deleted={r.login_attempts_deleted} sessions deleted={r.sessions_deleted} "
               f"contacts pseudonymised={r.contacts_pseudonymised} identities pseudonymised="
               f"{r.identities_pseudonymised} password resets deleted={r.password_resets_deleted}")
    prescribed = " ".join(f"{k}={v}" for k, v in (r.prescribed or {}).items())
    typer.echo(f"prescribed, pseudonymised: {prescribed}")
