"""Dossier look-up: the code typed on a keypad laid out for its format, then the status in plain words."""

from __future__ import annotations

import logging
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from contract.errors import BackendError
from contract.resources import Dossier
from kiosk.presenters.dossier import (
    OPT_IN_CHOICES,
    VERIFY_DIGITS,
    DossierView,
    dossier_view,
    lookup_error_message,
    opt_in_error_message,
    opt_in_offered,
    opted_in_message,
    verified_message,
    verify_digits_problem,
)
from kiosk.presenters.scan import ScanResult, decode_receipt, decoder_available, frame_to_image
from kiosk.screens.base import KioskScreen
from kiosk.strings import t
from kiosk.widgets.base import Card, KButton, KLabel, KTitle, ReadAloudButton, Row
from kiosk.widgets.keyboard import DossierKeypad, PinPad

__all__ = ["DossierKeypad", "DossierScreen"]

logger = logging.getLogger(__name__)

SCAN_EVERY_SECONDS = 0.4
SCAN_GIVE_UP_SECONDS = 30.0


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

    verify_message = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result: DossierView | None = None
        self.looked_up_code: str | None = None
        self.verify_pad: PinPad | None = None
        # The four digits that matched, kept only for the opt-in that may follow; reset forgets them.
        self._verified_digits: str | None = None
        self.scan_prompt: Any = None
        self._scan_event: Any = None
        self._scan_busy = False
        self._scan_deadline = 0.0

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
        self.has_camera = camera_present(self.services.settings.camera_index) and decoder_available()
        self._place_scan_button()
        code = params.get("code")
        if code:
            self.ids.keypad.paste(str(code))

    def reset(self) -> None:
        self.stop_scan()
        self.ids.keypad.clear()
        self.message = ""
        self.result = None
        self.looked_up_code = None
        self._verified_digits = None
        self.searching = False
        self._drop_verify_pad()
        self.ids.result_box.clear_widgets()
        self.named.clear()
        self.ids.scroll.scroll_y = 1  # the next citizen starts at the top, not at the last result

    def _drop_verify_pad(self) -> None:
        """Forget the phone digits typed (and the pad holding them)."""
        if self.verify_pad is not None:
            self.verify_pad.text = ""
            self.verify_pad = None
        self.verify_message = ""

    def lookup(self) -> None:
        keypad = self.ids.keypad
        code = keypad.entry.code
        if code is None:
            self.message = t("dossier.incomplete")
            return
        self.message = t("dossier.searching")
        self.searching = True
        self._drop_verify_pad()
        self.ids.result_box.clear_widgets()

        def done(data: Dossier) -> None:
            self.searching = False
            self.message = ""
            self.looked_up_code = code
            self.show_result(dossier_view(data))

        def failed(error: BackendError) -> None:
            self.searching = False
            self.message = lookup_error_message(error.code, error.status)

        self.services.content.call(lambda b: b.dossier(code), done, failed)

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
        if view.verified:
            card.add_widget(KLabel(text=f"[b]{t('dossier.verified')}[/b]", color=self.services.theme.ok))
            note = view.note or t("dossier.no_note")
            card.add_widget(KLabel(text=f"[b]{t('dossier.note')}:[/b] {note}", base_size=40))
        box.add_widget(card)
        if opt_in_offered(view) and self._verified_digits is not None:
            self._add_opt_in(box)
        if not view.verified:
            details = KButton(text=t("dossier.details"), role="primary")
            details.bind(on_release=lambda _b: self.ask_verify())
            self.named["details_button"] = details
            box.add_widget(details)
        again = KButton(text=t("dossier.clear"), role="secondary")
        again.bind(on_release=lambda _b: self.reset())
        box.add_widget(again)

    # ---- optional details: the last four digits of the applicant's phone ----------------------
    def ask_verify(self) -> None:
        """Show a four-digit pad under the result; OK looks the dossier up again with the digits."""
        if self.verify_pad is not None or self.result is None:
            return
        box = self.ids.result_box
        prompt = KLabel(text=t("dossier.verify_prompt"), base_size=36)
        shown = KLabel(text="", halign="center", base_size=56)
        pad = PinPad(max_length=VERIFY_DIGITS)
        pad.bind(text=lambda _p, v: setattr(shown, "text", "  ".join(v.ljust(VERIFY_DIGITS, "_"))))
        shown.text = "  ".join("_" * VERIFY_DIGITS)
        pad.bind(on_enter=lambda _p: self.verify())
        message = KLabel(text="", base_size=38, halign="center", color=self.services.theme.danger)
        details = self.named.pop("details_button", None)
        if details is not None and details.parent is not None:
            details.parent.remove_widget(details)
        for widget in (prompt, shown, pad, message):
            box.add_widget(widget, index=1)  # above "Xóa hết"
        self.verify_pad = pad
        self.named.update(verify_shown=shown, verify_message=message)

    def on_verify_message(self, _instance: object, value: str) -> None:
        label = self.named.get("verify_message")
        if label is not None:
            label.text = value

    def verify(self) -> None:
        pad, code = self.verify_pad, self.looked_up_code
        if pad is None or code is None or self.searching:
            return
        digits = pad.text
        problem = verify_digits_problem(digits)
        if problem:
            self.verify_message = problem
            return
        self.searching = True
        self.verify_message = t("dossier.searching")

        def done(data: Dossier) -> None:
            self.searching = False
            view = dossier_view(data)
            wrong = verified_message(view)
            if wrong:
                pad.text = ""
                self.verify_message = wrong
                return
            self._drop_verify_pad()
            self._verified_digits = digits
            self.show_result(view)

        def failed(error: BackendError) -> None:
            self.searching = False
            pad.text = ""
            self.verify_message = lookup_error_message(error.code, error.status)

        self.services.content.call(lambda b: b.dossier(code, verify=digits), done, failed)

    # ---- status messages: opt in after a verified look-up -------------------------------------
    def _add_opt_in(self, box: Any) -> None:
        offer = Card()
        offer.add_widget(KLabel(text=f"[b]{t('dossier.optin_offer')}[/b]", base_size=38))
        for key, channels in OPT_IN_CHOICES:
            button = KButton(text=t(key), role="primary" if len(channels) > 1 else "secondary")
            button.bind(on_release=lambda _b, c=channels: self.opt_in(list(c)))
            offer.add_widget(button)
            self.named[f"optin_{'_'.join(channels)}"] = button
        result = KLabel(text="", base_size=36)
        offer.add_widget(result)
        self.named.update(optin_card=offer, optin_message=result)
        box.add_widget(offer)

    def opt_in(self, channels: list[str]) -> None:
        """Agree to messages on `channels` with the digits that matched (the backend checks them again)."""
        code, digits, label = self.looked_up_code, self._verified_digits, self.named.get("optin_message")
        if code is None or digits is None or label is None or self.searching:
            return
        self.searching = True
        label.text = t("dossier.optin_sending")

        def done(agreed: list[str]) -> None:
            self.searching = False
            label.text = opted_in_message(agreed)
            for key in list(self.named):
                if key.startswith("optin_") and key not in ("optin_card", "optin_message"):
                    button = self.named.pop(key)
                    if button.parent is not None:
                        button.parent.remove_widget(button)

        def failed(error: BackendError) -> None:
            self.searching = False
            label.text = opt_in_error_message(error.code, error.status)

        self.services.content.call(lambda b: b.subscribe_dossier(code, digits, channels), done, failed)

    # ---- scanning the receipt's QR/bar code ------------------------------------------------
    def open_camera(self) -> Any:
        """The Kivy camera widget (only offered when /dev/video* exists); None when it cannot start."""
        from kivy.uix.camera import Camera

        index = self.services.settings.camera_index or 0
        try:
            return Camera(index=index, resolution=(640, 480), play=True)
        except Exception as err:  # no camera provider (gstreamer/opencv) or the device is busy
            logger.warning("camera %s cannot start: %s", index, type(err).__name__)
            return None

    def scan(self) -> None:
        if self.scan_prompt is not None:
            return
        camera = self.open_camera() if decoder_available() else None
        if camera is None:
            self.services.notify(t("dossier.scan_unavailable"))
            return
        from kiosk.widgets.popups import ScanPrompt

        self.scan_prompt = ScanPrompt(camera, self.stop_scan)
        self.scan_prompt.camera = camera
        self.scan_prompt.open()
        self._scan_deadline = self.services.clock() + SCAN_GIVE_UP_SECONDS
        self._scan_event = Clock.schedule_interval(self._scan_tick, SCAN_EVERY_SECONDS)

    def _scan_tick(self, _dt: float) -> None:
        prompt = self.scan_prompt
        if prompt is None or self._scan_busy:
            return
        if self.services.clock() > self._scan_deadline:
            self.stop_scan()
            self.message = t("dossier.scan_nothing")
            return
        texture = getattr(prompt.camera, "texture", None)
        if texture is None:
            return
        # Read the pixels on the UI thread (GL; Texture.pixels is always RGBA), decode in the background.
        pixels, size = bytes(texture.pixels), (int(texture.width), int(texture.height))
        self._scan_busy = True
        self.services.background.run(
            lambda: decode_receipt(frame_to_image(pixels, size, "rgba")),
            self._scanned,
            lambda _err: self._scanned(None),
        )

    def _scanned(self, result: ScanResult | None) -> None:
        self._scan_busy = False
        if self.scan_prompt is None or result is None:
            return
        if result.booking_code is not None:  # a booking's QR: its ticket, on the queue screen
            self.stop_scan()
            self.services.nav.go("queue", booking_code=result.booking_code)
            return
        if result.code is None:
            if result.symbols:
                self.scan_prompt.hint.text = result.message  # a QR, but not a dossier's
            return
        self.stop_scan()
        self.ids.keypad.clear()
        self.ids.keypad.paste(result.code)
        self.lookup()

    def stop_scan(self) -> None:
        """Close the camera: the picture is neither kept nor shown once the code is read."""
        if self._scan_event is not None:
            self._scan_event.cancel()
            self._scan_event = None
        prompt, self.scan_prompt = self.scan_prompt, None
        self._scan_busy = False
        if prompt is None:
            return
        camera = prompt.camera
        if hasattr(camera, "play"):
            camera.play = False
        prompt.camera = None
        prompt.dismiss()
