"""The Vietnamese on-screen keyboard (Telex, letter keys ă â đ ê ô ơ ư, tone keys) and keypads."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.presenters.dossier_entry import DossierCodeEntry
from kiosk.presenters.telex import TextBuffer
from kiosk.strings import t
from kiosk.widgets.base import KButton

LAYOUT_FILE = Path(__file__).resolve().parent.parent / "data" / "layouts" / "vi.json"


def _key_button(
    text: str, on_press: Any, role: str = "secondary", base_size: int = 36, tall: int = 100
) -> KButton:
    button = KButton(text=text, role=role, base_size=base_size, tall=tall)
    button.bind(on_release=lambda _b: on_press())
    return button


class VietKeyboard(BoxLayout):
    """Types into `text`; fires `on_enter` on the enter key."""

    text = StringProperty("")
    telex = BooleanProperty(True)
    enter_label = StringProperty("")
    __events__ = ("on_enter",)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("orientation", "vertical")
        super().__init__(**kwargs)
        self.buffer = TextBuffer()
        self.size_hint_y = None
        self.spacing = 6
        layout = json.loads(LAYOUT_FILE.read_text(encoding="utf-8"))
        for row in layout["rows"]:
            self.add_widget(self._row([(k, partial(self.press, k)) for k in row]))
        self.add_widget(
            self._row([(letter, partial(self.press_letter, letter)) for letter in layout["letters"]])
        )
        self.add_widget(
            self._row(
                [(label, partial(self.press_tone, tone or None)) for tone, label in layout["tones"]], 30
            )
        )
        bottom = BoxLayout(size_hint_y=None, spacing=6)
        self.telex_button = _key_button(t("keyboard.telex_on"), self.toggle_telex, base_size=28)
        self.telex_button.size_hint_x = 0.22
        space = _key_button(t("keyboard.space"), self.press_space, base_size=30)
        space.size_hint_x = 0.4
        delete = _key_button("Xóa", self.press_backspace, role="danger", base_size=30)
        delete.size_hint_x = 0.18
        self.enter_button = _key_button(
            self.enter_label or t("chat.send"), self._enter, role="primary", base_size=30
        )
        self.enter_button.size_hint_x = 0.2
        for widget in (self.telex_button, space, delete, self.enter_button):
            bottom.add_widget(widget)
        bottom.bind(minimum_height=bottom.setter("height"))
        bottom.height = self.telex_button.height
        self.telex_button.bind(height=lambda _w, h: setattr(bottom, "height", h))
        self.add_widget(bottom)

    def _row(self, keys: list[tuple[str, Any]], base_size: int = 36) -> BoxLayout:
        row = BoxLayout(size_hint_y=None, spacing=6)
        first: KButton | None = None
        for label, action in keys:
            button = _key_button(label, action, base_size=base_size)
            row.add_widget(button)
            first = first or button
        if first is not None:
            row.height = first.height
            first.bind(height=lambda _w, h: setattr(row, "height", h))
        return row

    def on_enter_label(self, _instance: object, value: str) -> None:
        if hasattr(self, "enter_button"):
            self.enter_button.text = value

    def _sync(self) -> None:
        self.text = self.buffer.text

    def press(self, key: str) -> None:
        self.buffer.key(key)
        self._sync()

    def press_letter(self, letter: str) -> None:
        self.buffer.letter(letter)
        self._sync()

    def press_tone(self, tone: str | None) -> None:
        self.buffer.tone(tone)
        self._sync()

    def press_space(self) -> None:
        self.buffer.space()
        self._sync()

    def press_backspace(self) -> None:
        self.buffer.backspace()
        self._sync()

    def toggle_telex(self) -> None:
        self.buffer.telex = not self.buffer.telex
        self.telex = self.buffer.telex
        self.telex_button.text = t("keyboard.telex_on") if self.telex else t("keyboard.telex_off")

    def type_text(self, text: str) -> None:
        """Type a whole string key by key (used by tests and by voice input)."""
        for ch in text:
            if ch == " ":
                self.press_space()
            else:
                self.press(ch)

    def set_text(self, text: str) -> None:
        self.buffer.text = text
        self._sync()

    def clear(self) -> None:
        self.buffer.clear()
        self._sync()

    def _enter(self) -> None:
        self.dispatch("on_enter")

    def on_enter(self) -> None:
        pass


class DossierKeypad(BoxLayout):
    """Digits laid out like a phone; when the code's letter position comes, letter keys appear."""

    text = StringProperty("")
    mask = StringProperty("")
    complete = BooleanProperty(False)
    wants_letter = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("orientation", "vertical")
        super().__init__(**kwargs)
        self.entry = DossierCodeEntry()
        self.size_hint_y = None
        self.spacing = 8
        self.digits = GridLayout(cols=3, spacing=8, size_hint_y=None)
        self.digits.bind(minimum_height=self.digits.setter("height"))
        for key in ["1", "2", "3", "4", "5", "6", "7", "8", "9"]:
            self.digits.add_widget(_key_button(key, partial(self.press, key), base_size=48))
        self.digits.add_widget(_key_button(t("dossier.clear"), self.clear, role="danger", base_size=32))
        self.digits.add_widget(_key_button("0", partial(self.press, "0"), base_size=48))
        self.digits.add_widget(
            _key_button(t("dossier.delete"), self.backspace, role="secondary", base_size=36)
        )
        self.letters = GridLayout(cols=7, spacing=8, size_hint_y=None)
        self.letters.bind(minimum_height=self.letters.setter("height"))
        for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            self.letters.add_widget(_key_button(letter, partial(self.press, letter), base_size=40))
        self.letters.add_widget(_key_button(t("dossier.delete"), self.backspace, role="danger", base_size=30))
        self.digits.bind(height=self._resize)
        self.letters.bind(height=self._resize)
        self._refresh()

    def _resize(self, *_args: object) -> None:
        shown = self.letters if self.wants_letter else self.digits
        self.height = shown.height

    def _refresh(self) -> None:
        self.text = self.entry.text
        self.mask = self.entry.remaining_mask
        self.complete = self.entry.complete
        wants = self.entry.expects_letter()
        if wants != self.wants_letter or not self.children:
            self.wants_letter = wants
            self.clear_widgets()
            self.add_widget(self.letters if wants else self.digits)
        self._resize()

    def press(self, key: str) -> None:
        self.entry.press(key)
        self._refresh()

    def backspace(self) -> None:
        self.entry.backspace()
        self._refresh()

    def clear(self) -> None:
        self.entry.clear()
        self._refresh()

    def paste(self, text: str) -> None:
        self.entry.paste(text)
        self._refresh()


class PinPad(GridLayout):
    text = StringProperty("")
    max_length = NumericProperty(8)
    __events__ = ("on_enter",)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cols", 3)
        super().__init__(**kwargs)
        self.spacing = 8
        self.size_hint_y = None
        self.bind(minimum_height=self.setter("height"))
        for key in ["1", "2", "3", "4", "5", "6", "7", "8", "9"]:
            self.add_widget(_key_button(key, partial(self.press, key), base_size=44))
        self.add_widget(_key_button(t("dossier.delete"), self.backspace, role="secondary", base_size=36))
        self.add_widget(_key_button("0", partial(self.press, "0"), base_size=44))
        self.add_widget(_key_button("OK", lambda: self.dispatch("on_enter"), role="primary", base_size=36))

    def press(self, key: str) -> None:
        if len(self.text) < self.max_length:
            self.text += key

    def backspace(self) -> None:
        self.text = self.text[:-1]

    def on_enter(self) -> None:
        pass
