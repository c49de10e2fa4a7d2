"""Five drawn faces for the satisfaction rating (no emoji font needed)."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Ellipse, Line
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget

FACE_COLOURS = {
    1: (0.80, 0.16, 0.12, 1),
    2: (0.93, 0.45, 0.10, 1),
    3: (0.95, 0.75, 0.10, 1),
    4: (0.55, 0.78, 0.20, 1),
    5: (0.15, 0.62, 0.25, 1),
}


class FaceButton(ButtonBehavior, Widget):
    rating = NumericProperty(3)
    selected = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self.redraw, size=self.redraw, selected=self.redraw, rating=self.redraw)

    def redraw(self, *_args: object) -> None:
        self.canvas.clear()
        size = min(self.width, self.height) * 0.9
        cx, cy = self.center
        x0, y0 = cx - size / 2, cy - size / 2
        with self.canvas:
            if self.selected:
                Color(0.04, 0.30, 0.60, 1)
                Ellipse(pos=(x0 - size * 0.06, y0 - size * 0.06), size=(size * 1.12, size * 1.12))
            Color(*FACE_COLOURS.get(int(self.rating), FACE_COLOURS[3]))
            Ellipse(pos=(x0, y0), size=(size, size))
            Color(0.1, 0.1, 0.1, 1)
            eye = size * 0.12
            Ellipse(pos=(cx - size * 0.22 - eye / 2, cy + size * 0.1), size=(eye, eye))
            Ellipse(pos=(cx + size * 0.22 - eye / 2, cy + size * 0.1), size=(eye, eye))
            # Mouth: a curve from frown (1) to big smile (5).
            bend = (int(self.rating) - 3) * size * 0.09
            mouth_y = cy - size * 0.2
            Line(
                bezier=[cx - size * 0.25, mouth_y, cx, mouth_y - bend * 2, cx + size * 0.25, mouth_y],
                width=max(2.0, size * 0.035),
            )
