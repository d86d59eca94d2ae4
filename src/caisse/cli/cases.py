"""`caisse cases ...`: the work queue and the e-mail notifications, from the command line."""

from __future__ import annotations

import datetime as dt
import getpass

import typer

from caisse.cli.platform import DbOption, database_url

app = typer.Typer(help="Questions, requests and complaints: queue and notifications.", no_args_is_help=True)


@app.command("queue")
def queue(team: str | None = typer.Option(None, help="Only this team's cases."), db: str | None = DbOption) -> None:
    """Open cases, overdue first, with the days left before their deadline."""
    from caisse.cases import service as cases
    from caisse.security.authz import Principal
    from caisse.store.db import session_scope

    today = dt.date.today()
    with session_scope(database_url(db)) as session:
        items = cases.work_queue(session, Principal.system(f"cli:{getpass.getuser()}"), today, team=team)
        for i in items:
            flag = " OVERDUE" if i.overdue else ""
            typer.echo(f"{i.case.deadline} {i.days_left:>4}d{flag} #{i.case.id} {i.case.kind} [{i.case.status}] "
                       f"file {i.case.party_id or '-'}: {i.case.subject}")
    typer.echo(f"{len(items)} case(s)")


@app.command("send-mail")
def send_mail(db: str | None = DbOption) -> None:
    """Send the queued 'a message is waiting' e-mails (SMTP settings: CAISSE_SMTP_HOST, CAISSE_SMTP_PORT)."""
    from caisse.cases import mail
    from caisse.config import get_settings
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        sent, failed = mail.send_pending(session, get_settings(), dt.datetime.now(dt.UTC).replace(tzinfo=None))
    typer.echo(f"sent={sent} failed={failed}")
    if failed:
        raise typer.Exit(1)
