"""Kiosk errors with stable codes; the screens turn them into Vietnamese messages."""

from __future__ import annotations


class KioskError(Exception):
    code = "kiosk_error"

    def __init__(self, code: str, message: str = "", status: int | None = None) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.status = status


class BackendError(KioskError):
    """A backend call failed: `backend_unavailable` (no answer) or the contract's error code."""

    @property
    def unavailable(self) -> bool:
        return self.code in ("backend_unavailable", "backend_error")


class RasaError(KioskError):
    """The conversation server did not answer."""


class PrinterError(KioskError):
    """The ticket printer failed (offline, paper out, not configured correctly)."""
