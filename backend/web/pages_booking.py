"""The public booking page `/booking`: a citizen books a window on a phone, with no account.

Large text, one column; a phone number keeps the booking, its last four digits and the code find
it again (`/booking/manage`). The forms carry a signed token (no cookie on a public page), so a
page elsewhere cannot make bookings in a visitor's name; every submission counts against the
address's limit, as the API's do.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import ValidationError

from backend.api.auth import client_address
from backend.db import begin_write
from backend.deps import ClockDep, SessionDep, SettingsDep
from backend.errors import ApiError
from backend.services import booking, booking_windows, sites
from backend.services.auth import load_secret_key
from backend.services.queue import QueueCache
from backend.textcheck import vietnamese_phone
from backend.web.common import templates

router = APIRouter(include_in_schema=False)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
FORM_MAX_AGE_S = 3600


def _signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(load_secret_key(request.app.state.settings), salt="booking-form")


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    context = {"page_title": "Đặt lịch lấy số", "form_token": _signer(request).dumps("booking"), **context}
    response = templates().TemplateResponse(request, template, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _checked(request: Request, token: str, clock: Any) -> str | None:
    """Why a submission is refused (in Vietnamese), or None when its form token and the address's
    limit allow it."""
    try:
        _signer(request).loads(token, max_age=FORM_MAX_AGE_S)
    except BadSignature:
        return "Trang đặt lịch đã cũ; xin tải lại trang rồi chọn lại."
    try:
        request.app.state.booking_limiter.check(client_address(request), clock.now())
    except ApiError as err:
        return err.detail
    return None


def day_label(day: date, today: date) -> str:
    prefix = (
        "Hôm nay"
        if day == today
        else "Ngày mai"
        if day == today + timedelta(days=1)
        else WEEKDAYS[day.weekday()]
    )
    return f"{prefix}, {day:%d/%m}"


def qr_svg(text: str) -> str:
    """The QR code of `text` as inline SVG (the kiosk's camera reads it at check-in)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode().split("?>", 1)[-1]


def _choices(
    session: Any, settings: Any, clock: Any, site: str, service: str, day: date | None
) -> dict[str, Any]:
    zone = booking_windows.site_zone(session, site)
    today = clock.now().astimezone(zone).date()
    services = _site_services(session, site)
    service = service if any(s.id == service for s in services) else (services[0].id if services else "")
    days = booking_windows.bookable_days(today, settings.booking)
    day = day if day in days else days[0]
    windows = (
        booking_windows.day_windows(session, site, service, day, settings.booking, clock.now())
        if service
        else []
    )
    return {
        "sites": sites.list_sites(session),
        "site": site,
        "services": services,
        "service": service,
        "days": [(d, day_label(d, today)) for d in days],
        "day": day,
        "windows": windows,
    }


@router.get("/booking", response_class=HTMLResponse)
def booking_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    site: Annotated[str, Query(max_length=64)] = "default",
    service: Annotated[str, Query(max_length=64)] = "",
    day: date | None = None,
) -> HTMLResponse:
    try:
        site = sites.get_record(session, site).id
    except ApiError:
        site = "default"
    return _page(request, "booking.html", _choices(session, settings, clock, site, service, day))


@router.post("/booking", response_class=HTMLResponse)
def booking_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    form_token: Annotated[str, Form(max_length=500)] = "",
    site: Annotated[str, Form(max_length=64)] = "default",
    service: Annotated[str, Form(max_length=64)] = "",
    day: Annotated[str, Form(max_length=10)] = "",
    window: Annotated[str, Form(max_length=5)] = "",
    phone: Annotated[str, Form(max_length=30)] = "",
) -> HTMLResponse:
    def again(error: str, status: int) -> HTMLResponse:
        session.rollback()
        context = _choices(session, settings, clock, site, service, _date(day))
        return _page(
            request, "booking.html", {**context, "error": error, "phone": phone, "window": window}, status
        )

    refusal = _checked(request, form_token, clock)
    if refusal:
        return again(refusal, 429 if "quá nhiều" in refusal else 400)
    try:
        site_id = sites.get_record(session, site).id
        digits = vietnamese_phone(phone)
        booked_day = _date(day)
        if booked_day is None or not window:
            return again("Xin chọn ngày và khung giờ.", 422)
        record = booking.book(
            session, site_id=site_id, service_id=service, day=booked_day, window_start=window,
            phone=digits, channel="web", now=clock.now(), settings=settings.booking,
        )  # fmt: skip
    except (ValueError, ValidationError):
        return again("Số điện thoại chưa đúng; xin nhập số di động Việt Nam, ví dụ 0912 345 678.", 422)
    except ApiError as err:
        return again(err.detail, err.status_code)
    session.commit()
    return _page(request, "booking_done.html", _done_context(session, record))


def _done_context(session: Any, record: Any) -> dict[str, Any]:
    site = sites.get_record(session, record.site_id)
    names = {s.id: s.name for s in _site_services(session, record.site_id)}
    return {
        "booking": record,
        "site_name": site.name,
        "site_address": site.address,
        "service_name": names.get(record.service_id, record.service_id),
        "qr": qr_svg(f"letan-booking:{record.code}"),
        "phone_tail": record.phone[-2:],
    }


def _site_services(session: Any, site_id: str) -> list[Any]:
    """The site's queue services in their order on the board."""
    return list(QueueCache(0).services(session, site_id).values())


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@router.get("/booking/manage", response_class=HTMLResponse)
def manage_page(request: Request) -> HTMLResponse:
    return _page(request, "booking_manage.html", {})


@router.post("/booking/manage", response_class=HTMLResponse)
def manage_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    form_token: Annotated[str, Form(max_length=500)] = "",
    code: Annotated[str, Form(max_length=20)] = "",
    last_digits: Annotated[str, Form(max_length=4)] = "",
    cancel: Annotated[str, Form(max_length=3)] = "",
) -> HTMLResponse:
    refusal = _checked(request, form_token, clock)
    if refusal:
        return _page(request, "booking_manage.html", {"error": refusal, "code": code}, 429)
    try:
        record = booking.find(session, code, last_digits)
        if cancel == "yes":
            begin_write(session)
            booking.cancel(session, record, actor="citizen:web", now=clock.now())
            session.commit()
    except ApiError as err:
        session.rollback()
        return _page(request, "booking_manage.html", {"error": err.detail, "code": code}, err.status_code)
    context = {**_done_context(session, record), "last_digits": last_digits, "managed": True}
    return _page(request, "booking_done.html", context)
