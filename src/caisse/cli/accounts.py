"""`caisse account create / disable / grant / list / unlock / reset-password / reset-totp`: logins, for administrators.

The password is never an argument (it would stay in the shell history): it is asked twice without echo, or
read from the first line of standard input with ``--password-stdin``. The password policy applies. A staff
account gets its TOTP secret at creation: the provisioning URI (to scan into an authenticator app) is printed
that one time and never shown again. Bad input prints one line naming the field and exits 2, writing nothing.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sys

import typer

from caisse.cli.platform import DbOption, database_url
from caisse.cli.platform import parse_date as _date
from caisse.errors import InvalidInput

app = typer.Typer(help="Logins: create, disable, grant access to a file, list (administrators).",
                  no_args_is_help=True)


def _actor():
    from caisse.security.authz import Principal

    return Principal.system(f"cli:{getpass.getuser()}")


def _session(db: str | None):
    from caisse.store.db import session_scope

    return session_scope(database_url(db))



def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InvalidInput("password", "is required")
    return password


@app.command("create")
def create(
    login: str = typer.Argument(..., help="The login (an e-mail address is usual)."),
    role: str = typer.Option(..., help="affiliate, accountant, caseworker, recovery_officer, benefits_officer, "
                                       "manager, auditor or administrator."),
    file: int | None = typer.Option(None, "--file", help="An affiliate's own file number."),
    team: str | None = typer.Option(None, help="Staff: the team whose files they handle."),
    language: str | None = typer.Option(None, help="fr, nl or de: the language of the pages until the person "
                                              "chooses one (default: an affiliate's file's, staff's browser's)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    db: str | None = DbOption,
) -> None:
    """Create a login; staff get a TOTP secret whose provisioning URI is printed once."""
    from caisse.config import get_settings
    from caisse.security import totp
    from caisse.services import accounts

    if language is not None and language not in ("fr", "nl", "de"):
        raise InvalidInput("language", "fr, nl or de")
    password = _password(password_stdin)
    with _session(db) as session:
        account, secret = accounts.create_account(session, _actor(), login, password, role, party_id=file,
                                                  team=team, language=language)
        typer.echo(f"account {account.id} created: {account.login} ({account.role})")
        if secret:
            typer.echo("two-factor enrolment — scan this into an authenticator app now; it will not be shown again:")
            typer.echo(totp.provisioning_uri(secret, account.login, get_settings().fund_name))


@app.command("disable")
def disable(login: str = typer.Argument(...), db: str | None = DbOption) -> None:
    """Disable a login and end its sessions at once."""
    from caisse.services import accounts

    with _session(db) as session:
        ended = accounts.disable_account(session, _actor(), login)
        typer.echo(f"account {login.strip().lower()} disabled; {ended} session(s) ended")


@app.command("grant")
def grant(
    login: str = typer.Argument(...),
    file: int = typer.Option(..., "--file", help="The file the login may reach."),
    kind: str = typer.Option("mandate", help="mandate (an accountant) or director (a company's director)."),
    valid_from: str | None = typer.Option(None, "--from", help="YYYY-MM-DD (default: today)."),
    valid_to: str | None = typer.Option(None, "--to", help="YYYY-MM-DD (default: until revoked)."),
    db: str | None = DbOption,
) -> None:
    """Give an accountant or a director access to a file."""
    from caisse.services import accounts

    start = _date(valid_from, "from") or dt.date.today()
    end = _date(valid_to, "to")
    with _session(db) as session:
        account = accounts.find_account(session, login)
        accounts.grant_access(session, _actor(), account.id, file, kind, start, end)
        typer.echo(f"{account.login} may reach file {file} ({kind}) from {start}" + (f" to {end}" if end else ""))


@app.command("contact")
def contact(
    login: str = typer.Argument(..., help="A member of staff handling files."),
    name: str | None = typer.Option(None, help="The name people see (e.g. Sophie Lambert)."),
    phone: str | None = typer.Option(None, help="Their direct phone number."),
    email: str | None = typer.Option(None, help="Their e-mail address."),
    db: str | None = DbOption,
) -> None:
    """How people reach a caseworker: shown on the portal home of the files they hold."""
    from caisse.services import caseworkers

    with _session(db) as session:
        account = caseworkers.set_contact(session, _actor(), login, name=name, phone=phone, email=email)
        typer.echo(f"{account.login}: {account.display_name or '-'}, {account.phone or '-'}, {account.email or '-'}")


@app.command("list")
def list_(role: str | None = typer.Option(None, help="Only this role."), db: str | None = DbOption) -> None:
    """List logins with their role, file, team, status, two-factor and grants (never a secret)."""
    from caisse.services import accounts

    with _session(db) as session:
        rows = accounts.list_accounts(session, _actor(), dt.datetime.now(dt.UTC).replace(tzinfo=None), role)
    typer.echo(f"{'id':>5}  {'login':<32} {'role':<17} {'file':>6}  {'team':<10} {'status':<8} 2fa  grants")
    for r in rows:
        typer.echo(f"{r.id:>5}  {r.login:<32} {r.role:<17} {r.party_id or '':>6}  {r.team or '':<10} "
                   f"{r.status + (' demo' if r.demo else ''):<8} {'yes' if r.two_factor else 'no ':<4} "
                   f"{','.join(map(str, r.grants))}")


@app.command("unlock")
def unlock(login: str = typer.Argument(...), db: str | None = DbOption) -> None:
    """Lift the lock of an account after too many failed attempts (once the person proved who they are)."""
    from caisse.services import accounts

    with _session(db) as session:
        account = accounts.unlock_account(session, _actor(), login)
        typer.echo(f"account {account.login} unlocked")


@app.command("reset-password")
def reset_password(
    login: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    db: str | None = DbOption,
) -> None:
    """Set a new password for a login that lost its own (the policy applies; every session of it ends)."""
    from caisse.services import accounts

    password = _password(password_stdin)
    with _session(db) as session:
        ended = accounts.reset_password(session, _actor(), login, password)
        typer.echo(f"password of {login.strip().lower()} set; {ended} session(s) ended")


@app.command("reset-totp")
def reset_totp(login: str = typer.Argument(...), db: str | None = DbOption) -> None:
    """A staff member lost their authenticator: a new two-factor secret, printed once; every session ends."""
    from caisse.config import get_settings
    from caisse.security import totp
    from caisse.services import accounts

    with _session(db) as session:
        account, secret = accounts.reset_totp(session, _actor(), login)
        typer.echo("two-factor enrolment — scan this into an authenticator app now; it will not be shown again:")
        typer.echo(totp.provisioning_uri(secret, account.login, get_settings().fund_name))
