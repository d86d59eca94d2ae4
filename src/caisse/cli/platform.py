"""Platform commands: `caisse db upgrade`, `caisse serve`, `caisse demo`."""

from __future__ import annotations

import typer

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)

DbOption = typer.Option(None, "--db", help="Database URL (default: CAISSE_DATABASE_URL or ./var/caisse.sqlite).")


def parse_date(value: str | None, field: str):
    """The one date parser of the command line: YYYY-MM-DD, else InvalidInput naming the option."""
    import datetime as dt

    from caisse.errors import InvalidInput

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"not a date (expected YYYY-MM-DD): {value!r}") from None


def unknown_as(option: str):
    """A context in which a file or request not found is refused naming the option the user typed
    (``error: debtor: file 9 not found``), as any other bad value of the command line."""
    from contextlib import contextmanager

    from caisse.errors import InvalidInput, NotFound

    @contextmanager
    def naming():
        try:
            yield
        except NotFound as exc:
            raise InvalidInput(option, str(exc)) from None

    return naming()


def output_path(value: str, field: str = "output"):
    """The file a command will write, checked before anything is done: its directory must exist."""
    from pathlib import Path

    from caisse.errors import InvalidInput

    path = Path(value)
    if not path.parent.is_dir():
        raise InvalidInput(field, f"no such directory: {path.parent}")
    if path.is_dir():
        raise InvalidInput(field, f"{path} is a directory, not a file")
    return path


def database_url(db: str | None) -> str:
    from caisse.config import get_settings

    settings = get_settings()
    if db:
        return db
    settings.ensure_dirs()
    return settings.database_url


@db_app.command("upgrade")
def db_upgrade(db: str | None = DbOption, revision: str = "head") -> None:
    """Create or upgrade the schema to the latest migration."""
    from caisse.store.migrate import upgrade

    upgrade(database_url(db), revision)
    typer.echo("schema up to date")


def serve(host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
          port: int = typer.Option(8000, help="TCP port."),
          workers: int | None = typer.Option(None, min=1, max=64,
                                             help="Worker processes; default: one per core (the pages are "
                                                  "CPU-bound Python, one interpreter lock per process)."),
          keep_alive: int = typer.Option(65, "--keep-alive", min=1, max=3600,
                                         help="Seconds an idle client connection is kept open (longer than the "
                                              "reverse proxy's or browser's idle time: no reconnect per page)."),
          access_log: bool = typer.Option(False, "--access-log/--no-access-log",
                                          help="Log every request (the reverse proxy usually does; off: no "
                                               "logging work per page)."),
          db: str | None = DbOption) -> None:
    """Serve the API and portal (FastAPI + uvicorn). Each worker is a process with its own database pool, its
    own rate-limit buckets (web/ratelimit.py) and its own audit sealer (services/audit.py)."""
    import os

    import uvicorn

    from caisse.config import get_settings
    from caisse.store.db import engine_for

    if db:
        os.environ["CAISSE_DATABASE_URL"] = db
        get_settings.cache_clear()
    settings = get_settings()
    if not settings.demo_mode:
        refuse_demo_accounts(settings.database_url)
        engine_for(settings.database_url).dispose()  # the workers open their own connections
    workers = workers or os.cpu_count() or 1
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1 on its own; the client
    # address is the application's business (CAISSE_TRUSTED_PROXIES, web/auth.py client_origin)
    options = {"host": host, "port": port, "proxy_headers": False, "timeout_keep_alive": keep_alive,
               "access_log": access_log}
    if workers > 1:  # each worker builds the app from the environment (``--db`` was put there above)
        uvicorn.run("caisse.web.app:create_app", factory=True, workers=workers, **options)
        return
    from caisse.web.app import create_app

    uvicorn.run(create_app(), **options)


def refuse_demo_accounts(url: str) -> None:
    """A production start refuses to run on a database that holds demo logins (password = login)."""
    from sqlalchemy import select

    from caisse.errors import Conflict
    from caisse.store.db import session_scope
    from caisse.store.models import Account

    with session_scope(url) as session:
        if session.scalar(select(Account.id).where(Account.demo.is_(True)).limit(1)) is not None:
            raise Conflict("database", "this database holds demo logins; serve it with CAISSE_DEMO_MODE=true "
                           "(demo only) or use a production database")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("serve")(serve)
    app.command("demo")(demo)


def demo(
    affiliates: int = typer.Option(2000, min=1, help="Number of self-employed people."),
    companies: int | None = typer.Option(None, min=0, help="Number of companies (default: one per ten people)."),
    seed: int = typer.Option(1, help="Random seed: the same seed gives the same fund."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build the fund and stop (do not start the web server)."),
    db: str = typer.Option("sqlite:///var/demo.sqlite", "--db", help="Where to build the demo fund."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    calendar: bool = typer.Option(True, "--calendar/--no-calendar",
                                  help="Run the fund's calendar since 2024Q1: calls, payments, surcharges, …"),
) -> None:
    """Build a deterministic synthetic fund (SQLite by default) and serve it on localhost."""
    import datetime as dt
    import os
    from pathlib import Path

    from sqlalchemy import func, select

    from caisse.demo.generator import generate, load
    from caisse.errors import InvalidInput
    from caisse.store.db import engine_for
    from caisse.store.migrate import upgrade
    from caisse.store.models import Party

    if db.startswith("sqlite:///"):
        path = Path(db.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade(db)
    engine = engine_for(db)
    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Party)):
            raise InvalidInput("db", "the database already holds a fund; the demo builds only into an empty one")
    today = dt.date.today()
    typer.echo(f"Building a demo fund of {affiliates} self-employed people (seed {seed}) …")
    fund = generate(affiliates=affiliates, companies=companies, seed=seed, as_of=today)
    with engine.begin() as conn:
        counts = load(conn, fund)
    from caisse.demo.accounts import create_demo_accounts
    from caisse.store.db import session_scope

    with session_scope(db) as session:
        logins = create_demo_accounts(session, today)
    if calendar:
        from caisse.demo.calendar import run_calendar

        typer.echo("Running the fund's calendar since 2024Q1 (calls, bank statements, direct debits, surcharges) …")
        lived = run_calendar(db, today, seed, typer.echo)
        typer.echo(f"  {lived['quarters']} quarterly calls, {lived['statements']} bank statements, "
                   f"{lived['payments']} transfers, {lived['direct_debits']} direct debits")
    typer.echo(f"  {counts['person']} people, {counts.get('company', 0)} companies, "
               f"{counts['affiliation']} affiliations, {counts.get('professional_income', 0)} incomes on file")
    typer.echo(f"  database: {db}")
    url = f"http://{host}:{port}/"
    typer.echo(f"\nThe fund: {url}  (API documentation: {url}docs)")
    typer.echo("Log in with one of these demo logins; the password is the login itself:")
    for login, what in logins:
        typer.echo(f"  {login:<16} {what}")
    if no_serve:
        return
    import uvicorn

    from caisse.config import get_settings

    os.environ["CAISSE_DATABASE_URL"] = db
    os.environ["CAISSE_DEMO_MODE"] = "true"
    get_settings.cache_clear()
    from caisse.web.app import create_app

    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1 on its own; the client
    # address is the application's business (CAISSE_TRUSTED_PROXIES, web/auth.py client_origin)
    uvicorn.run(create_app(), host=host, port=port, proxy_headers=False)
