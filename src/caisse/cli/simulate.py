"""`caisse simulate ...`: the contribution and benefit simulator (see issue: legislation as code)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Simulate contributions, surcharges and benefits from the legal rules.", no_args_is_help=True)
