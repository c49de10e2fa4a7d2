"""Kiosk-only settings: `LETAN_KIOSK__*` environment variables (nested with `__`).

What every process shares (backend and Rasa URLs, the device token, the data directory, the HTTP
timeout) is `contract.settings.SharedSettings`, never defined here again; the kiosk's files live
under its data directory (`kiosk_paths`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from contract.settings import SharedSettings


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

    printer: PrinterSettings = PrinterSettings()
    width: int = Field(default=1080, ge=320)
    height: int = Field(default=1920, ge=320)
    kiosk_mode: bool = False
    language: Literal["vi", "en"] = "vi"
    site_name: str = "Điểm phục vụ hành chính công"
    exit_pin: str | None = Field(default=None, pattern=r"^\d{4,8}$")
    idle_seconds: float = Field(default=60.0, gt=0)
    idle_answer_seconds: float = Field(default=20.0, gt=0)
    camera_index: int | None = None
    voice: bool = True


@dataclass(frozen=True)
class KioskPaths:
    """The kiosk's files, in the shared data directory."""

    cache_file: Path
    tickets_dir: Path


def kiosk_paths(shared: SharedSettings) -> KioskPaths:
    return KioskPaths(
        cache_file=shared.data_dir / "kiosk-cache.json", tickets_dir=shared.data_dir / "tickets"
    )


@lru_cache(maxsize=1)
def get_settings() -> KioskSettings:
    return KioskSettings()
