"""Procedures: by field, or found with a search box that ignores diacritics."""

from __future__ import annotations

from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from content.model import FIELD_NAMES
from contract.resources import Procedure, ProcedureSummary
from kiosk.screens.base import KeyboardScreen
from kiosk.strings import t
from kiosk.widgets.base import KButton, KLabel
from kiosk.widgets.keyboard import VietKeyboard

__all__ = ["ProceduresScreen", "VietKeyboard"]


class ProceduresScreen(KeyboardScreen):
    query = StringProperty("")
    field_id = StringProperty("")
    from_cache = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.results: list[ProcedureSummary] | list[Procedure] = []
        self._search_trigger = Clock.create_trigger(lambda _dt: self.search(), 0.25)
        self._requested: tuple[str, str] | None = None
        Clock.schedule_once(lambda _dt: self._build_fields(), 0)

    def _build_fields(self) -> None:
        box = self.ids.fields
        box.clear_widgets()
        for field_id, name in [("", t("procedures.all_fields")), *FIELD_NAMES.items()]:
            button = KButton(
                text=name, base_size=30, role="primary" if field_id == self.field_id else "secondary"
            )
            button.size_hint_x = None
            button.width = self.services.theme.u * (60 + 19 * len(name))
            button.field_id = field_id
            button.bind(on_release=partial(self._choose_field, field_id))
            box.add_widget(button)

    def refresh_language(self) -> None:
        self._build_fields()
        self.show_results(self.results, self.from_cache, force=True)

    def prepare(self, **params: Any) -> None:
        self.search()  # refreshed each time; the list is rebuilt only when it changed

    def reset(self) -> None:
        typed = bool(self.query or self.field_id)
        self.ids.keyboard.clear()
        self.query = ""
        self.field_id = ""
        self.keyboard_open = False
        for button in self.ids.fields.children:
            button.role = "primary" if getattr(button, "field_id", None) == "" else "secondary"
        if typed:
            self.search()  # the full list again, built now rather than on the next citizen's tap

    def toggle_keyboard(self) -> None:
        self.keyboard_open = not self.keyboard_open

    def on_keyboard_text(self, text: str) -> None:
        self.query = text
        self._search_trigger()

    def _choose_field(self, field_id: str, *_args: Any) -> None:
        self.field_id = field_id
        for button in self.ids.fields.children:
            button.role = "primary" if getattr(button, "field_id", None) == field_id else "secondary"
        self.search()

    def search(self) -> None:
        request = (self.query, self.field_id)
        self._requested = request

        def on_result(procedures: list[ProcedureSummary] | list[Procedure], from_cache: bool) -> None:
            if self._requested == request:
                self.show_results(procedures, from_cache)

        self.services.content.find_procedures(self.query.strip(), self.field_id or None, on_result)

    def show_results(
        self, procedures: list[ProcedureSummary] | list[Procedure], from_cache: bool, force: bool = False
    ) -> None:
        same = [p.id for p in procedures] == [p.id for p in self.results]
        if same and from_cache == self.from_cache and self.ids.results.children and not force:
            return  # typing one more letter often keeps the same list: no need to rebuild it
        self.results = procedures
        self.from_cache = from_cache
        box = self.ids.results
        box.clear_widgets()
        self.ids.scroll.scroll_y = 1  # new results start at the top
        if not procedures:
            empty = (
                t("procedures.no_cache")
                if from_cache and not self.services.content.snapshot.procedures
                else t("procedures.none_found")
            )
            box.add_widget(KLabel(text=empty, halign="center"))
            return
        for procedure in procedures:
            summary = procedure.summary
            button = KButton(text=procedure.name, role="secondary", base_size=36)
            button.halign = "left"
            button.procedure_id = procedure.id
            button.bind(on_release=partial(self.open_procedure, procedure.id))
            box.add_widget(button)
            if summary and len(procedures) <= 6:
                box.add_widget(KLabel(text=summary, base_size=30))

    def open_procedure(self, procedure_id: str, *_args: Any) -> None:
        self.services.nav.go("procedure", procedure_id=procedure_id)
