"""Booking a queue number ahead: a window of a service at a site, within the next seven days.

A citizen books a window (30 minutes by default) for a service; each window takes as many
bookings as the site's staff allow for that service. The booking has a short code; at the service
point the citizen gives the code (QR code at the kiosk, or says or types it to the assistant) and
gets a ticket of that service.

The order of the queue (`backend.services.queue`, ranks of `Ticket.priority_rank`):
1. the priority groups of the law (elderly, disabled, pregnant, small child), rank 0, in order of
   issue: they go first whether they booked or not;
2. booked tickets, rank 1, ordered by the start of their window, then by check-in: a booked
   ticket is called before every walk-in once its window has begun;
3. walk-ins, rank 2, in order of issue.
A citizen who checks in before the window gets the ticket at once, but it is not called before
the window starts (its place in the queue is the window's start). One who checks in later than
the end of the window plus a grace period (15 minutes) gets a walk-in ticket. A booking not
checked in by then is a no-show.

The windows themselves (opening hours, capacity, what is left) are `backend.services.booking_windows`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.clock import Clock
from backend.db import begin_write
from backend.errors import ConflictError, InvalidError, NotFoundError
from backend.models import Booking, BookingClosure, SiteRecord
from backend.services import audit, notify, queue
from backend.services import tickets as tickets_service
from backend.services.booking_windows import (
    Window,
    bookable_days,
    day_windows,
    nearest_free,
    site_zone,
    windows_of_day,
)
from backend.settings import BookingSettings
from vntext.spoken_codes import BOOKING_CODE_ALPHABET, BOOKING_CODE_LENGTH

logger = logging.getLogger(__name__)

CODE_ALPHABET, CODE_LENGTH = BOOKING_CODE_ALPHABET, BOOKING_CODE_LENGTH
ACTIVE = ("booked",)


def _new_code(session: Session) -> str:
    """A new code with letters and at least one digit (so that no word typed in a sentence is one)."""
    for _ in range(50):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not any(ch.isdigit() for ch in code) or code.isdigit():
            continue
        if session.scalar(select(Booking.id).where(Booking.code == code)) is None:
            return code
    raise ConflictError("booking_code_exhausted", "Chưa tạo được mã đặt lịch; mời bạn thử lại.")


def canonical_code(text: str) -> str:
    """A booking code as typed or spoken ("ac d-e f3", "acdef3") in its stored form, or InvalidError."""
    code = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        raise InvalidError("booking_code_malformed", "Mã đặt lịch gồm 6 chữ và số, ví dụ AC3F7K.")
    return code


def book(
    session: Session,
    *,
    site_id: str,
    service_id: str,
    day: date,
    window_start: str,
    phone: str,
    channel: str,
    now: datetime,
    settings: BookingSettings,
) -> Booking:
    """Book a window for a service; the caller commits.

    Refused: a day outside the next `days_ahead` days, a window that does not exist or has begun,
    a closed or full window (409 with the nearest free windows), a phone with too many bookings.
    """
    begin_write(session)
    zone = site_zone(session, site_id)
    today = now.astimezone(zone).date()
    if day not in bookable_days(today, settings):
        raise InvalidError(
            "booking_day_out_of_range",
            f"Chỉ đặt lịch được cho hôm nay và {settings.days_ahead - 1} ngày tới.",
        )
    queue.resolve_service(session, site_id, service_id, None)
    window = next((w for w in windows_of_day(settings, day) if w.key == window_start), None)
    if window is None or window.starts_at(zone) <= now:
        raise InvalidError(
            "booking_window_unknown", "Khung giờ này không nhận đặt lịch; hãy chọn khung giờ khác."
        )
    active = session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.phone == phone, Booking.status.in_(ACTIVE), Booking.day >= today)
    )
    if int(active or 0) >= settings.max_per_phone:
        raise ConflictError(
            "booking_limit_reached",
            f"Mỗi số điện thoại giữ được tối đa {settings.max_per_phone} lịch hẹn chưa dùng. "
            "Hãy huỷ một lịch cũ nếu muốn đặt thêm.",
        )
    view = next(
        v for v in day_windows(session, site_id, service_id, day, settings, now) if v.window == window
    )
    if view.free <= 0:
        nearest = nearest_free(session, site_id, service_id, window, settings, now)
        offer = "; ".join(w.label() for w in nearest) or "không còn khung giờ trống trong 7 ngày tới"
        raise ConflictError(
            "booking_window_full",
            f"Khung giờ {window.label()} đã kín. Khung giờ trống gần nhất: {offer}.",
            nearest=[{"day": w.day.isoformat(), "window_start": w.key} for w in nearest],
        )
    booking = Booking(
        site_id=site_id,
        service_id=service_id,
        day=day,
        window_start=window.key,
        window_minutes=settings.window_minutes,
        code=_new_code(session),
        phone=phone,
        channel=channel,
        status="booked",
        created_at=now,
    )
    session.add(booking)
    session.flush()
    logger.info("booking %s for %s %s %s", booking.id, site_id, service_id, window.key)
    return booking


def find(session: Session, code: str, last_digits: str) -> Booking:
    """The booking of a code, when the last four digits of its phone match (else 404, the same
    answer for a wrong code and wrong digits, so neither can be guessed alone)."""
    booking = session.scalar(select(Booking).where(Booking.code == canonical_code(code)))
    if booking is None or not last_digits or booking.phone[-4:] != last_digits:
        raise NotFoundError(
            "booking_not_found", "Không tìm thấy lịch hẹn với mã và 4 số cuối điện thoại này."
        )
    return booking


def cancel(session: Session, booking: Booking, *, actor: str, now: datetime) -> Booking:
    begin_write(session)
    if booking.status != "booked":
        raise ConflictError("booking_not_active", "Lịch hẹn này đã dùng hoặc đã huỷ.")
    booking.status, booking.cancelled_at = "cancelled", now
    audit.record(
        session,
        at=now,
        actor=actor,
        action="booking.cancel",
        entity_type="booking",
        entity_id=str(booking.id),
    )
    return booking


@dataclass(frozen=True)
class CheckIn:
    booking: Booking
    issued: tickets_service.IssuedTicket
    kind: str  # early, on_time, late


def check_in(
    session: Session,
    clock: Clock,
    code: str,
    *,
    site_id: str,
    device_id: int | None,
    channel: str,
    settings: BookingSettings,
    cache: queue.QueueCache | None = None,
) -> CheckIn:
    """The ticket of a booking, for the citizen at the service point; the caller commits."""
    begin_write(session)
    booking = session.scalar(select(Booking).where(Booking.code == canonical_code(code)).with_for_update())
    if booking is None or booking.site_id != site_id:
        raise NotFoundError("booking_not_found", "Không tìm thấy lịch hẹn này ở điểm phục vụ này.")
    zone = site_zone(session, site_id)
    now = clock.now()
    window = Window.of(booking)
    if booking.status == "cancelled":
        raise ConflictError("booking_cancelled", "Lịch hẹn này đã bị huỷ; mời bạn lấy số thường.")
    if booking.status in ("checked_in", "late") and booking.ticket_id is not None:
        ticket = tickets_service.get_ticket(session, booking.ticket_id)
        return CheckIn(booking, tickets_service.IssuedTicket(ticket, replayed=True), booking.status)
    if booking.day != now.astimezone(zone).date():
        raise ConflictError(
            "booking_other_day", f"Lịch hẹn này là ngày {booking.day:%d/%m/%Y}, không phải hôm nay."
        )
    late = now > window.last_check_in(zone, settings)
    issued = tickets_service.issue_ticket(
        session,
        clock,
        site_id=site_id,
        service_id=booking.service_id,
        procedure_id=None,
        priority="none",
        channel=channel,
        device_id=device_id,
        idempotency_key=None,
        booked_from=None if late else window.starts_at(zone),
        cache=cache,
    )
    kind = "late" if late else "early" if now < window.starts_at(zone) else "on_time"
    booking.status = "late" if late else "checked_in"
    booking.checked_in_at, booking.ticket_id = now, issued.ticket.id
    return CheckIn(booking, issued, kind)


def close_window(
    session: Session,
    *,
    site_id: str,
    service_id: str,
    day: date,
    window_start: str,
    reason: str,
    actor: str,
    now: datetime,
) -> list[Booking]:
    """Close a window (no more bookings) and cancel its bookings, each with an SMS saying why (in
    the same transaction: the outbox sends it). The caller commits."""
    begin_write(session)
    if session.get(BookingClosure, (site_id, service_id, day, window_start)) is None:
        session.add(
            BookingClosure(
                site_id=site_id, service_id=service_id, day=day, window_start=window_start,
                reason=reason, closed_by=actor, closed_at=now,
            )
        )  # fmt: skip
    cancelled = list(
        session.scalars(
            select(Booking).where(
                Booking.site_id == site_id,
                Booking.service_id == service_id,
                Booking.day == day,
                Booking.window_start == window_start,
                Booking.status == "booked",
            )
        )
    )
    site_name = session.get(SiteRecord, site_id).name  # type: ignore[union-attr]
    for booking in cancelled:
        booking.status, booking.cancelled_at = "cancelled", now
        notify.queue_booking_cancelled(session, booking, site_name=site_name, reason=reason, now=now)
    audit.record(
        session, at=now, actor=actor, action="booking.close_window", entity_type="booking_window",
        entity_id=f"{site_id}/{service_id}/{day.isoformat()}/{window_start}",
        details={"cancelled": len(cancelled), "reason": reason},
    )  # fmt: skip
    return cancelled


@dataclass(frozen=True)
class DayRow:
    service_id: str
    window_start: str
    booked: int
    checked_in: int
    late: int
    cancelled: int
    no_show: int


def day_report(
    session: Session, site_id: str, day: date, settings: BookingSettings, now: datetime
) -> list[DayRow]:
    """The day's bookings per window and service, with no-shows counted once their window is over."""
    zone = site_zone(session, site_id)
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for booking in session.scalars(select(Booking).where(Booking.site_id == site_id, Booking.day == day)):
        counts = rows.setdefault((booking.service_id, booking.window_start), dict.fromkeys(
            ("booked", "checked_in", "late", "cancelled", "no_show"), 0))  # fmt: skip
        over = now > Window.of(booking).last_check_in(zone, settings)
        status = "no_show" if booking.status == "booked" and over else booking.status
        counts[status] += 1
    return [DayRow(service, start, **counts) for (service, start), counts in sorted(rows.items())]


def no_show_rate(
    session: Session, site_id: str, since: date, until: date, settings: BookingSettings, now: datetime
) -> float | None:
    """The share of bookings of past windows that nobody checked in for (None when there were none)."""
    rows = [
        row
        for offset in range((until - since).days + 1)
        for row in day_report(session, site_id, since + timedelta(days=offset), settings, now)
    ]
    due = sum(r.no_show + r.checked_in + r.late for r in rows)
    return None if due == 0 else sum(r.no_show for r in rows) / due
