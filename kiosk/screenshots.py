"""`letan kiosk --screenshots DIR`: each main screen rendered offscreen with demo data, one PNG each."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.settings import KioskSettings

logger = logging.getLogger(__name__)


def take_screenshots(out_dir: Path, settings: KioskSettings, high_contrast: bool = False) -> list[Path]:
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kiosk.app import KioskApp, configure_kivy

    settings = settings.model_copy(update={"kiosk_mode": False, "idle_seconds": 3600.0, "voice": False})
    configure_kivy(settings, offscreen=True)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk.demo import DEMO_DOSSIER_CODE, DEMO_VERIFY_DIGITS, DemoBackend, DemoRasa

    out_dir.mkdir(parents=True, exist_ok=True)
    backend = DemoBackend()
    app = KioskApp(settings, backend=backend, rasa=DemoRasa(), sync_on_start=False)
    app.content.site_name = backend.api.site_model.name
    written: list[Path] = []

    def shot(name: str) -> Callable[[], None]:
        def take() -> None:
            target = out_dir / f"kiosk-{name}.png"
            produced = Window.screenshot(name=str(out_dir / f"_{name}.png"))
            if produced:
                Path(produced).replace(target)
                written.append(target)

        return take

    def screen(name: str) -> Any:
        return app.manager.get_screen(name)

    def conversation() -> None:
        app.nav.go("conversation")
        screen("conversation").send("Tôi muốn làm giấy khai sinh cho con")
        screen("conversation").keyboard_open = False  # as after "Gửi": the answer gets the room

    def dossier() -> None:
        app.nav.go("dossier")
        screen("dossier").ids.keypad.paste(DEMO_DOSSIER_CODE)
        screen("dossier").lookup()

    def dossier_typing() -> None:
        screen("dossier").reset()
        for ch in "0000031":
            screen("dossier").ids.keypad.press(ch)

    def dossier_verify() -> None:
        dossier_screen = screen("dossier")
        dossier_screen.ask_verify()
        for digit in DEMO_VERIFY_DIGITS[:2]:
            dossier_screen.verify_pad.press(digit)
        dossier_screen.ids.scroll.scroll_y = 0

    def dossier_details() -> None:
        dossier_screen = screen("dossier")
        dossier_screen.verify_pad.text = DEMO_VERIFY_DIGITS
        dossier_screen.verify()

    def procedures() -> None:
        app.nav.go("procedures")
        screen("procedures").keyboard_open = True
        screen("procedures").ids.keyboard.type_text("khai sinh")

    def idle() -> None:
        app.nav.go_home()
        app.nav.go("dossier")
        app.session.ask()

    def close_idle() -> None:
        if app.session.popup is not None:
            app.session.popup.dismiss()

    steps: list[Callable[[], None]] = [
        lambda: setattr(app.theme, "high_contrast", high_contrast),
        shot("home"),
        procedures,
        shot("procedures"),
        lambda: app.nav.go("procedure", procedure_id="khai_sinh"),
        shot("procedure"),
        lambda: app.nav.go("queue", procedure_id="khai_sinh", procedure_name="Đăng ký khai sinh"),
        shot("queue-priority"),
        lambda: screen("queue").issue("elderly"),
        lambda: None,
        shot("ticket"),
        dossier_typing,
        lambda: app.nav.go("dossier"),
        shot("dossier-typing"),
        dossier,
        shot("dossier"),
        dossier_verify,
        shot("dossier-verify"),
        dossier_details,
        lambda: setattr(screen("dossier").ids.scroll, "scroll_y", 0),
        shot("dossier-details"),
        conversation,
        lambda: None,
        shot("conversation"),
        lambda: app.nav.go("faq"),
        shot("faq"),
        lambda: app.nav.go("feedback"),
        lambda: screen("feedback").choose(5),
        shot("feedback"),
        idle,
        shot("idle"),
        close_idle,
        app.stop,
    ]

    def run_step(index: int) -> None:
        try:
            steps[index]()
        except Exception:
            logger.exception("screenshot step %d failed", index)
            app.stop()
            return
        if index + 1 < len(steps):
            Clock.schedule_once(lambda _dt: run_step(index + 1), 0.6)

    Clock.schedule_once(lambda _dt: run_step(0), 1.0)
    app.run()
    return written
