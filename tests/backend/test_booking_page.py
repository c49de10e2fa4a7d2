"""The public booking page on a phone: book, see the code and its QR code, look it up, cancel."""

import re
from datetime import datetime, timedelta, timezone

import pytest

LOCAL = timezone(timedelta(hours=7))
MORNING = datetime(2026, 12, 2, 7, 30, tzinfo=LOCAL)


def form_token(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, "no form token on the page"
    return match.group(1)


@pytest.fixture
def page(client, content, clock):
    clock.set(MORNING)
    return client


def submit(page, html, **fields):
    data = {"form_token": form_token(html), "site": "default", "service": "ho_tich", "day": "2026-12-02"}
    return page.post("/booking", data={**data, **fields})


def test_a_citizen_books_on_the_page_and_gets_a_code_and_a_qr_code(page):
    form = page.get("/booking", params={"service": "ho_tich"})
    assert form.status_code == 200
    assert "Hôm nay, 02/12" in form.text and "Ngày mai, 03/12" in form.text
    assert 'value="08:00"' in form.text and "còn 4 chỗ" in form.text
    done = submit(page, form.text, window="08:00", phone="0912 345 678")
    assert done.status_code == 200, done.text
    code = re.search(r'aria-label="Mã đặt lịch">([A-Z0-9]{6})<', done.text).group(1)
    assert "<svg" in done.text and "08:00 ngày 02/12/2026" in done.text
    assert "0912345678" not in done.text and "••78" in done.text
    assert "còn 3 chỗ" in page.get("/booking", params={"service": "ho_tich"}).text
    manage = page.get("/booking/manage")
    wrong = page.post(
        "/booking/manage", data={"form_token": form_token(manage.text), "code": code, "last_digits": "0000"}
    )
    assert wrong.status_code == 404 and "Không tìm thấy lịch hẹn" in wrong.text
    found = page.post(
        "/booking/manage", data={"form_token": form_token(manage.text), "code": code, "last_digits": "5678"}
    )
    assert "Huỷ lịch này" in found.text
    cancelled = page.post(
        "/booking/manage",
        data={"form_token": form_token(manage.text), "code": code, "last_digits": "5678", "cancel": "yes"},
    )
    assert "Lịch hẹn đã huỷ" in cancelled.text
    assert "còn 4 chỗ" in page.get("/booking", params={"service": "ho_tich"}).text


def test_mistakes_are_explained_on_the_page_and_nothing_is_booked(page):
    form = page.get("/booking", params={"service": "ho_tich"})
    bad_phone = submit(page, form.text, window="08:00", phone="12345")
    assert bad_phone.status_code == 422 and "Số điện thoại chưa đúng" in bad_phone.text
    no_window = submit(page, form.text, phone="0912345678")
    assert no_window.status_code == 422 and "Xin chọn ngày và khung giờ." in no_window.text
    fields = {"site": "default", "service": "ho_tich", "day": "2026-12-02", "window": "08:00"}
    forged = page.post("/booking", data={"form_token": "x", **fields, "phone": "0912345678"})
    assert forged.status_code == 400 and "tải lại trang" in forged.text
    assert "còn 4 chỗ" in page.get("/booking", params={"service": "ho_tich"}).text


def test_staff_see_the_days_bookings_set_the_capacity_and_close_a_window(client, content, clock, database):
    from tests.backend.test_content_pages import csrf, log_in

    clock.set(MORNING)
    public = client.get("/booking", params={"service": "ho_tich"})
    assert submit(client, public.text, window="09:00", phone="0912000031").status_code == 200
    staff = log_in(client, database, "admin")
    page = staff.get("/staff/bookings")
    assert page.status_code == 200 and 'id="booking-day"' in page.text and "09:00" in page.text
    saved = staff.post(
        "/staff/bookings/capacity",
        data={"csrf_token": csrf(page.text), "service_id": "ho_tich", "per_window": "1"},
    )
    assert "Mỗi khung giờ nhận 1 lịch hẹn." in saved.text
    assert "đã kín" in client.get("/booking", params={"service": "ho_tich"}).text  # 09:00 now full
    closed = staff.post(
        "/staff/bookings/close",
        data={"csrf_token": csrf(page.text), "service_id": "ho_tich", "day": "2026-12-02",
              "window_start": "09:00", "reason": "Mất điện"},
    )  # fmt: skip
    assert "Đã đóng khung giờ 09:00; 1 lịch hẹn bị huỷ." in closed.text
    assert "không nhận" in client.get("/booking", params={"service": "ho_tich"}).text
