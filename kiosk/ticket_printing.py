"""The queue ticket as an image (Pillow, Vietnamese text, QR code) and printing it with python-escpos.

ESC/POS code pages have no Vietnamese, so the printer gets a raster image. The image is always
saved to a file first: a printer error never loses the ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from kiosk.errors import PrinterError
from kiosk.presenters.queue import TicketView, priority_label
from kiosk.settings import PrinterSettings
from kiosk.strings import t

logger = logging.getLogger(__name__)

FONT_DIRS = [Path(__file__).parent / "data" / "fonts", Path("/usr/share/fonts/truetype/dejavu")]


def find_font(bold: bool = False) -> Path:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for directory in FONT_DIRS:
        if (directory / name).exists():
            return directory / name
    raise PrinterError(
        "ticket_font_missing", "Thiếu phông chữ DejaVu (gói fonts-dejavu-core) để in tiếng Việt."
    )


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(find_font(bold)), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}".strip()
            if draw.textlength(candidate, font=font) <= width or not current:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def render_ticket(
    ticket: TicketView, site_name: str, width: int = 512, now: datetime | None = None
) -> Image.Image:
    """A black-on-white ticket slip `width` pixels wide (a 58/80 mm thermal printer prints 384/512)."""
    margin = 16
    inner = width - 2 * margin
    scratch = ImageDraw.Draw(Image.new("L", (width, 10)))
    blocks: list[tuple[str, ImageFont.FreeTypeFont]] = []

    def add(text: str, size: int, bold: bool = False) -> None:
        if text:
            font = _font(size, bold)
            blocks.extend((line, font) for line in _wrap(scratch, text, font, inner))

    add(site_name, max(18, width // 22), bold=True)
    add(ticket.service_name, max(18, width // 24))
    add(t("queue.your_number"), max(18, width // 22))
    number_font = _font(max(60, width // 4), bold=True)
    blocks.append((ticket.number, number_font))
    add(ticket.counter_line, max(20, width // 20), bold=True)
    add(ticket.ahead_line, max(18, width // 24))
    add(ticket.wait_line, max(18, width // 24))
    if ticket.priority not in ("", "none"):
        add(f"Ưu tiên: {priority_label(ticket.priority)}", max(18, width // 24))
    issued = (now or datetime.now()).strftime("%H:%M %d/%m/%Y")
    add(issued, max(16, width // 28))

    import qrcode  # only a printed ticket needs it: not imported at the kiosk's start

    qr = qrcode.QRCode(border=2, box_size=max(3, width // 110))
    qr.add_data(f"letan-ticket:{ticket.id}:{ticket.number}")
    qr.make(fit=True)
    qr_image = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")

    heights: list[int] = []
    for text, font in blocks:
        _left, top, _right, bottom = scratch.textbbox((0, 0), text, font=font)
        heights.append(int(bottom - min(top, 0) + font.size // 4))
    height = margin * 2 + sum(heights) + qr_image.height + margin
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    y = margin
    for (text, font), h in zip(blocks, heights, strict=True):
        text_width = draw.textlength(text, font=font)
        draw.text(((width - text_width) / 2, y), text, font=font, fill=0)
        y += h
    y += margin // 2
    image.paste(qr_image, ((width - qr_image.width) // 2, y))
    return image


def make_printer(settings: PrinterSettings) -> Any:
    """A python-escpos printer for the configured kind, or None when no printer is configured."""
    if settings.kind == "none":
        return None
    try:
        if settings.kind == "network":
            from escpos.printer import Network

            if not settings.host:
                raise PrinterError("printer_config", "Máy in mạng chưa có địa chỉ.")
            return Network(settings.host, port=settings.port, timeout=5)
        if settings.kind == "usb":
            from escpos.printer import Usb

            if settings.usb_vendor is None or settings.usb_product is None:
                raise PrinterError("printer_config", "Máy in USB chưa có mã nhà sản xuất và mã sản phẩm.")
            return Usb(settings.usb_vendor, settings.usb_product)
        from escpos.printer import Serial

        return Serial(devfile=settings.serial_device, baudrate=settings.baudrate)
    except PrinterError:
        raise
    except Exception as err:
        raise PrinterError("printer_unavailable", "Không kết nối được máy in.") from err


@dataclass
class PrintResult:
    path: Path
    printed: bool
    error_code: str | None = None

    @property
    def message(self) -> str:
        if self.printed:
            return t("queue.printed")
        if self.error_code is None:
            return t("queue.saved")
        return t("queue.print_failed")


class TicketPrinter:
    """Saves every ticket image under `directory` and prints it when a printer is configured."""

    def __init__(
        self,
        settings: PrinterSettings,
        directory: Path,
        site_name: str,
        printer_factory: Callable[[PrinterSettings], Any] = make_printer,
    ) -> None:
        self.settings = settings
        self.directory = directory
        self.site_name = site_name
        self.printer_factory = printer_factory

    def issue(self, ticket: TicketView) -> PrintResult:
        image = render_ticket(ticket, self.site_name, width=self.settings.width_px)
        self.directory.mkdir(parents=True, exist_ok=True)
        safe_number = "".join(ch for ch in ticket.number if ch.isalnum()) or "ticket"
        path = self.directory / f"ticket-{safe_number}-{ticket.id}.png"
        image.save(path)
        try:
            printer = self.printer_factory(self.settings)
            if printer is None:
                return PrintResult(path, printed=False)
            try:
                printer.image(image.convert("1"), center=True)
                printer.cut()
            finally:
                close = getattr(printer, "close", None)
                if callable(close):
                    close()
        except PrinterError as err:
            logger.warning("ticket printer failed: %s", err.code)
            return PrintResult(path, printed=False, error_code=err.code)
        except Exception as err:
            logger.warning("ticket printer failed: %s", type(err).__name__)
            return PrintResult(path, printed=False, error_code="printer_failed")
        return PrintResult(path, printed=True)
