"""The look the citizen chooses: colours (normal or high contrast), text size, language, the unit.

One `Theme` per app; the .kv files bind to it as `app.theme.<name>`.
"""

from __future__ import annotations

from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty

from kiosk.strings import get_language, set_language, t

TEXT_SCALES = (1.0, 1.2, 1.45)

Colour = tuple[float, float, float, float]

THEMES: dict[str, dict[str, Colour]] = {
    "normal": {
        "bg": (0.95, 0.96, 0.97, 1),
        "fg": (0.07, 0.09, 0.13, 1),
        "muted": (0.25, 0.28, 0.33, 1),
        "primary": (0.04, 0.30, 0.60, 1),
        "primary_fg": (1, 1, 1, 1),
        "secondary": (1, 1, 1, 1),
        "pressed": (0.95, 0.62, 0.05, 1),
        "border": (0.45, 0.5, 0.58, 1),
        "card": (1, 1, 1, 1),
        "danger": (0.68, 0.1, 0.08, 1),
        "ok": (0.05, 0.42, 0.18, 1),
        "warn_bg": (1, 0.92, 0.65, 1),
        "bar": (0.04, 0.22, 0.45, 1),
    },
    "contrast": {
        "bg": (0, 0, 0, 1),
        "fg": (1, 1, 1, 1),
        "muted": (1, 1, 0.6, 1),
        "primary": (1, 0.86, 0, 1),
        "primary_fg": (0, 0, 0, 1),
        "secondary": (0, 0, 0, 1),
        "pressed": (0, 0.9, 1, 1),
        "border": (1, 1, 1, 1),
        "card": (0.08, 0.08, 0.08, 1),
        "danger": (1, 0.55, 0.5, 1),
        "ok": (0.45, 1, 0.45, 1),
        "warn_bg": (0.35, 0.25, 0, 1),
        "bar": (0, 0, 0, 1),
    },
}
_NORMAL = THEMES["normal"]


class Theme(EventDispatcher):
    u = NumericProperty(1.0)  # one unit is a pixel on a 1080-wide portrait screen
    font_scale = NumericProperty(TEXT_SCALES[0])
    high_contrast = BooleanProperty(False)
    language = StringProperty("vi")
    bg = ColorProperty(_NORMAL["bg"])
    fg = ColorProperty(_NORMAL["fg"])
    muted = ColorProperty(_NORMAL["muted"])
    primary = ColorProperty(_NORMAL["primary"])
    primary_fg = ColorProperty(_NORMAL["primary_fg"])
    secondary = ColorProperty(_NORMAL["secondary"])
    pressed = ColorProperty(_NORMAL["pressed"])
    border = ColorProperty(_NORMAL["border"])
    card = ColorProperty(_NORMAL["card"])
    danger = ColorProperty(_NORMAL["danger"])
    ok = ColorProperty(_NORMAL["ok"])
    warn_bg = ColorProperty(_NORMAL["warn_bg"])
    bar = ColorProperty(_NORMAL["bar"])

    def __init__(self, language: str = "vi", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        set_language(language)
        self.language = get_language()

    def tr(self, key: str, _language: str | None = None, **values: Any) -> str:
        """The UI text of `key`; pass `app.theme.language` from kv so labels follow a language change."""
        return t(key, **values)

    def fit(self, width: float, height: float) -> None:
        """The unit for a window size; landscape screens use the height."""
        self.u = min(width / 1080, height / 1200) if width > height else width / 1080

    def cycle_text_size(self) -> None:
        index = TEXT_SCALES.index(self.font_scale) if self.font_scale in TEXT_SCALES else 0
        self.font_scale = TEXT_SCALES[(index + 1) % len(TEXT_SCALES)]

    def toggle_contrast(self) -> None:
        self.high_contrast = not self.high_contrast

    def toggle_language(self) -> None:
        set_language("en" if self.language == "vi" else "vi")
        self.language = get_language()

    def on_high_contrast(self, _instance: object, value: bool) -> None:
        for key, colour in THEMES["contrast" if value else "normal"].items():
            setattr(self, key, colour)

    def reset(self) -> None:
        """The next citizen starts with the normal text size and colours (the language stays)."""
        self.font_scale = TEXT_SCALES[0]
        self.high_contrast = False
