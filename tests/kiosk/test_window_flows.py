"""Real-window flows (offscreen) against a real backend: touch through what a citizen does."""

from __future__ import annotations

from typing import Any

import requests

from contract.backend_client import BackendClient
from contract.resources import Procedure
from kiosk.presenters.procedures import procedure_card
from kiosk.strings import t
from tests.kiosk.driver import KioskDriver
from tests.support.backend import RunningBackend


def test_search_a_procedure_typed_without_diacritics(kiosk: KioskDriver) -> None:
    kiosk.tap_text(t("home.procedures"))
    assert kiosk.current == "procedures"
    screen = kiosk.screen()
    kiosk.tap(screen.ids.search_box)
    assert screen.keyboard_open
    kiosk.type_keys("dang ky khai sinh", screen.ids.keyboard)
    assert screen.query == "dang ky khai sinh"
    kiosk.tap(screen.ids.keyboard.enter_button)  # "Đồng ý" closes the keyboard: the list gets the room
    assert not screen.keyboard_open
    kiosk.wait_until(
        lambda: (
            screen.results and screen.results[0].id == "khai_sinh" and kiosk.find_text("Đăng ký khai sinh")
        ),
        what="khai sinh first in the results",
    )
    assert not screen.from_cache
    kiosk.frames(3)
    kiosk.tap_text("Đăng ký khai sinh")
    assert kiosk.current == "procedure"
    detail = kiosk.screen()
    kiosk.wait_until(lambda: detail.card is not None and detail.card.id == "khai_sinh", what="the card")
    shown = kiosk.texts()
    assert any("Giấy tờ cần mang" in text for text in shown)
    assert any(text.startswith("1.  ") for text in shown)  # the documents checklist
    assert any("Thông tin cập nhật ngày" in text for text in shown)
    assert kiosk.find_text(t("read_aloud")) is not None


def test_take_a_ticket_with_priority(kiosk: KioskDriver, backend_server: RunningBackend) -> None:
    kiosk.tap_text(t("home.queue"))
    screen = kiosk.screen("queue")
    services = requests.get(f"{backend_server.base_url}/services", timeout=5).json()
    kiosk.wait_until(lambda: kiosk.find_text(services[1]["name"]), what="services listed")
    kiosk.tap_text(services[1]["name"])
    assert screen.step == "priority"
    assert kiosk.find_text("Người cao tuổi, người khuyết tật, phụ nữ mang thai") is not None
    kiosk.tap(screen.named["priority_yes"])
    kiosk.tap_text(t("priority.pregnant"))
    kiosk.wait_until(lambda: screen.step == "ticket", what="the ticket")
    view = screen.ticket
    assert view.number.startswith(services[1]["letter"])
    assert view.number in screen.named["ticket_number"].text
    response = requests.get(
        f"{backend_server.base_url}/tickets/{view.id}", headers=backend_server.device_headers, timeout=5
    )
    assert response.status_code == 200
    stored = response.json()
    assert stored["number"] == view.number
    assert stored["priority"] == "pregnant"
    assert stored["channel"] == "kiosk"
    assert stored["status"] == "waiting"
    # No printer configured: the slip is saved and shown, and the citizen is told.
    kiosk.wait_until(lambda: screen.last_print is not None, what="the slip saved")
    assert screen.last_print.path.exists()
    assert screen.named["ticket_image"].source == str(screen.last_print.path)
    assert kiosk.find_text("nhớ số trên màn hình") is not None


def test_take_a_ticket_from_a_procedure_card(kiosk: KioskDriver, backend_server: RunningBackend) -> None:
    kiosk.app.nav.go("procedure", procedure_id="khai_sinh")
    detail = kiosk.screen("procedure")
    kiosk.wait_until(lambda: detail.card is not None, what="the card")
    kiosk.tap_text(t("procedures.take_number"))
    queue = kiosk.screen("queue")
    assert queue.step == "priority"
    assert kiosk.find_text("Đăng ký khai sinh") is not None
    kiosk.tap(queue.named["priority_no"])
    kiosk.wait_until(lambda: queue.step == "ticket", what="the ticket")
    stored = requests.get(
        f"{backend_server.base_url}/tickets/{queue.ticket.id}",
        headers=backend_server.device_headers,
        timeout=5,
    ).json()
    assert stored["procedure_id"] == "khai_sinh"
    assert stored["priority"] == "none"


