"""Booking a number ahead: free windows and booking (public), look-up and cancel (code and the last
four digits of the phone), check-in at the service point (device), the day's view (staff)."""

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import AfterValidator, Field

from backend.api.auth import client_address
from backend.deps import CacheDep, ClockDep, DeviceDep, PublicSiteDep, SessionDep, SettingsDep, StaffDep
from backend.errors import InvalidError
from backend.schemas import Body, TicketPublic
from backend.services import booking, booking_windows
from backend.services.auth import require_site
from backend.services.queue import resolve_service
from backend.textcheck import vietnamese_phone

router = APIRouter(tags=["booking"])

CODE = Annotated[str, Field(min_length=4, max_length=20)]
LAST_DIGITS = Annotated[str, Field(pattern=r"^[0-9]{4}$")]
Phone = Annotated[str, Field(max_length=30), AfterValidator(vietnamese_phone)]
WINDOW_START = Annotated[str, Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$")]


class BookingCreate(Body):
    service_id: Annotated[str, Field(min_length=1, max_length=64)]
    day: date
    window_start: WINDOW_START
    phone: Phone
    channel: Literal["web", "kiosk", "robot"] = "web"


class BookingLookup(Body):
    code: CODE
    last_digits: LAST_DIGITS


class BookingCheckIn(Body):
    code: CODE
    channel: Literal["kiosk", "robot"] = "kiosk"


class WindowClose(Body):
    service_id: Annotated[str, Field(min_length=1, max_length=64)]
    day: date
    window_start: WINDOW_START
    reason: Annotated[str, Field(min_length=1, max_length=500)]


def booking_public(record: Any) -> dict[str, Any]:
    """What a citizen sees of a booking: never the phone, only its last two digits."""
    return {
        "code": record.code,
        "site_id": record.site_id,
        "service_id": record.service_id,
        "day": record.day.isoformat(),
        "window_start": record.window_start,
        "window_minutes": record.window_minutes,
        "status": record.status,
        "phone": f"•••••••{record.phone[-2:]}",
    }


def _limit(request: Request, clock: ClockDep) -> None:
    """Booking look-ups per address and minute (codes cannot be tried one after another)."""
    request.app.state.booking_limiter.check(client_address(request), clock.now())


@router.get("/booking/windows")
def windows(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    site: PublicSiteDep,
    service_id: Annotated[str, Query(min_length=1, max_length=64)],
    day: date | None = None,
    days_from_today: Annotated[int | None, Query(ge=0, le=31)] = None,
) -> list[dict[str, Any]]:
    """The windows of a day (`day`, or `days_from_today` by the site's calendar) for a service at
    the site, with the places left in each."""
    resolve_service(session, site, service_id, None)
    if day is None:
        today = clock.now().astimezone(booking_windows.site_zone(session, site)).date()
        day = today + timedelta(days=days_from_today or 0)
    return [
        {
            "day": v.window.day.isoformat(),
            "window_start": v.window.key,
            "window_end": v.window.end.strftime("%H:%M"),
            "free": v.free,
            "closed": v.closed,
        }
        for v in booking_windows.day_windows(session, site, service_id, day, settings.booking, clock.now())
    ]


@router.post("/bookings", status_code=201)
def create(
    body: BookingCreate,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    site: PublicSiteDep,
) -> dict[str, Any]:
    _limit(request, clock)
    record = booking.book(
        session, site_id=site, service_id=body.service_id, day=body.day, window_start=body.window_start,
        phone=body.phone, channel=body.channel, now=clock.now(), settings=settings.booking,
    )  # fmt: skip
    session.commit()
    return booking_public(record)


@router.post("/bookings/lookup")
def lookup(body: BookingLookup, request: Request, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    _limit(request, clock)
    return booking_public(booking.find(session, body.code, body.last_digits))


@router.post("/bookings/cancel")
def cancel(body: BookingLookup, request: Request, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    _limit(request, clock)
    record = booking.find(session, body.code, body.last_digits)
    booking.cancel(session, record, actor="citizen", now=clock.now())
    session.commit()
    return booking_public(record)


@router.post("/bookings/check-in")
def check_in(
    body: BookingCheckIn,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    cache: CacheDep,
    principal: DeviceDep,
) -> dict[str, Any]:
    """The ticket of a booking at this device's site: early (waits for its window), on time, or late
    (a walk-in ticket)."""
    from backend.api.tickets import ticket_public

    if principal.kind != "device":
        raise InvalidError("device_required", "Chỉ ki-ốt hoặc rô-bốt của điểm phục vụ nhận lịch hẹn.")
    done = booking.check_in(
        session, clock, body.code, site_id=principal.acting_site, device_id=principal.device_id,
        channel=body.channel, settings=settings.booking, cache=cache,
    )  # fmt: skip
    ticket: TicketPublic = ticket_public(
        session, clock, settings, done.issued.ticket, cache, done.issued.ahead
    )
    session.commit()
    return {
        "kind": done.kind,
        "booking": booking_public(done.booking),
        "ticket": ticket.model_dump(mode="json"),
    }


@router.get("/bookings/day")
def day_view(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    staff: StaffDep,
    site: PublicSiteDep,
    day: date | None = None,
) -> list[dict[str, Any]]:
    """A day's bookings per window and service (default: today at the site)."""
    require_site(staff, site, "Lịch hẹn")
    day = day or clock.now().astimezone(booking_windows.site_zone(session, site)).date()
    return [row.__dict__ for row in booking.day_report(session, site, day, settings.booking, clock.now())]


@router.post("/bookings/close-window")
def close_window(
    body: WindowClose, session: SessionDep, clock: ClockDep, staff: StaffDep, site: PublicSiteDep
) -> dict[str, Any]:
    require_site(staff, site, "Lịch hẹn")
    cancelled = booking.close_window(
        session, site_id=site, service_id=body.service_id, day=body.day, window_start=body.window_start,
        reason=body.reason, actor=staff.actor, now=clock.now(),
    )  # fmt: skip
    session.commit()
    return {"cancelled": len(cancelled)}
