"""What every kiosk screen has: the kiosk's services (typed), `prepare(**params)`, `reset()`."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty
from kivy.uix.screenmanager import Screen

from kiosk.services import KioskServices


class KioskScreen(Screen):
    def __init__(self, services: KioskServices, **kwargs: Any) -> None:
        self.services = services  # before the kv rules run: they may use it
        super().__init__(**kwargs)
        # Widgets made in Python that tests and other code look up by name.
        self.named: dict[str, Any] = {}

    def prepare(self, **params: Any) -> None:
        """Called before the screen is shown, with what the previous screen passes on."""

    def reset(self) -> None:
        """Forget everything the citizen typed or saw here (privacy reset)."""

    def refresh_language(self) -> None:
        """Rebuild texts made in Python after a language change."""


class KeyboardScreen(KioskScreen):
    """A screen with an on-screen keyboard (`ids.keyboard`) shown inside `ids.column` while open.

    Closed, the keyboard leaves the tree: the rest of the screen gets the room, and an invisible
    keyboard cannot catch touches meant for the widgets under it.
    """

    keyboard_open = BooleanProperty(False)

    def on_kv_post(self, base_widget: Any) -> None:
        self.keyboard = self.ids.keyboard.__self__  # a strong reference while out of the tree
        self._place_keyboard()

    def on_keyboard_open(self, _instance: object, _value: bool) -> None:
        self._place_keyboard()

    def _place_keyboard(self) -> None:
        keyboard = getattr(self, "keyboard", None)
        if keyboard is None:
            return
        if self.keyboard_open and keyboard.parent is None:
            self.ids.column.add_widget(keyboard)
        elif not self.keyboard_open and keyboard.parent is not None:
            keyboard.parent.remove_widget(keyboard)
