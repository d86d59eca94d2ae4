"""`caisse cases ...`: the work queue and the e-mail notifications, from the command line."""

from __future__ import annotations

import datetime as dt
import getpass

import typer

from caisse.cli.platform import DbOption, database_url

app = typer.Typer(help="Questions, requests and complaints: queue and notifications.", no_args_is_help=True)


@app.command("queue")
def queue(team: str | None = typer.Option(None, help="Only this team's cases."),
          kind: str | None = typer.Option(None, help="Only this kind (question, unmatched_payment, ...)."),
          unassigned: bool = typer.Option(False, "--unassigned", help="Only cases nobody holds yet."),
          db: str | None = DbOption) -> None:
    """Open cases, overdue first, with the days left before their deadline."""
    from caisse.cases import service as cases
    from caisse.security.authz import Principal
    from caisse.store.db import session_scope

    today = dt.date.today()
    with session_scope(database_url(db)) as session:
        items = cases.work_queue(session, Principal.system(f"cli:{getpass.getuser()}"), today, team=team, kind=kind,
                                 unassigned=unassigned)
        for i in items:
            flag = " OVERDUE" if i.overdue else ""
            typer.echo(f"{i.case.deadline} {i.days_left:>4}d{flag} #{i.case.id} {i.case.kind} [{i.case.status}] "
                       f"file {i.case.party_id or '-'} held by {i.assignee or '-'}: {i.case.subject}")
    typer.echo(f"{len(items)} case(s)")


@app.command("assign-caseworker")
def assign_caseworker(party: int = typer.Option(..., "--party", help="The file number."),
                      account: str = typer.Option(..., "--account", help="The caseworker's login."),
                      reason: str | None = typer.Option(None, "--reason", help="Why (kept in the history)."),
                      on: str | None = typer.Option(None, "--from", help="YYYY-MM-DD (default: today)."),
                      db: str | None = DbOption) -> None:
    """Name the caseworker of a file (a manager's decision; the previous assignment ends the day before)."""
    from caisse.errors import InvalidInput
    from caisse.security.authz import Principal
    from caisse.services import caseworkers
    from caisse.store.db import session_scope

    try:
        start = dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError:
        raise InvalidInput("from", "a date YYYY-MM-DD") from None
    with session_scope(database_url(db)) as session:
        caseworkers.assign(session, Principal.system(f"cli:{getpass.getuser()}"), party, account, start, reason)
    typer.echo(f"file {party}: caseworker {account.strip().lower()} from {start}")


@app.command("send-mail")
def send_mail(db: str | None = DbOption) -> None:
    """Send the queued e-mails: "a message is waiting" and the reminders before a due date (SMTP settings:
    CAISSE_SMTP_HOST, CAISSE_SMTP_PORT)."""
    from caisse.cases import mail
    from caisse.config import get_settings
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        sent, failed = mail.send_pending(session, get_settings(), dt.datetime.now(dt.UTC).replace(tzinfo=None))
    typer.echo(f"sent={sent} failed={failed}")
    if failed:
        raise typer.Exit(1)
