"""`letan content ...` commands."""

import typer

app = typer.Typer(help="content", no_args_is_help=True)
