"""Platform commands: `caisse db upgrade`, `caisse serve`, `caisse demo`."""

from __future__ import annotations

import typer

from caisse.config import get_settings

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)

DbOption = typer.Option(None, "--db", help="Database URL (default: CAISSE_DATABASE_URL or ./var/caisse.sqlite).")


def database_url(db: str | None) -> str:
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
          db: str | None = DbOption) -> None:
    """Serve the API and portal (FastAPI + uvicorn)."""
    import os

    import uvicorn

    if db:
        os.environ["CAISSE_DATABASE_URL"] = db
        get_settings.cache_clear()
    from caisse.web.app import create_app

    uvicorn.run(create_app(), host=host, port=port)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("serve")(serve)