def test_look_up_a_demo_dossier_on_the_keypad(kiosk: KioskDriver, backend_server: RunningBackend) -> None:
    code, _verify = backend_server.seed_demo()[0]
    expected = requests.get(
        f"{backend_server.base_url}/dossiers/{code}", headers=backend_server.device_headers, timeout=5
    ).json()
    kiosk.tap_text(t("home.dossier"))
    screen = kiosk.screen("dossier")
    keypad = screen.ids.keypad
    assert screen.ids.search_button.disabled
    for ch in code:
        if ch in ".-":
            continue  # separators are inserted by themselves
        if ch.isalpha():
            assert keypad.wants_letter
        kiosk.tap_text(ch, keypad)
    assert keypad.text == code
    assert not screen.ids.search_button.disabled
    kiosk.tap(screen.ids.search_button)
    kiosk.wait_until(lambda: screen.result is not None, what="the dossier")
    assert screen.result.status_text == expected["status_text"]
    shown = "\n".join(kiosk.texts())
    assert expected["status_text"] in shown
    assert expected["next_step"] in shown
    assert expected["applicant"] in shown  # masked by the backend


def _look_up(kiosk: KioskDriver, code: str) -> Any:
    kiosk.tap_text(t("home.dossier"))
    screen = kiosk.screen("dossier")
    screen.ids.keypad.paste(code)
    kiosk.tap(screen.ids.search_button)
    kiosk.wait_until(lambda: screen.result is not None or not screen.searching, what="the dossier")
    assert screen.result is not None, screen.message
    return screen


def _type_digits(kiosk: KioskDriver, screen: Any, digits: str) -> None:
    kiosk.tap(screen.named["details_button"]) if screen.verify_pad is None else None
    pad = screen.verify_pad
    assert pad is not None
    for digit in digits:
        kiosk.tap_text(digit, pad)
    assert pad.text == digits
    kiosk.tap_text("OK", pad)


def test_dossier_details_after_the_last_four_phone_digits(
    kiosk: KioskDriver, backend_server: RunningBackend
) -> None:
    code, verify = backend_server.seed_demo()[1]  # the demo dossier that carries an officer's note
    detailed = requests.get(
        f"{backend_server.base_url}/dossiers/{code}",
        params={"verify": verify},
        headers=backend_server.device_headers,
        timeout=5,
    ).json()
    assert detailed["verified"] and detailed["note"]
    screen = _look_up(kiosk, code)
    assert not screen.result.verified
    assert detailed["note"] not in "\n".join(kiosk.texts())  # masked until the digits are given
    wrong = f"{(int(verify) + 1) % 10000:04d}"
    _type_digits(kiosk, screen, wrong)
    kiosk.wait_until(lambda: screen.verify_message == t("dossier.verify_wrong"), what="wrong digits")
    assert kiosk.find_text(t("dossier.verify_wrong")) is not None
    assert screen.verify_pad is not None and screen.verify_pad.text == ""  # cleared for a new try
    assert detailed["note"] not in "\n".join(kiosk.texts())
    _type_digits(kiosk, screen, verify)
    kiosk.wait_until(lambda: screen.result.verified, what="the details")
    shown = "\n".join(kiosk.texts())
    assert detailed["note"] in shown
    assert t("dossier.verified") in shown
    assert screen.verify_pad is None


