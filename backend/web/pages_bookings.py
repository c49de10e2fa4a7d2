"""Staff: the day's bookings per window and service, no-shows, capacity per window, closing a window."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import Response

from backend.deps import ClockDep, SettingsDep
from backend.errors import ApiError
from backend.services import booking, booking_windows
from backend.services.queue import QueueCache
from backend.web.common import DbDep, NeedsReader, redirect, render, staff_router

router = staff_router()


def _site(user: object, requested: str | None) -> str:
    """The staff member's own site; city-wide staff choose one with `?site=` (default site otherwise)."""
    own = getattr(user, "site_id", None)
    return own or requested or "default"


@router.get("/bookings", name="staff_bookings")
def bookings_page(
    request: Request,
    session: DbDep,
    user: NeedsReader,
    clock: ClockDep,
    settings: SettingsDep,
    day: date | None = None,
    site: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    site_id = _site(user, site)
    now = clock.now()
    today = now.astimezone(booking_windows.site_zone(session, site_id)).date()
    shown = day or today
    services = {s.id: s for s in QueueCache(0).services(session, site_id).values()}
    rows = booking.day_report(session, site_id, shown, settings.booking, now)
    rate = booking.no_show_rate(session, site_id, today - timedelta(days=30), today, settings.booking, now)
    context = {
        "page_title": "Lịch hẹn",
        "site": site_id,
        "day": shown,
        "days": booking_windows.bookable_days(today, settings.booking),
        "rows": [
            {"row": r, "service": services[r.service_id].name if r.service_id in services else r.service_id}
            for r in rows
        ],
        "services": list(services.values()),
        "capacity": {
            sid: booking_windows.capacity(session, site_id, sid, settings.booking) for sid in services
        },
        "windows": booking_windows.windows_of_day(settings.booking, shown),
        "no_show_rate": None if rate is None else round(rate * 100),
    }
    return render(request, "bookings.html", context, user=user, active="bookings")


@router.post("/bookings/capacity", name="staff_booking_capacity")
async def set_capacity(
    request: Request,
    session: DbDep,
    user: NeedsReader,
    service_id: Annotated[str, Form(max_length=64)] = "",
    per_window: Annotated[int, Form(ge=0, le=500)] = 0,
    site: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    site_id = _site(user, site)
    if service_id not in QueueCache(0).services(session, site_id):
        return redirect(request, "/staff/bookings", flash="Không có dịch vụ này.")
    booking_windows.set_capacity(session, site_id, service_id, per_window)
    session.commit()
    return redirect(request, "/staff/bookings", flash=f"Mỗi khung giờ nhận {per_window} lịch hẹn.")


@router.post("/bookings/close", name="staff_booking_close")
async def close_window(
    request: Request,
    session: DbDep,
    user: NeedsReader,
    clock: ClockDep,
    service_id: Annotated[str, Form(max_length=64)] = "",
    day: Annotated[date | None, Form()] = None,
    window_start: Annotated[str, Form(max_length=5)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    site: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    site_id = _site(user, site)
    back = f"/staff/bookings?day={day.isoformat()}" if day else "/staff/bookings"
    if day is None or not window_start or not reason.strip():
        return redirect(request, back, flash="Cần chọn ngày, khung giờ và ghi lý do để báo cho công dân.")
    try:
        cancelled = booking.close_window(
            session, site_id=site_id, service_id=service_id, day=day, window_start=window_start,
            reason=reason.strip(), actor=f"staff:{user.username}", now=clock.now(),
        )  # fmt: skip
    except ApiError as err:
        session.rollback()
        return redirect(request, back, flash=err.detail)
    session.commit()
    return redirect(
        request, back, flash=f"Đã đóng khung giờ {window_start}; {len(cancelled)} lịch hẹn bị huỷ."
    )
