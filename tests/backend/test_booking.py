"""Booking a number ahead: windows, limits, check-in and the order of the queue, on both databases."""

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from backend.models import OutboxMessage

API = "/api/v1"
LOCAL = timezone(timedelta(hours=7))
# Wednesday 2 December 2026, 07:30 at the service point; windows from 08:00, 30 minutes each.
MORNING = datetime(2026, 12, 2, 7, 30, tzinfo=LOCAL)
TODAY = date(2026, 12, 2)


@pytest.fixture
def booking_day(client, content, clock):
    clock.set(MORNING)
    return client


def book(client, phone="0912345678", day=TODAY, window="08:00", service="ho_tich"):
    return client.post(
        f"{API}/bookings",
        json={"service_id": service, "day": day.isoformat(), "window_start": window, "phone": phone},
    )


def set_capacity(database, per_window: int) -> None:
    from backend.services import booking_windows

    with database.factory() as session:
        booking_windows.set_capacity(session, "default", "ho_tich", per_window)
        session.commit()


def call_next(client, staff, counter="quay_1"):
    response = client.post(f"{API}/counters/{counter}/call-next", headers=staff("counter"))
    return response.json()["number"] if response.status_code == 200 else None


def finish(client, staff, number_id):
    client.post(f"{API}/tickets/{number_id}/done", headers=staff("counter"))


def walk_in(client, device, priority="none"):
    response = client.post(
        f"{API}/tickets", json={"service_id": "ho_tich", "priority": priority}, headers=device
    )
    assert response.status_code == 201, response.text
    return response.json()


def check_in(client, device, code):
    response = client.post(f"{API}/bookings/check-in", json={"code": code}, headers=device)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_booking_takes_a_place_and_a_full_window_offers_the_nearest_free_ones(booking_day, database):
    set_capacity(database, 2)
    windows = booking_day.get(f"{API}/booking/windows", params={"service_id": "ho_tich", "day": "2026-12-02"})
    assert windows.status_code == 200
    first = windows.json()[0]
    assert (first["window_start"], first["window_end"], first["free"]) == ("08:00", "08:30", 2)
    made = book(booking_day, phone="0912000001")
    assert made.status_code == 201, made.text
    body = made.json()
    assert len(body["code"]) == 6 and body["window_start"] == "08:00"
    assert "0912000001" not in made.text and body["phone"].endswith("01")
    assert book(booking_day, phone="0912000002").status_code == 201
    full = book(booking_day, phone="0912000003")
    assert full.status_code == 409 and full.json()["code"] == "booking_window_full"
    assert "đã kín" in full.json()["detail"] and "08:30–09:00" in full.json()["detail"]
    again = booking_day.get(f"{API}/booking/windows", params={"service_id": "ho_tich", "day": "2026-12-02"})
    assert again.json()[0]["free"] == 0


def test_limits_days_ahead_windows_and_bookings_per_phone(booking_day):
    assert book(booking_day, day=TODAY + timedelta(days=7)).json()["code"] == "booking_day_out_of_range"
    assert book(booking_day, window="12:00").json()["code"] == "booking_window_unknown"  # lunch break
    assert book(booking_day, day=date(2026, 12, 6)).json()["code"] == "booking_window_unknown"  # Sunday
    assert book(booking_day, window="08:00").status_code == 201
    assert book(booking_day, window="09:00").status_code == 201
    third = book(booking_day, window="10:00")
    assert third.status_code == 409 and third.json()["code"] == "booking_limit_reached"


def test_look_up_and_cancel_need_the_code_and_the_last_four_digits_and_are_rate_limited(booking_day):
    code = book(booking_day, phone="0987654321").json()["code"]
    wrong_digits = booking_day.post(f"{API}/bookings/lookup", json={"code": code, "last_digits": "0000"})
    wrong_code = booking_day.post(f"{API}/bookings/lookup", json={"code": "AAAAAA", "last_digits": "4321"})
    assert wrong_digits.status_code == wrong_code.status_code == 404
    assert wrong_digits.json() == wrong_code.json()  # neither tells which half was wrong
    found = booking_day.post(f"{API}/bookings/lookup", json={"code": code.lower(), "last_digits": "4321"})
    assert found.status_code == 200 and found.json()["status"] == "booked"
    cancelled = booking_day.post(f"{API}/bookings/cancel", json={"code": code, "last_digits": "4321"})
    assert cancelled.json()["status"] == "cancelled"
    statuses = [
        booking_day.post(f"{API}/bookings/lookup", json={"code": "CCCCCC", "last_digits": "1111"}).status_code
        for _ in range(12)
    ]
    assert 429 in statuses  # guessing codes from one address stops within a minute


def test_booked_tickets_go_after_priority_groups_and_before_walk_ins_once_their_window_began(
    booking_day, device, staff, clock
):
    code = book(booking_day).json()["code"]
    clock.set(MORNING + timedelta(minutes=35))  # 08:05, inside the 08:00 window
    early_walk_in = walk_in(booking_day, device)
    elderly = walk_in(booking_day, device, priority="elderly")
    done = check_in(booking_day, device, code)
    assert done["kind"] == "on_time" and done["ticket"]["booked"] is True
    booked_number = done["ticket"]["number"]
    order = []
    for _ in range(3):
        number = call_next(booking_day, staff)
        order.append(number)
        ticket_id = {early_walk_in["number"]: early_walk_in["id"], elderly["number"]: elderly["id"]}.get(
            number, done["ticket"]["id"]
        )
        finish(booking_day, staff, ticket_id)
    assert order == [elderly["number"], booked_number, early_walk_in["number"]]


