"""`letan nlu ...` commands."""

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Trợ lý Rasa: sinh dữ liệu, huấn luyện, chạy máy chủ.", no_args_is_help=True)


def _fail(err: Exception) -> None:
    typer.echo(f"Lỗi: {err}", err=True)
    raise typer.Exit(1)


@app.command()
def generate(
    out: Annotated[Path | None, typer.Option(help="thư mục ghi (mặc định nlu/data/generated)")] = None,
    content_dir: Annotated[
        Path | None, typer.Option(help="thư mục nội dung (mặc định content/ của dự án)")
    ] = None,
) -> None:
    """Sinh dữ liệu huấn luyện từ content/ vào nlu/data/generated/."""
    from content.errors import ContentError
    from nlu.generate import GENERATED_DIR
    from nlu.generate import generate as run_generate

    try:
        written = run_generate(out or GENERATED_DIR, content_dir)
    except ContentError as err:
        _fail(err)
    for path in written:
        typer.echo(f"Đã ghi {path}")


@app.command()
def train(
    force: bool = typer.Option(False, help="huấn luyện lại cả khi mô hình đã mới"),
    reload: str = typer.Option(None, "--reload", help="URL máy chủ Rasa đang chạy để nạp mô hình mới"),
    no_generate: bool = typer.Option(False, help="không sinh lại dữ liệu từ content/"),
) -> None:
    """Huấn luyện mô hình (bỏ qua khi không có gì thay đổi)."""
    from nlu.generate import generate as run_generate
    from nlu.serving import reload_model
    from nlu.training import NluError
    from nlu.training import train as run_train

    try:
        if not no_generate:
            run_generate()
        model = run_train(force=force)
        typer.echo(f"Mô hình: {model}")
        if reload:
            reload_model(reload, model)
            typer.echo(f"Đã nạp mô hình mới vào {reload}")
    except NluError as err:
        _fail(err)


@app.command()
def reload(url: str = typer.Option("http://127.0.0.1:5005", help="máy chủ Rasa đang chạy")) -> None:
    """Nạp mô hình hiện có vào máy chủ Rasa đang chạy (PUT /model), không cần khởi động lại."""
    from nlu.serving import reload_model
    from nlu.training import NluError

    try:
        reload_model(url)
    except NluError as err:
        _fail(err)
    typer.echo(f"Đã nạp mô hình vào {url}")


@app.command()
def serve(
    port: int = typer.Option(None, help="cổng (mặc định 5005)"),
    scaled: bool = typer.Option(False, help="dùng endpoints-scaled.yml (PostgreSQL + Redis)"),
) -> None:
    """Huấn luyện nếu cần, rồi chạy máy chủ Rasa (rasa run --enable-api) trên 127.0.0.1."""
    from nlu.serving import run_foreground, start_rasa, stop, wait_ready
    from nlu.settings import get_settings
    from nlu.training import NluError, is_stale
    from nlu.training import train as run_train

    settings = get_settings()
    try:
        if is_stale():
            typer.echo("Mô hình chưa có hoặc đã cũ: huấn luyện trước…")
        model = run_train()
        process = start_rasa(model, port=port, endpoints="endpoints-scaled.yml" if scaled else None)
        url = f"http://{settings.host}:{port or settings.port}"
        try:
            seconds = wait_ready(f"{url}/status", process, settings.ready_timeout)
        except NluError:
            stop(process)
            raise
    except NluError as err:
        _fail(err)
    typer.echo(f"Trợ lý sẵn sàng tại {url} sau {seconds:.1f} giây.")
    raise typer.Exit(run_foreground(process))


@app.command()
def actions(port: int = typer.Option(None, help="cổng (mặc định 5055)")) -> None:
    """Chạy máy chủ hành động (custom actions) trên 127.0.0.1."""
    from nlu.serving import run_foreground, start_actions

    raise typer.Exit(run_foreground(start_actions(port=port)))
