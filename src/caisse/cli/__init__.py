"""The `caisse` command line. Each domain adds its own sub-app; errors print one line and exit 2."""

from __future__ import annotations

import click
import typer
from typer.core import TyperGroup

from caisse.errors import CaisseError


class UserError(click.ClickException):
    """A CaisseError shown as one line on stderr, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: ARG002 - click's signature
        click.echo(f"error: {self.message}", err=True)


class CaisseGroup(TyperGroup):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CaisseError as exc:
            raise UserError(str(exc)) from exc


app = typer.Typer(
    name="caisse",
    cls=CaisseGroup,
    help="caisse — run a Belgian social insurance fund for the self-employed.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from caisse.cli import affiliation, ledger, platform, simulate

    platform.register(app)
    app.add_typer(affiliation.app, name="affiliate")
    app.add_typer(simulate.app, name="simulate")
    app.add_typer(ledger.app, name="ledger")


_register()


def main() -> None:
    app()
