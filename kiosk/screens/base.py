"""What every kiosk screen has: access to the app, `prepare(**params)`, `reset()`."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.uix.screenmanager import Screen


class KioskScreen(Screen):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Widgets made in Python that tests and other code look up by name.
        self.named: dict[str, Any] = {}

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def prepare(self, **params: Any) -> None:
        """Called before the screen is shown, with what the previous screen passes on."""

    def reset(self) -> None:
        """Forget everything the citizen typed or saw here (privacy reset)."""

    def refresh_language(self) -> None:
        """Rebuild texts made in Python after a language change."""
