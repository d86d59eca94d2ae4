"""The typer application of the `caisse` command line (``caisse.cli.main`` runs it). Each domain adds its own
sub-app; errors print one line and exit 2."""

from __future__ import annotations

import typer
from typer.core import TyperGroup

from caisse.cli import USER_ERROR_EXIT
from caisse.errors import CaisseError


class CaisseGroup(TyperGroup):
    """Shows a CaisseError (bad input, conflict, unknown file) as one line on stderr, exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CaisseError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(USER_ERROR_EXIT) from None


app = typer.Typer(
    name="caisse",
    cls=CaisseGroup,
    help="caisse — run a Belgian social insurance fund for the self-employed.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from caisse.cli import (
        accounts,
        affiliation,
        audit,
        benefits,
        cases,
        exchange,
        export,
        gdpr,
        import_coda,
        imports,
        ledger,
        platform,
        reconcile,
        recovery,
        relief,
        report,
        run,
        simulate,
    )

    platform.register(app)
    app.add_typer(affiliation.app, name="affiliate")
    app.add_typer(audit.app, name="audit")
    app.add_typer(simulate.app, name="simulate")
    app.add_typer(ledger.app, name="ledger")
    app.add_typer(gdpr.app, name="gdpr")
    app.add_typer(cases.app, name="cases")
    app.add_typer(accounts.app, name="account")
    app.add_typer(export.app, name="export")
    app.add_typer(reconcile.app, name="reconcile")
    app.add_typer(reconcile.mandate_app, name="mandate")
    app.add_typer(run.app, name="run")
    app.add_typer(run.notice_app, name="notice")
    app.add_typer(recovery.app, name="recovery")
    app.add_typer(relief.app, name="relief")
    report.register(app)
    app.add_typer(benefits.app, name="benefits")
    imports.app.command("coda")(import_coda.coda)
    exchange.register(app, export.app, imports.app)
    app.add_typer(imports.app, name="import")


_register()
