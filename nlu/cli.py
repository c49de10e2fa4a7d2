"""`letan nlu ...` commands."""

import typer

app = typer.Typer(help="nlu", no_args_is_help=True)
