"""The ticket slip: a Pillow image with Vietnamese text and a QR code, printed through python-escpos."""

from pathlib import Path

from PIL import Image

from contract.resources import Service, Ticket
from kiosk.presenters.queue import ticket_view
from kiosk.settings import PrinterSettings
from kiosk.ticket_printing import TicketPrinter, render_ticket
from tests.kiosk.printers import PaperOutPrinter, RecordingPrinter

TICKET = ticket_view(
    Ticket.from_dict(
        {
            "id": 42,
            "number": "A023",
            "service_id": "ho_tich_chung_thuc",
            "counters": [{"id": "quay_1", "number": 1}],
            "ahead": 3,
            "estimated_wait_minutes": 9,
            "priority": "elderly",
        }
    ),
    [Service.from_dict({"id": "ho_tich_chung_thuc", "name": "Hộ tịch – Chứng thực"})],
)


def test_rendered_ticket_is_black_on_white_with_width_of_the_printer() -> None:
    image = render_ticket(TICKET, "Điểm phục vụ hành chính công phường Demo", width=384)
    assert image.width == 384
    assert image.height > 400
    assert image.mode == "L"
    histogram = image.histogram()
    dark = sum(histogram[:128])
    assert 0.03 < dark / (image.width * image.height) < 0.5  # text and QR code drawn, not blank, not solid


def test_no_printer_saves_the_ticket_to_a_file(tmp_path: Path) -> None:
    result = TicketPrinter(PrinterSettings(), tmp_path, "Phường Demo").issue(TICKET)
    assert not result.printed and result.error_code is None
    assert result.path.exists()
    assert Image.open(result.path).size[0] == 512
    assert "nhớ số" in result.message


def test_configured_printer_gets_the_image_as_raster(tmp_path: Path) -> None:
    RecordingPrinter.instances.clear()
    printer = TicketPrinter(
        PrinterSettings(kind="network", host="192.0.2.1"),
        tmp_path,
        "Phường Demo",
        printer_factory=lambda _s: RecordingPrinter(),
    )
    result = printer.issue(TICKET)
    assert result.printed
    sent = RecordingPrinter.instances[-1].output
    assert b"\x1dv0" in sent  # GS v 0: raster bit image
    assert b"\x1dV" in sent  # cut
    assert result.path.exists()


def test_printer_failure_keeps_the_ticket(tmp_path: Path) -> None:
    printer = TicketPrinter(
        PrinterSettings(kind="usb", usb_vendor=1, usb_product=2),
        tmp_path,
        "Phường Demo",
        printer_factory=lambda _s: PaperOutPrinter(),
    )
    result = printer.issue(TICKET)
    assert not result.printed
    assert result.error_code == "printer_failed"
    assert result.path.exists()
    assert "Số của bác vẫn giữ nguyên" in result.message


def test_unreachable_network_printer_is_reported_not_raised(tmp_path: Path) -> None:
    # Nothing listens on this address: python-escpos fails to connect; the slip is still saved.
    settings = PrinterSettings(kind="network", host="127.0.0.1", port=9)
    result = TicketPrinter(settings, tmp_path, "Phường Demo").issue(TICKET)
    assert not result.printed
    assert result.error_code is not None
    assert result.path.exists()