def test_an_early_arrival_waits_for_its_window_and_a_late_one_becomes_a_walk_in(
    booking_day, device, staff, clock
):
    early_code = book(booking_day, phone="0912000011", window="08:30").json()["code"]
    late_code = book(booking_day, phone="0912000012", window="08:00").json()["code"]
    clock.set(MORNING + timedelta(minutes=40))  # 08:10
    early = check_in(booking_day, device, early_code)
    assert early["kind"] == "early"
    walk = walk_in(booking_day, device)
    assert call_next(booking_day, staff) == walk["number"]  # the 08:30 booking is not due yet
    finish(booking_day, staff, walk["id"])
    assert call_next(booking_day, staff) is None
    clock.set(MORNING + timedelta(minutes=61))  # 08:31
    assert call_next(booking_day, staff) == early["ticket"]["number"]
    finish(booking_day, staff, early["ticket"]["id"])
    clock.set(MORNING + timedelta(minutes=76))  # 08:46: past 08:30 + 15 minutes of grace
    other = walk_in(booking_day, device)
    late = check_in(booking_day, device, late_code)
    assert late["kind"] == "late" and late["booking"]["status"] == "late" and not late["ticket"]["booked"]
    assert call_next(booking_day, staff) == other["number"]  # the late one queues as a walk-in
    again = check_in(booking_day, device, late_code)  # the kiosk scanned it twice
    assert again["ticket"]["id"] == late["ticket"]["id"]


def test_staff_see_the_day_close_a_window_and_no_shows_are_counted(
    booking_day, device, staff, clock, database
):
    kept = book(booking_day, phone="0912000021", window="08:00").json()["code"]
    book(booking_day, phone="0912000022", window="08:00")
    book(booking_day, phone="0912000023", window="09:00")
    closed = booking_day.post(
        f"{API}/bookings/close-window",
        json={"service_id": "ho_tich", "day": "2026-12-02", "window_start": "09:00", "reason": "Mất điện"},
        headers=staff("admin"),
    )
    assert closed.json() == {"cancelled": 1}
    with database.factory() as session:
        [message] = session.scalars(select(OutboxMessage).where(OutboxMessage.booking_id.is_not(None))).all()
    assert message.address == "0912000023" and message.channel == "sms" and message.state == "queued"
    assert "đã bị huỷ (Mất điện)" in message.text and "09:00 ngày 02/12/2026" in message.text
    assert book(booking_day, phone="0912000024", window="09:00").status_code == 409
    clock.set(MORNING + timedelta(minutes=35))
    check_in(booking_day, device, kept)
    clock.set(MORNING + timedelta(hours=2))  # every morning window above is over
    rows = booking_day.get(f"{API}/bookings/day", params={"day": "2026-12-02"}, headers=staff("admin")).json()
    by_window = {r["window_start"]: r for r in rows}
    assert by_window["08:00"]["checked_in"] == 1 and by_window["08:00"]["no_show"] == 1
    assert by_window["09:00"]["cancelled"] == 1
    assert booking_day.get(f"{API}/bookings/day", params={"day": "2026-12-02"}).status_code == 401


def test_the_counter_console_shows_which_tickets_were_booked(booking_day, device, database, clock):
    from tests.backend.test_content_pages import log_in

    code = book(booking_day).json()["code"]
    clock.set(MORNING + timedelta(minutes=35))
    booked = check_in(booking_day, device, code)["ticket"]["number"]
    walk = walk_in(booking_day, device)["number"]
    console = log_in(booking_day, database, "counter").get("/staff/counter/quay_1")
    rows = {
        number: row for number, row in re.findall(r"<strong>(\w+)</strong>(.*?)</tr>", console.text, re.S)
    }
    assert "Đặt lịch trước" in rows[booked] and "Đặt lịch trước" not in rows[walk]


def test_a_booking_records_where_it_was_made(booking_day, device, database):
    from backend.models import Booking

    by_voice = booking_day.post(
        f"{API}/bookings",
        json={"service_id": "ho_tich", "day": "2026-12-02", "window_start": "08:30",
              "phone": "0912000041", "channel": "robot"},
        headers=device,
    )  # fmt: skip
    assert by_voice.status_code == 201, by_voice.text
    assert book(booking_day, phone="0912000042").status_code == 201
    unknown = {"service_id": "ho_tich", "day": "2026-12-02", "window_start": "08:30", "phone": "0912000043"}
    assert booking_day.post(f"{API}/bookings", json={**unknown, "channel": "fax"}).status_code == 422
    with database.factory() as session:
        made = dict(session.execute(select(Booking.phone, Booking.channel)).tuples().all())
    assert made == {"0912000041": "robot", "0912000042": "web"}
