"""`caisse affiliate ...`: affiliate people and companies from the command line."""

from __future__ import annotations

import typer

app = typer.Typer(help="Affiliate people and companies, record changes and cessations.", no_args_is_help=True)
