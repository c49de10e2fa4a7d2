"""Gặp cán bộ: tell staff a citizen wants help, and say where to go."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from contract.errors import BackendError
from kiosk.screens.base import KioskScreen
from kiosk.strings import t


class StaffScreen(KioskScreen):
    message = StringProperty("")

    def prepare(self, **params: Any) -> None:
        self.message = "…"
        summary = str(params.get("summary") or "Công dân bấm nút Gặp cán bộ trên kiosk")

        def done(_result: Any) -> None:
            self.message = t("staff.sent")

        def failed(_error: BackendError) -> None:
            self.message = t("staff.failed")

        self.services.content.call(lambda b: b.handoff("kiosk_button", summary), done, failed)

    def reset(self) -> None:
        self.message = ""
