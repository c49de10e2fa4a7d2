"""Dossier look-up: the code typed on a keypad laid out for its format, then the status in plain words."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.errors import BackendError
from kiosk.presenters.dossier import DossierView, dossier_view, lookup_error_message
from kiosk.screens.base import KioskScreen
from kiosk.strings import t
from kiosk.widgets.base import Card, KButton, KLabel, KTitle, ReadAloudButton, Row
from kiosk.widgets.keyboard import DossierKeypad

__all__ = ["DossierKeypad", "DossierScreen"]


def camera_present(index: int | None) -> bool:
    """A camera is offered only when one exists (/dev/video*), or the configured index exists."""
    from pathlib import Path

    devices = sorted(Path("/dev").glob("video*"))
    if index is not None:
        return Path(f"/dev/video{index}").exists()
    return bool(devices)


class DossierScreen(KioskScreen):
    message = StringProperty("")
    searching = BooleanProperty(False)
    has_camera = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result: DossierView | None = None

    def on_kv_post(self, base_widget: Any) -> None:
        # A strong reference: the button is taken out of the tree when there is no camera.
        self.scan_button = self.ids.scan_button.__self__
        self._place_scan_button()

    def _place_scan_button(self) -> None:
        """The scan button exists only when a camera is present."""
        row = self.ids.action_row
        if self.has_camera and self.scan_button.parent is None:
            row.add_widget(self.scan_button)
        elif not self.has_camera and self.scan_button.parent is not None:
            row.remove_widget(self.scan_button)

    def prepare(self, **params: Any) -> None:
        self.has_camera = camera_present(self.app.settings.camera_index)
        self._place_scan_button()
        code = params.get("code")
        if code:
            self.ids.keypad.paste(str(code))

    def reset(self) -> None:
        self.ids.keypad.clear()
        self.message = ""
        self.result = None
        self.searching = False
        self.ids.result_box.clear_widgets()

    def lookup(self) -> None:
        keypad = self.ids.keypad
        code = keypad.entry.code
        if code is None:
            self.message = t("dossier.incomplete")
            return
        self.message = t("dossier.searching")
        self.searching = True
        self.ids.result_box.clear_widgets()

        def done(data: dict[str, Any]) -> None:
            self.searching = False
            self.message = ""
            self.show_result(dossier_view(data))

        def failed(error: BackendError) -> None:
            self.searching = False
            self.message = lookup_error_message(error.code, error.status)

        self.app.call_backend(lambda b: b.dossier(code), done, failed)

    def show_result(self, view: DossierView) -> None:
        self.result = view
        box = self.ids.result_box
        box.clear_widgets()
        card = Card()
        head = Row()
        head.add_widget(KTitle(text=view.status_text, base_size=46))
        head.add_widget(ReadAloudButton(speech_text=view.speech_text))
        card.add_widget(head)
        card.add_widget(KLabel(text=f"[b]{t('dossier.procedure')}:[/b] {view.procedure}"))
        if view.applicant:
            card.add_widget(KLabel(text=f"[b]{t('dossier.applicant')}:[/b] {view.applicant}"))
        if view.received_on:
            card.add_widget(KLabel(text=f"[b]{t('dossier.received')}:[/b] {view.received_on}"))
        if view.appointment_on:
            card.add_widget(
                KLabel(text=f"[b]{t('dossier.appointment')}:[/b] {view.appointment_on}", base_size=40)
            )
        if view.next_step:
            card.add_widget(KLabel(text=f"[b]{t('dossier.next_step')}:[/b] {view.next_step}", base_size=40))
        box.add_widget(card)
        again = KButton(text=t("dossier.clear"), role="secondary")
        again.bind(on_release=lambda _b: self.reset())
        box.add_widget(again)

    def scan(self) -> None:
        self.app.notify(t("dossier.scan_unavailable"))
