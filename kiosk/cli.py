"""`letan kiosk`: the self-service touchscreen."""

import typer

app = typer.Typer(help="Màn hình cảm ứng tự phục vụ (Kivy).")
