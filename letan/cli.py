"""`letan`: one command line for every part of the assistant.

Each area keeps its commands in its own `cli.py`; they are only gathered here, at the top of the
layers, so that no area imports another one above it. Heavy imports (Kivy, Vosk, the database
engine) happen inside the commands, never when this module loads.
"""

import typer

from backend import cli_commands, content_commands
from content import cli as content_cli
from kiosk import cli as kiosk_cli
from nlu import cli as nlu_cli
from speech import cli as speech_cli

app = typer.Typer(
    help="letan — trợ lý tiếp dân của điểm phục vụ hành chính công.",
    no_args_is_help=True,
    add_completion=False,
)
cli_commands.register(app)
content_commands.register(content_cli.app)
app.add_typer(content_cli.app, name="content")
app.add_typer(nlu_cli.app, name="nlu")
app.add_typer(speech_cli.app, name="speech")
app.add_typer(kiosk_cli.app, name="kiosk")
app.add_typer(speech_cli.robot_app, name="robot")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
