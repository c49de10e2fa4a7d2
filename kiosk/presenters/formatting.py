"""Small formatting helpers shared by the presenters."""

from __future__ import annotations

from datetime import date, datetime


def vn_date(value: object) -> str:
    """ "2025-11-21" (or a date) -> "21/11/2025"; anything else is returned as text."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    try:
        return datetime.fromisoformat(text[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return text