def test_opt_in_to_status_messages_after_the_digits(
    kiosk: KioskDriver, backend_server: RunningBackend
) -> None:
    code, verify = backend_server.seed_demo()[0]
    screen = _look_up(kiosk, code)
    assert "optin_sms_zalo" not in screen.named  # not before the phone's digits matched
    assert kiosk.find_text(t("dossier.optin_offer")) is None
    _type_digits(kiosk, screen, verify)
    kiosk.wait_until(lambda: screen.result.verified, what="the details")
    assert kiosk.find_text(t("dossier.optin_offer")) is not None
    kiosk.tap(screen.named["optin_sms_zalo"])
    label = screen.named["optin_message"]
    kiosk.wait_until(lambda: t("dossier.optin_how_to_stop") in label.text, what="the agreement")
    assert "SMS và Zalo" in label.text
    assert "optin_sms_zalo" not in screen.named  # agreed once; the choice is gone
    shown = "\n".join(kiosk.texts())
    assert "0912" not in shown and verify not in shown  # no phone number, not even its last digits
    kiosk.tap_text(t("dossier.clear"), screen.ids.result_box)  # the next citizen: the digits are gone
    assert screen._verified_digits is None and "optin_card" not in screen.named


def test_too_many_wrong_digits_are_explained(kiosk: KioskDriver, backend_server: RunningBackend) -> None:
    code, verify = backend_server.seed_demo()[0]
    content = kiosk.app.content
    own_client = content.backend
    # A device of its own: the failures must not lock the kiosk out for the other tests.
    token = backend_server.add_device("kiosk-too-many")
    content.backend = BackendClient(backend_server.base_url, token, timeout_s=30)
    try:
        screen = _look_up(kiosk, code)
        wrong = f"{(int(verify) + 1) % 10000:04d}"
        _type_digits(kiosk, screen, wrong)  # typed once on the pad; the next tries are sent as typed
        for _attempt in range(10):  # the backend's default limit of failed look-ups
            if _attempt:
                screen.verify_pad.text = wrong
                screen.verify()
            kiosk.wait_until(
                lambda: screen.verify_message in (t("dossier.verify_wrong"), t("dossier.too_many")),
                what="an answer",
            )
            if screen.verify_message == t("dossier.too_many"):
                break
            screen.verify_message = ""
        _type_digits(kiosk, screen, verify)  # even the right digits wait now
        kiosk.wait_until(lambda: screen.verify_message == t("dossier.too_many"), what="the 429 message")
        assert not screen.result.verified
    finally:
        content.backend = own_client


def test_idle_reset_clears_the_phone_digits(kiosk: KioskDriver, backend_server: RunningBackend) -> None:
    code, _verify = backend_server.seed_demo()[0]
    screen = _look_up(kiosk, code)
    kiosk.tap(screen.named["details_button"])
    pad = screen.verify_pad
    for digit in "12":
        kiosk.tap_text(digit, pad)
    assert pad.text == "12"
    app = kiosk.app
    app.idle.idle_seconds = 60
    app.idle.answer_seconds = 20
    asked = app.session.prompts
    kiosk.clock.advance(60)
    kiosk.wait_until(lambda: app.session.prompts > asked, what="the question")
    kiosk.clock.advance(20)
    kiosk.wait_until(lambda: kiosk.current == "home", what="reset to home")
    assert pad.text == ""
    assert screen.verify_pad is None and screen.result is None
    assert screen.ids.keypad.text == ""
    assert "  ".join("12__") not in "\n".join(kiosk.texts(screen))


def test_unknown_dossier_code_is_explained(kiosk: KioskDriver) -> None:
    kiosk.app.nav.go("dossier")
    screen = kiosk.screen("dossier")
    screen.ids.keypad.paste("999.99.99.Z99-991231-9999")
    kiosk.tap(screen.ids.search_button)
    kiosk.wait_until(lambda: screen.message == t("dossier.not_found"), what="the not-found message")


