"""Common touch widgets: big buttons, wrapping labels, cards, "Đọc to", QR codes."""

from __future__ import annotations

import io
import time
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.image import Image
from kivy.uix.label import Label


class KLabel(Label):
    """A label that wraps to its width and grows to its text's height."""

    base_size = NumericProperty(34)


class KTitle(KLabel):
    pass


class KButton(Button):
    """A large flat touch button; `role` picks its colours: primary, secondary, danger, ghost."""

    role = StringProperty("primary")
    base_size = NumericProperty(38)
    tall = NumericProperty(120)  # least height in 1080-wide units; grows with wrapped text
    target = StringProperty("")


class Card(BoxLayout):
    pass


class ReadAloudButton(KButton):
    """Speaks `speech_text` through the speech engine, or explains that speech is unavailable."""

    speech_text = StringProperty("")

    def on_release(self) -> None:
        app: Any = App.get_running_app()
        if app is not None:
            app.read_aloud(self.speech_text)


class QRCodeImage(Image):
    data = StringProperty("")

    def on_data(self, _instance: object, value: str) -> None:
        if not value:
            self.texture = None
            return
        import qrcode

        qr = qrcode.QRCode(border=2, box_size=8)
        qr.add_data(value)
        qr.make(fit=True)
        pil = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
        buffer = io.BytesIO()
        pil.save(buffer, format="png")
        buffer.seek(0)
        texture = CoreImage(buffer, ext="png").texture
        texture.mag_filter = "nearest"
        self.texture = texture


class LongPressLabel(ButtonBehavior, Label):
    """A label that fires `on_long_press` after being held `hold_seconds` (the staff exit)."""

    hold_seconds = NumericProperty(3.0)
    __events__ = ("on_long_press",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pressed_at: float | None = None
        self._event: Any = None

    def on_press(self) -> None:
        self._pressed_at = time.monotonic()
        self._event = Clock.schedule_once(lambda _dt: self.dispatch("on_long_press"), self.hold_seconds)

    def on_release(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def on_long_press(self) -> None:
        pass


class Spacer(Label):
    pass


class Row(BoxLayout):
    pass


class Bubble(BoxLayout):
    kind = StringProperty("bot")
    text = StringProperty("")


class ColorBox(BoxLayout):
    bg = ListProperty([1, 1, 1, 1])
