"""The windows a citizen may book (`backend.services.booking` books them): a day's opening hours
cut into windows, how many bookings each takes per service, and what is left in each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.db import begin_write
from backend.models import Booking, BookingCapacity, BookingClosure
from backend.services import queue
from backend.settings import BookingSettings


@dataclass(frozen=True)
class Window:
    day: date
    start: time
    end: time

    @classmethod
    def of(cls, booking: Booking) -> Window:
        """The window a booking was made for."""
        start = datetime.combine(booking.day, time.fromisoformat(booking.window_start))
        return cls(booking.day, start.time(), (start + timedelta(minutes=booking.window_minutes)).time())

    @property
    def key(self) -> str:
        return self.start.strftime("%H:%M")

    def starts_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.day, self.start, zone)

    def ends_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.day, self.end, zone)

    def last_check_in(self, zone: ZoneInfo, settings: BookingSettings) -> datetime:
        """Until when a check-in gets a booked ticket (the end plus the grace period): after it a
        check-in is a walk-in's and a booking not checked in is a no-show."""
        return self.ends_at(zone) + timedelta(minutes=settings.grace_minutes)

    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M} ngày {self.day:%d/%m/%Y}"


@dataclass(frozen=True)
class WindowView:
    window: Window
    capacity: int
    booked: int
    closed: bool

    @property
    def free(self) -> int:
        return 0 if self.closed else max(0, self.capacity - self.booked)


def site_zone(session: Session, site_id: str) -> ZoneInfo:
    """The site's time zone, read as the queue reads it (its local day numbers its tickets)."""
    return queue.QueueCache(0).zone(session, site_id)


def windows_of_day(settings: BookingSettings, day: date) -> list[Window]:
    """The bookable windows of a day: the opening hours cut into windows (none on Sunday)."""
    hours = settings.saturday_hours if day.weekday() == 5 else settings.weekday_hours
    if day.weekday() == 6:
        hours = []
    windows: list[Window] = []
    step = timedelta(minutes=settings.window_minutes)
    for span in hours:
        start_text, end_text = span.split("-")
        start = datetime.combine(day, time.fromisoformat(start_text))
        end = datetime.combine(day, time.fromisoformat(end_text))
        while start + step <= end:
            windows.append(Window(day, start.time(), (start + step).time()))
            start += step
    return windows


def bookable_days(today: date, settings: BookingSettings) -> list[date]:
    return [today + timedelta(days=i) for i in range(settings.days_ahead)]


def capacity(session: Session, site_id: str, service_id: str, settings: BookingSettings) -> int:
    row = session.get(BookingCapacity, (site_id, service_id))
    return row.per_window if row is not None else settings.default_capacity


def day_windows(
    session: Session, site_id: str, service_id: str, day: date, settings: BookingSettings, now: datetime
) -> list[WindowView]:
    """The windows of a day for a service with what is left in each (windows already begun excluded)."""
    zone = site_zone(session, site_id)
    per_window = capacity(session, site_id, service_id, settings)
    booked = dict(
        session.execute(
            select(Booking.window_start, func.count())
            .where(
                Booking.site_id == site_id,
                Booking.service_id == service_id,
                Booking.day == day,
                Booking.status.in_(("booked", "checked_in", "late")),
            )
            .group_by(Booking.window_start)
        ).all()
    )
    closed = set(
        session.scalars(
            select(BookingClosure.window_start).where(
                BookingClosure.site_id == site_id,
                BookingClosure.service_id == service_id,
                BookingClosure.day == day,
            )
        )
    )
    return [
        WindowView(w, per_window, int(booked.get(w.key, 0)), w.key in closed)
        for w in windows_of_day(settings, day)
        if w.starts_at(zone) > now
    ]


def nearest_free(
    session: Session, site_id: str, service_id: str, wanted: Window, settings: BookingSettings, now: datetime
) -> list[Window]:
    """Up to three free windows nearest to the one wanted (the same day first, then the next days)."""
    today = now.astimezone(site_zone(session, site_id)).date()
    free = [
        view.window
        for day in bookable_days(today, settings)
        for view in day_windows(session, site_id, service_id, day, settings, now)
        if view.free > 0
    ]
    anchor = datetime.combine(wanted.day, wanted.start)
    free.sort(key=lambda w: abs(datetime.combine(w.day, w.start) - anchor))
    return sorted(free[:3], key=lambda w: (w.day, w.start))


def set_capacity(session: Session, site_id: str, service_id: str, per_window: int) -> None:
    begin_write(session)
    row = session.get(BookingCapacity, (site_id, service_id))
    if row is None:
        session.add(BookingCapacity(site_id=site_id, service_id=service_id, per_window=per_window))
    else:
        row.per_window = per_window
