"""`letan speech ...` and `letan robot` commands."""

import typer

app = typer.Typer(help="Nhận dạng và tổng hợp tiếng nói.", no_args_is_help=True)
robot_app = typer.Typer(help="Vòng hội thoại bằng giọng nói của robot lễ tân (không màn hình).")
