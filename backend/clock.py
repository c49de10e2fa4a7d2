"""The backend's clock: one object per app, replaceable in tests (day boundary, wait times)."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self, tz_name: str = "Asia/Ho_Chi_Minh") -> None:
        self.tz = ZoneInfo(tz_name)

    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        return datetime.now(timezone.utc)

    def local_day(self, at: datetime | None = None, tz: ZoneInfo | None = None) -> date:
        """The service point's calendar day (numbering restarts at local midnight); `tz` is the
        site's time zone when it has its own."""
        return (at or self.now()).astimezone(tz or self.tz).date()


class FixedClock(Clock):
    """A clock that stays where a test puts it."""

    def __init__(self, at: datetime, tz_name: str = "Asia/Ho_Chi_Minh") -> None:
        super().__init__(tz_name)
        self.at = at

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at
