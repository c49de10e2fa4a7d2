"""python-escpos printers for tests: no real printer exists here."""

from typing import Any

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy


class RecordingPrinter(Dummy):
    """Keeps the ESC/POS bytes it was sent."""

    instances: list["RecordingPrinter"] = []  # noqa: RUF012

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        RecordingPrinter.instances.append(self)


class PaperOutPrinter(Dummy):
    """Fails the way an offline or paper-out printer does, in the middle of printing."""

    def image(self, *args: Any, **kwargs: Any) -> None:
        raise DeviceNotFoundError("paper out / offline")
