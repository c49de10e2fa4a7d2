"""Amenities and frequent questions, each answer with "Đọc to"."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty

from contract.resources import Faq
from kiosk.screens.base import KioskScreen
from kiosk.strings import t
from kiosk.widgets.base import Card, KLabel, ReadAloudButton, Row


class FaqScreen(KioskScreen):
    from_cache = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entries: list[Faq] = []

    def prepare(self, **params: Any) -> None:
        self.services.content.load_faq(self.show)

    def reset(self) -> None:
        """Nothing personal is shown here: the answers stay built for the next citizen."""

    def refresh_language(self) -> None:
        self.show(self.entries, self.from_cache, force=True)

    def show(self, entries: list[Faq], from_cache: bool, force: bool = False) -> None:
        if entries == self.entries and from_cache == self.from_cache and self.ids.body.children and not force:
            return  # unchanged: keep the widgets (building them is the slow part of a tap)
        self.entries = entries
        self.from_cache = from_cache
        body = self.ids.body
        body.clear_widgets()
        if not entries:
            body.add_widget(KLabel(text=t("faq.none") if not from_cache else t("procedures.no_cache")))
            return
        for entry in entries:
            card = Card()
            head = Row()
            head.add_widget(KLabel(text=f"[b]{entry.question}[/b]", base_size=38))
            answer = entry.answer
            head.add_widget(ReadAloudButton(speech_text=answer))
            card.add_widget(head)
            card.add_widget(KLabel(text=answer))
            card.faq_key = entry.key
            body.add_widget(card)
