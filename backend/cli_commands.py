"""The backend's own commands: serve, prepare, db, users, devices, demo."""

import typer


def register(app: typer.Typer) -> None:
    """Add the backend's commands to the `letan` command line."""
