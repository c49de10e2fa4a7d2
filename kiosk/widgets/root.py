"""The frame around the screens: top bar (site, text size, contrast, language), banner, bottom bar."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

# The root .kv uses these classes: importing registers them with Kivy's Factory.
from kiosk.widgets.base import KButton, LongPressLabel

__all__ = ["KButton", "LongPressLabel", "RootLayout"]


class RootLayout(BoxLayout):
    pass
