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
    from nlu.publishing import serving_model
    from nlu.serving import run_foreground, start_rasa, stop, wait_ready
    from nlu.settings import get_settings
    from nlu.training import NluError

    settings = get_settings()
    try:
        model = serving_model()  # the last published model, else the checkout's (trained if needed)
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


@app.command()
def publisher(
    poll: float = typer.Option(5.0, help="số giây giữa hai lần hỏi máy chủ có việc xuất bản không"),
) -> None:
    """Nhận các lần "Xuất bản cho trợ lý" của cán bộ: sinh dữ liệu, huấn luyện, nạp mô hình mới."""
    import logging
    import signal
    import threading

    from contract.backend_client import BackendClient
    from contract.settings import shared_settings
    from nlu.publishing import Publisher

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = shared_settings()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker = Publisher(BackendClient.from_settings(settings), settings.rasa_url)
    typer.echo(f"Đang chờ việc xuất bản từ {settings.backend_url} (Ctrl-C để dừng).")
    try:
        worker.run_forever(stop, poll_s=poll)
    except KeyboardInterrupt:
        stop.set()
