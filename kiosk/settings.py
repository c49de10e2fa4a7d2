"""Kiosk settings: `LETAN_KIOSK__*` environment variables (nested with `__`)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PrinterSettings(BaseModel):
    """Where tickets go. `kind="none"` saves them as PNG files and shows them on screen."""

    kind: Literal["none", "usb", "network", "serial"] = "none"
    host: str | None = None
    port: int = 9100
    usb_vendor: int | None = None
    usb_product: int | None = None
    serial_device: str = "/dev/ttyUSB0"
    baudrate: int = 9600
    width_px: int = Field(default=512, ge=200, le=1200)


class KioskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LETAN_KIOSK__", env_nested_delimiter="__", extra="ignore")

    backend_url: str = "http://127.0.0.1:8000/api/v1"
    rasa_url: str = "http://127.0.0.1:5005"
    device_token: str | None = None
    device_token_file: Path | None = None
    data_dir: Path = Path("var")
    printer: PrinterSettings = PrinterSettings()
    width: int = Field(default=1080, ge=320)
    height: int = Field(default=1920, ge=320)
    kiosk_mode: bool = False
    language: Literal["vi", "en"] = "vi"
    site_name: str = "Điểm phục vụ hành chính công"
    exit_pin: str | None = Field(default=None, pattern=r"^\d{4,8}$")
    idle_seconds: float = Field(default=60.0, gt=0)
    idle_answer_seconds: float = Field(default=20.0, gt=0)
    http_timeout: float = Field(default=5.0, gt=0)
    camera_index: int | None = None
    voice: bool = True

    @property
    def cache_file(self) -> Path:
        return self.data_dir / "kiosk-cache.json"

    @property
    def tickets_dir(self) -> Path:
        return self.data_dir / "tickets"

    def resolved_device_token(self) -> str | None:
        """The device token: this setting, `LETAN_DEVICE_TOKEN`, or the token file."""
        if self.device_token:
            return self.device_token.strip()
        env_token = os.environ.get("LETAN_DEVICE_TOKEN")
        if env_token:
            return env_token.strip()
        path = self.device_token_file or Path(os.environ.get("LETAN_DEVICE_TOKEN_FILE", "var/device-token"))
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return token or None


@lru_cache(maxsize=1)
def get_settings() -> KioskSettings:
    return KioskSettings()