def test_idle_question_then_reset_clears_the_typed_code(kiosk: KioskDriver) -> None:
    app = kiosk.app
    first_sender = app.conversation.sender_id
    kiosk.tap_text(t("home.dossier"))
    screen = kiosk.screen("dossier")
    for ch in "0000031":
        kiosk.tap_text(ch, screen.ids.keypad)
    assert screen.ids.keypad.text == "000.00.31."
    asked = app.session.prompts
    app.idle.idle_seconds = 60
    app.idle.answer_seconds = 20
    kiosk.clock.advance(60)
    kiosk.wait_until(lambda: app.session.prompts > asked, what="the question")
    assert kiosk.current == "dossier"
    assert kiosk.find_text(t("idle.question"), app.session.popup) is not None
    assert screen.ids.keypad.text == "000.00.31."  # nothing is cleared while asking
    kiosk.clock.advance(20)
    kiosk.wait_until(lambda: kiosk.current == "home", what="reset to home")
    assert screen.ids.keypad.text == ""
    assert app.conversation.sender_id != first_sender
    kiosk.wait_until(lambda: app.session.popup.parent is None, what="the question closed")


def test_idle_answer_keeps_the_typed_code(kiosk: KioskDriver) -> None:
    app = kiosk.app
    kiosk.tap_text(t("home.dossier"))
    screen = kiosk.screen("dossier")
    for ch in "123":
        kiosk.tap_text(ch, screen.ids.keypad)
    asked = app.session.prompts
    app.idle.idle_seconds = 60
    app.idle.answer_seconds = 20
    kiosk.clock.advance(60)
    kiosk.wait_until(lambda: app.session.prompts > asked, what="the question")
    kiosk.clock.advance(19)  # one second before the reset
    kiosk.frames(2)
    kiosk.tap(app.session.popup.yes_button)
    kiosk.wait_until(lambda: app.session.popup.parent is None, what="the question closed")
    assert not app.idle.asking
    assert kiosk.current == "dossier"
    assert screen.ids.keypad.text == "123."


def test_assistant_down_offers_the_touch_menus(kiosk: KioskDriver) -> None:
    kiosk.app.nav.go("conversation")
    screen = kiosk.screen("conversation")
    kiosk.type_keys("cho toi lay so", screen.ids.keyboard)
    assert screen.typed == "cho toi lay so"
    kiosk.tap(screen.ids.send_button)
    kiosk.wait_until(lambda: "menu" in screen.named and screen.named["menu"].parent is not None, what="menu")
    assert kiosk.find_text(t("chat.rasa_down")) is not None
    kiosk.tap_text(t("home.queue"), screen.named["menu"])
    assert kiosk.current == "queue"


def test_text_size_contrast_and_language(kiosk: KioskDriver) -> None:
    app = kiosk.app
    home = kiosk.screen("home")
    before = home.ids.queue_button.font_size
    root = app.root
    kiosk.tap(root.ids.text_size_button)
    kiosk.frames(2)
    assert home.ids.queue_button.font_size > before
    kiosk.tap(root.ids.contrast_button)
    assert app.theme.high_contrast and tuple(app.theme.bg) == (0, 0, 0, 1)
    kiosk.tap(root.ids.language_button)
    kiosk.frames(2)
    try:
        assert home.ids.queue_button.text == "Take a queue number"
    finally:
        kiosk.tap(root.ids.language_button)
    assert home.ids.queue_button.text == "Lấy số thứ tự"


def test_procedure_card_matches_the_backend(kiosk: KioskDriver, backend_server: RunningBackend) -> None:
    detail = requests.get(f"{backend_server.base_url}/procedures/thuong_tru", timeout=5).json()
    card = procedure_card(Procedure.from_dict(detail))
    kiosk.app.nav.go("procedure", procedure_id="thuong_tru")
    screen = kiosk.screen("procedure")
    kiosk.wait_until(lambda: screen.card is not None and screen.card.id == "thuong_tru", what="card")
    shown = "\n".join(kiosk.texts())
    for document in card.documents:
        assert document in shown
    assert card.fee in shown


