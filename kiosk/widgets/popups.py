"""Modal prompts: the idle question, notices, the staff exit PIN."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from kivy.app import App
from kivy.graphics import Color, RoundedRectangle
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from kiosk.strings import t
from kiosk.widgets.base import KButton, KLabel, KTitle
from kiosk.widgets.keyboard import PinPad


class _Panel(BoxLayout):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(orientation="vertical", **kwargs)
        app: Any = App.get_running_app()
        self.padding = app.theme.u * 36
        self.spacing = app.theme.u * 24
        self.size_hint_y = None
        self.bind(minimum_height=self.setter("height"))
        with self.canvas.before:
            self._color = Color(*app.theme.card)
            self._rect = RoundedRectangle(pos=self.pos, size=self.size, radius=[app.theme.u * 26])
        self.bind(pos=self._redraw, size=self._redraw)

    def _redraw(self, *_args: object) -> None:
        self._rect.pos = self.pos
        self._rect.size = self.size


class _Modal(ModalView):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("size_hint", (0.88, None))
        kwargs.setdefault("auto_dismiss", False)
        super().__init__(**kwargs)
        self.overlay_color = (0, 0, 0, 0.75)
        self.background_color = (0, 0, 0, 0)
        self.panel = _Panel()
        self.panel.bind(height=lambda _p, h: setattr(self, "height", h))
        self.add_widget(self.panel)


class IdlePrompt(_Modal):
    """ "Bạn còn ở đây không?" with one big answer button."""

    def __init__(self, on_yes: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.panel.add_widget(KTitle(text=t("idle.question"), halign="center"))
        self.panel.add_widget(KLabel(text=t("idle.explain"), halign="center"))
        self.yes_button = KButton(text=t("idle.yes"), role="primary", base_size=44)
        self.yes_button.bind(on_release=lambda _b: on_yes())
        self.panel.add_widget(self.yes_button)


class Notice(_Modal):
    message = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        kwargs["auto_dismiss"] = True
        super().__init__(**kwargs)
        self.label = KLabel(text=self.message, halign="center")
        self.bind(message=lambda _n, m: setattr(self.label, "text", m))
        self.panel.add_widget(self.label)
        ok = KButton(text=t("common.ok"), role="primary")
        ok.bind(on_release=lambda _b: self.dismiss())
        self.panel.add_widget(ok)


class ExitPrompt(_Modal):
    """Staff-only exit: the PIN from settings; without a configured PIN the kiosk cannot be left."""

    def __init__(self, pin: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pin = pin
        self.panel.add_widget(KTitle(text=t("exit.title"), halign="center"))
        self.message = KLabel(text=t("exit.pin") if pin else t("exit.disabled"), halign="center")
        self.panel.add_widget(self.message)
        if pin:
            self.shown = KLabel(text="", halign="center", base_size=48)
            self.panel.add_widget(self.shown)
            self.pad = PinPad()
            self.pad.bind(text=lambda _p, v: setattr(self.shown, "text", "•" * len(v)))
            self.pad.bind(on_enter=lambda _p: self.check())
            self.panel.add_widget(self.pad)
        cancel = KButton(text=t("common.cancel"), role="secondary")
        cancel.bind(on_release=lambda _b: self.dismiss())
        self.panel.add_widget(cancel)

    def check(self) -> None:
        if self.pin and hmac.compare_digest(self.pad.text, self.pin):
            self.dismiss()
            App.get_running_app().stop()
            return
        self.pad.text = ""
        self.message.text = t("exit.wrong")


class ScanPrompt(_Modal):
    """The camera picture while a receipt is scanned, a hint that changes with what is seen, a stop."""

    def __init__(self, camera: Any, on_stop: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        app: Any = App.get_running_app()
        self.panel.add_widget(KTitle(text=t("dossier.scan"), halign="center"))
        camera.size_hint_y = None
        camera.height = app.theme.u * 620
        self.panel.add_widget(camera)
        self.hint = KLabel(text=t("dossier.scan_hint"), halign="center")
        self.panel.add_widget(self.hint)
        self.stop_button = KButton(text=t("dossier.scan_stop"), role="secondary")
        self.stop_button.bind(on_release=lambda _b: on_stop())
        self.panel.add_widget(self.stop_button)
