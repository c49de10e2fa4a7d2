"""Kiosk-only errors with stable codes (the backend's and Rasa's are `contract.errors`)."""

from __future__ import annotations


class PrinterError(Exception):
    """The ticket printer failed (offline, paper out, not configured correctly)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message or code
