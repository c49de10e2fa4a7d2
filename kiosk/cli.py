"""`letan kiosk`: the self-service touchscreen."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Màn hình cảm ứng tự phục vụ (Kivy).")


@app.callback(invoke_without_command=True)
def kiosk(
    screenshots: Annotated[
        Path | None,
        typer.Option("--screenshots", help="Chụp từng màn hình với dữ liệu mẫu vào thư mục này rồi thoát."),
    ] = None,
    high_contrast: Annotated[
        bool, typer.Option("--high-contrast", help="Chụp màn hình với giao diện tương phản cao.")
    ] = False,
    demo: Annotated[bool, typer.Option("--demo", help="Chạy với dữ liệu mẫu, không cần máy chủ.")] = False,
) -> None:
    """Chạy kiosk (Kivy) theo cấu hình LETAN_* chung và LETAN_KIOSK__* riêng."""
    from kiosk.settings import get_settings

    settings = get_settings()
    if screenshots is not None:
        from kiosk.screenshots import take_screenshots

        written = take_screenshots(screenshots, settings, high_contrast=high_contrast)
        for path in written:
            print(path)
        if not written:
            raise typer.Exit(1)
        return
    from kiosk.app import KioskApp, configure_kivy

    configure_kivy(settings)
    if demo:
        from kiosk.demo import DemoBackend, DemoRasa

        KioskApp(settings, backend=DemoBackend(), rasa=DemoRasa(), sync_on_start=False).run()
        return
    KioskApp(settings).run()
