"""Backend settings, read from `LETAN_*` environment variables through `get_settings()`.

What every process shares (the data directory, the device token file, the content directory, the
URLs) is `contract.settings.SharedSettings`, read once; the backend adds only its own variables.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.notify.providers import NotifySettings
from contract.settings import DATA_DIR, SharedSettings, shared_settings


class BookingSettings(BaseModel):
    """Booking ahead (`LETAN_BOOKING__*`): the windows of a day, how far ahead, the limits."""

    window_minutes: int = Field(default=30, ge=5, le=240)
    # opening hours cut into windows, local time "HH:MM-HH:MM"; Sunday is closed
    weekday_hours: list[str] = Field(default_factory=lambda: ["08:00-11:30", "13:00-16:30"])
    saturday_hours: list[str] = Field(default_factory=lambda: ["08:00-11:30"])
    days_ahead: int = Field(default=7, ge=1, le=31)  # today and the next six days
    default_capacity: int = Field(default=4, ge=0)  # bookings per window and service until staff set it
    grace_minutes: int = Field(default=15, ge=0)  # after the window ends, a check-in becomes a walk-in
    max_per_phone: int = Field(default=2, ge=1)  # bookings not yet used, per phone number
    lookups_per_minute: int = Field(default=10, ge=1)  # booking page look-ups per address


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LETAN_", env_nested_delimiter="__", extra="ignore")

    # Default: a SQLite file `letan.db` in the data directory. PostgreSQL: postgresql+psycopg://user@host/db
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # Signs staff bearer tokens. When unset, a random key is generated once into data_dir/secret-key.
    secret_key: str | None = None
    staff_token_minutes: int = Field(default=480, ge=1)
    timezone: str = "Asia/Ho_Chi_Minh"
    max_body_bytes: int = Field(default=256_000, ge=1024)
    # Failed dossier look-ups allowed per device within the window before 429.
    dossier_lookup_limit: int = Field(default=10, ge=1)
    dossier_lookup_window_seconds: int = Field(default=600, ge=1)
    # Minutes one ticket takes at one counter before there is any history.
    default_service_minutes: float = Field(default=5.0, gt=0)
    # Services, counters (and, longer, average service times) are re-read at most this often per process.
    queue_cache_seconds: float = Field(default=10.0, ge=0)
    service_time_cache_seconds: float = Field(default=30.0, ge=0)
    db_pool_size: int = Field(default=10, ge=1)
    # Login attempts (API and staff pages) allowed per source address per minute, per process.
    login_attempts_per_minute: int = Field(default=10, ge=1)
    log_level: str = "INFO"
    booking: BookingSettings = Field(default_factory=BookingSettings)
    # Status messages: providers (none configured: messages wait in the outbox), retries, opt-out link.
    notify: NotifySettings = Field(default_factory=NotifySettings)

    _shared: SharedSettings = PrivateAttr(default_factory=shared_settings)

    @classmethod
    def for_data_dir(cls, data_dir: Path, **values: Any) -> Settings:
        """Settings whose shared part has `data_dir` as LETAN_DATA_DIR (tests, one-off commands)."""
        settings = cls(**values)
        settings._shared = SharedSettings.from_env({**os.environ, DATA_DIR: str(data_dir)})
        return settings

    @property
    def shared(self) -> SharedSettings:
        return self._shared

    @property
    def data_dir(self) -> Path:
        return self._shared.data_dir

    @property
    def content_dir(self) -> Path | None:
        return self._shared.content_dir

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'letan.db').resolve()}"

    @property
    def device_token_file(self) -> Path:
        return self._shared.device_token_file

    @property
    def secret_key_file(self) -> Path:
        return self.data_dir / "secret-key"


@lru_cache
def get_settings() -> Settings:
    return Settings()
