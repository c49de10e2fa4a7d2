"""The frame around the screens: top bar (site, text size, contrast, language), banner, bottom bar."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

# The root .kv uses these classes: importing registers them with Kivy's Factory.
from kiosk.widgets.base import KButton, LongPressLabel

__all__ = ["KButton", "LongPressLabel", "RootLayout"]


class RootLayout(BoxLayout):
    """The bottom bar (Quay lại, Trang chủ) leaves the tree on the home screen: a hidden bar
    would still catch the touches meant for the home screen's buttons."""

    def on_kv_post(self, base_widget: Any) -> None:
        self.bottom_bar = self.ids.bottom_bar.__self__
        self.ids.manager.bind(current=self._place_bottom_bar)
        self._place_bottom_bar(self.ids.manager, self.ids.manager.current)

    def _place_bottom_bar(self, _manager: object, current: str) -> None:
        at_home = current in ("", "home")
        if at_home and self.bottom_bar.parent is not None:
            self.remove_widget(self.bottom_bar)
        elif not at_home and self.bottom_bar.parent is None:
            self.add_widget(self.bottom_bar, index=0)
