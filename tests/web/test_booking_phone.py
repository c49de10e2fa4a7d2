"""The public booking page in a real browser on a phone-sized screen (Chromium, 390×844)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import SCREENSHOTS


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(60_000)  # generous: a loaded machine is slow, never wrong
    yield context.new_page()
    context.close()


def test_a_citizen_books_a_window_on_a_phone_and_gets_the_code_and_qr(phone: Any, backend: Any) -> None:
    phone.goto(f"{backend.root_url}/booking")
    assert phone.locator("h1").inner_text() == "Đặt lịch lấy số"
    # The first day with a free window (the backend runs on the real clock: today may be over).
    for button in range(phone.locator(".days button").count()):
        if phone.locator("input[name=window]:not([disabled])").count():
            break
        phone.locator(".days button").nth(button).click()
    free = phone.locator("input[name=window]:not([disabled])")
    assert free.count() > 0, "no free window in the next seven days"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is wider than the phone ({width} px)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "booking-form.png"), full_page=True)
    free.first.check()
    phone.fill("#phone", "0912 345 678")
    phone.click("button.primary")
    phone.wait_for_selector(".ticket-card")
    code = phone.locator(".code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    assert phone.locator(".qr svg").count() == 1
    assert "0912345678" not in phone.content()
    phone.screenshot(path=str(SCREENSHOTS / "booking-done.png"), full_page=True)
    phone.goto(f"{backend.root_url}/booking/manage")
    phone.fill("#code", code)
    phone.fill("#last_digits", "5678")
    phone.click("button.primary")
    phone.click("button[name=cancel]")
    assert phone.locator("h1").inner_text() == "Lịch hẹn đã huỷ"
