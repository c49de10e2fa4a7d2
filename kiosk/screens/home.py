"""Home: greeting, the service point, the five big choices and the voice button."""

from __future__ import annotations

from kiosk.screens.base import KioskScreen


class HomeScreen(KioskScreen):
    def press_voice(self) -> None:
        self.services.nav.go("conversation", listen=True)
