"""Degraded operation in the real window: backend stopped, printer failing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from contract.backend_client import BackendClient
from kiosk.settings import PrinterSettings
from kiosk.strings import t
from kiosk.ticket_printing import TicketPrinter
from tests.kiosk.driver import KioskDriver
from tests.kiosk.printers import PaperOutPrinter
from tests.support.backend import RunningBackend, running_backend


@pytest.fixture
def own_backend(kiosk: KioskDriver, tmp_path: Path) -> Iterator[RunningBackend]:
    """A backend of this test alone (it gets stopped), plugged into the shared kiosk."""
    content = kiosk.app.content
    shared = content.backend
    with running_backend(tmp_path) as backend:
        content.backend = BackendClient(backend.base_url, backend.device_token, timeout_s=30)
        try:
            yield backend
        finally:
            backend.stop()
    content.backend = shared
    content.set_offline(False)


def test_backend_stopped_shows_cached_procedures_and_faq(
    kiosk: KioskDriver, own_backend: RunningBackend
) -> None:
    app = kiosk.app
    cache_file = app.content.cache.path
    cache_file.unlink(missing_ok=True)
    app.content.sync()
    kiosk.wait_until(
        lambda: cache_file.exists() and len(app.content.snapshot.procedures) >= 20, what="cache synced"
    )

    own_backend.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{own_backend.base_url}/health", timeout=2)

    kiosk.tap_text(t("home.procedures"))
    screen = kiosk.screen("procedures")
    kiosk.tap(screen.ids.search_box)
    kiosk.type_keys("thuong tru", screen.ids.keyboard)
    kiosk.tap(screen.ids.keyboard.enter_button)  # "Đồng ý" closes the keyboard: the list gets the room
    assert not screen.keyboard_open
    kiosk.wait_until(lambda: screen.from_cache and screen.results, what="results from the cache")
    assert screen.results[0].id == "thuong_tru"
    assert app.content.banner_text.startswith("Máy chủ đang gián đoạn")  # the citizen is told
    kiosk.frames(3)
    kiosk.tap_text("Đăng ký thường trú")
    detail = kiosk.screen("procedure")
    kiosk.wait_until(lambda: detail.card is not None and detail.card.id == "thuong_tru", what="cached card")
    assert detail.from_cache
    assert any("Giấy tờ cần mang" in text for text in kiosk.texts())

    app.nav.go("faq")
    faq = kiosk.screen("faq")
    kiosk.wait_until(lambda: faq.from_cache and faq.entries, what="cached FAQ")
    assert any("wifi" in text.lower() for text in kiosk.texts())

    # A ticket cannot be issued now: said clearly, with a way to try again.
    app.nav.go("queue", procedure_id="thuong_tru", procedure_name="Đăng ký thường trú")
    queue = kiosk.screen("queue")
    kiosk.tap(queue.named["priority_no"])
    kiosk.wait_until(lambda: queue.step == "error", what="the ticket error")
    assert kiosk.find_text(t("queue.unavailable")) is not None
    assert "retry" in queue.named

    # A dossier look-up neither.
    app.nav.go("dossier")
    dossier = kiosk.screen("dossier")
    dossier.ids.keypad.paste("000.00.12.H26-250701-0001")
    kiosk.tap(dossier.ids.search_button)
    kiosk.wait_until(lambda: dossier.message == t("dossier.unavailable"), what="the look-up error")


def test_printer_failure_keeps_the_ticket(
    kiosk: KioskDriver, backend_server: RunningBackend, tmp_path: Path
) -> None:
    app = kiosk.app
    original = app.services.ticket_printer
    app.services.ticket_printer = TicketPrinter(
        PrinterSettings(kind="usb", usb_vendor=0x0416, usb_product=0x5011),
        tmp_path,
        app.content.site_name,
        printer_factory=lambda _settings: PaperOutPrinter(),
    )
    try:
        app.nav.go("queue", procedure_id="khai_sinh", procedure_name="Đăng ký khai sinh")
        queue = kiosk.screen("queue")
        kiosk.tap(queue.named["priority_no"])
        kiosk.wait_until(lambda: queue.last_print is not None, timeout=20, what="the print attempt")
        assert queue.step == "ticket"
        assert not queue.last_print.printed
        assert queue.last_print.error_code == "printer_failed"
        number = queue.ticket.number
        assert number in queue.named["ticket_number"].text  # the number stays on screen
        assert queue.named["print_notice"].text == t("queue.print_failed")
        assert queue.last_print.path.exists()  # and the slip is kept as a file
        stored = requests.get(
            f"{backend_server.base_url}/tickets/{queue.ticket.id}",
            headers=backend_server.device_headers,
            timeout=10,
        ).json()
        assert stored["number"] == number
    finally:
        app.services.ticket_printer = original