def test_scan_a_receipt_qr_then_look_it_up(
    kiosk: KioskDriver, backend_server: RunningBackend, monkeypatch: Any
) -> None:
    """No camera here: the camera widget is replaced by a picture of a receipt's QR code, the rest
    (frame pixels read from the GL texture, zxing decoding, the look-up) is the real path."""
    import io

    import qrcode
    from kivy.core.image import Image as CoreImage
    from kivy.uix.image import Image

    import kiosk.screens.dossier as dossier_module

    code, _verify = backend_server.seed_demo()[2]
    png = io.BytesIO()
    qrcode.make(f"Giấy tiếp nhận hồ sơ - Mã hồ sơ: {code}", box_size=6, border=4).save(png)
    png.seek(0)
    receipt = Image(texture=CoreImage(png, ext="png").texture)
    monkeypatch.setattr(dossier_module, "camera_present", lambda _index: True)
    kiosk.tap_text(t("home.dossier"))
    screen = kiosk.screen("dossier")
    monkeypatch.setattr(screen, "open_camera", lambda: receipt)
    assert screen.has_camera and screen.scan_button.parent is not None
    kiosk.tap(screen.scan_button)
    assert screen.scan_prompt is not None
    kiosk.wait_until(lambda: screen.result is not None, what="the scanned dossier")
    assert screen.scan_prompt is None  # the camera is closed once the code is read
    assert screen.ids.keypad.text == code
    assert screen.result.status_text in "\n".join(kiosk.texts())


def test_scan_a_booking_qr_checks_it_in_and_says_why_when_it_cannot(
    kiosk: KioskDriver, backend_server: RunningBackend, monkeypatch: Any
) -> None:
    """The booking page's QR code scanned at the kiosk asks the backend for its ticket (the real
    path: GL frame, zxing, POST /bookings/check-in). A booking for a coming day gets no ticket today
    and the kiosk says so, with the way to a walk-in number."""
    import io

    import qrcode
    from kivy.core.image import Image as CoreImage
    from kivy.uix.image import Image

    import kiosk.screens.dossier as dossier_module

    base = backend_server.base_url
    windows = [
        w
        for offset in range(1, 7)
        for w in requests.get(
            f"{base}/booking/windows",
            params={"service_id": "ho_tich_chung_thuc", "days_from_today": offset},
            timeout=10,
        ).json()
    ]
    free = next(w for w in windows if w["free"] > 0)
    body = {"service_id": "ho_tich_chung_thuc", "day": free["day"], "window_start": free["window_start"],
            "phone": "0912555666"}  # fmt: skip
    code = requests.post(f"{base}/bookings", json=body, timeout=10).json()["code"]
    png = io.BytesIO()
    qrcode.make(f"letan-booking:{code}", box_size=6, border=4).save(png)
    png.seek(0)
    picture = Image(texture=CoreImage(png, ext="png").texture)
    monkeypatch.setattr(dossier_module, "camera_present", lambda _index: True)
    kiosk.tap_text(t("home.dossier"))
    screen = kiosk.screen("dossier")
    monkeypatch.setattr(screen, "open_camera", lambda: picture)
    kiosk.tap(screen.scan_button)
    queue = kiosk.screen("queue")
    kiosk.wait_until(lambda: queue.step == "error", what="the booking's answer")
    assert screen.scan_prompt is None  # the camera is closed once the code is read
    assert "không phải hôm nay" in "\n".join(kiosk.texts())
    walk_in = queue.named["walk_in"]
    assert walk_in.text == t("queue.take_number")
    walk_in.dispatch("on_release")  # its action; tapping this screen's buttons is tested elsewhere
    assert queue.step == "service"


def test_scan_button_only_with_a_camera(kiosk: KioskDriver) -> None:
    import kiosk.screens.dossier as dossier_module

    present = dossier_module.camera_present(kiosk.app.settings.camera_index)
    kiosk.tap_text(t("home.dossier"))
    screen = kiosk.screen("dossier")
    assert (screen.scan_button.parent is not None) == present
