"""Feedback: five faces and an optional comment typed on the Vietnamese keyboard."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from contract.errors import BackendError
from kiosk.screens.base import KioskScreen
from kiosk.strings import t
from kiosk.widgets.faces import FaceButton
from kiosk.widgets.keyboard import VietKeyboard

__all__ = ["FaceButton", "FeedbackScreen", "VietKeyboard"]


class FeedbackScreen(KioskScreen):
    rating = NumericProperty(0)
    comment = StringProperty("")
    message = StringProperty("")
    sent = BooleanProperty(False)

    def choose(self, rating: int) -> None:
        self.rating = rating
        self.message = t(f"rating.{rating}")

    def reset(self) -> None:
        self.rating = 0
        self.comment = ""
        self.message = ""
        self.sent = False
        self.ids.keyboard.clear()

    def prepare(self, **params: Any) -> None:
        if self.sent:
            self.reset()

    def send(self) -> None:
        if not self.rating:
            self.message = t("feedback.choose")
            return
        rating, comment = int(self.rating), self.comment.strip()

        def done(_result: Any) -> None:
            self.sent = True
            self.message = t("feedback.thanks")

        def failed(_error: BackendError) -> None:
            self.message = t("feedback.failed")

        self.services.content.call(lambda b: b.feedback(rating, comment), done, failed)
