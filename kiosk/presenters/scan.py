"""Reading a dossier code from a photo of the receipt's QR or bar code, or a booking's code from
the booking page's QR code (zxing-cpp decodes both)."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

from kiosk.strings import t
from vntext.dossier_code import find_dossier_code, mask_dossier_code
from vntext.spoken_codes import booking_code_in

logger = logging.getLogger(__name__)
# What the booking page's QR code holds before the code (backend/web/pages_booking.py).
BOOKING_QR_PREFIX = "letan-booking:"


@dataclass(frozen=True)
class ScanResult:
    """`code` is the canonical dossier code (or `booking_code` a booking's, from the booking page's
    QR code), else both None with `message` saying why in plain words."""

    code: str | None
    message: str
    symbols: int = 0  # QR/bar codes seen in the frame, with or without a dossier code
    booking_code: str | None = None


def decoder_available() -> bool:
    """Whether zxing-cpp is installed, without loading it (it is loaded only when a scan starts)."""
    from importlib.util import find_spec

    return find_spec("zxingcpp") is not None


def frame_to_image(pixels: bytes, size: tuple[int, int], colorfmt: str = "rgba") -> Any:
    """A camera texture's pixels as a PIL image, top row first (GL textures start at the bottom)."""
    from PIL import Image

    mode = {"rgba": "RGBA", "rgb": "RGB", "luminance": "L"}.get(colorfmt.lower(), "RGBA")
    image = Image.frombytes(mode, size, pixels)
    return image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def decode_receipt(image: Any) -> ScanResult:
    """Find a dossier code in a camera frame or a photo: a PIL image, or encoded image bytes."""
    from PIL import Image, UnidentifiedImageError

    try:
        import zxingcpp
    except ImportError:
        return ScanResult(None, t("dossier.scan_unavailable"))
    if isinstance(image, bytes | bytearray):
        try:
            image = Image.open(io.BytesIO(image))
            image.load()
        except (UnidentifiedImageError, OSError):
            return ScanResult(None, t("dossier.scan_nothing"))
    grey = image.convert("L")  # zxing reads luminance; colour and alpha only cost time
    try:
        symbols = zxingcpp.read_barcodes(grey)
    except (RuntimeError, ValueError) as err:
        logger.info("receipt scan failed: %s", type(err).__name__)
        return ScanResult(None, t("dossier.scan_nothing"))
    for symbol in symbols:
        text = symbol.text or ""
        if text.startswith(BOOKING_QR_PREFIX):
            booking = booking_code_in(text.removeprefix(BOOKING_QR_PREFIX))
            if booking:
                logger.info("booking QR scanned")
                return ScanResult(None, "", len(symbols), booking_code=booking)
        code = find_dossier_code(text)
        if code:
            logger.info("receipt scanned: %s", mask_dossier_code(code))
            return ScanResult(code, "", len(symbols))
    if symbols:
        return ScanResult(None, t("dossier.scan_no_code"), len(symbols))
    return ScanResult(None, t("dossier.scan_nothing"))
