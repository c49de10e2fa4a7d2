"""Queue tickets: the priority groups and what the ticket screen and the printed slip show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.strings import t

PRIORITY_GROUPS: list[str] = ["elderly", "disabled", "pregnant", "child"]


def priority_label(code: str) -> str:
    return t(f"priority.{code}")


@dataclass
class TicketView:
    id: str
    number: str
    service_id: str
    service_name: str
    counters: str
    ahead: int
    wait_minutes: int | None
    issued_at: str
    priority: str = "none"

    @property
    def counter_line(self) -> str:
        return t("queue.counter", counters=self.counters) if self.counters else ""

    @property
    def ahead_line(self) -> str:
        return t("queue.ahead_none") if self.ahead <= 0 else t("queue.ahead", ahead=self.ahead)

    @property
    def wait_line(self) -> str:
        return t("queue.wait", minutes=self.wait_minutes) if self.wait_minutes else ""

    @property
    def speech_text(self) -> str:
        spaced = " ".join(self.number)
        parts = [f"{t('queue.your_number')}: {spaced}.", self.counter_line, self.ahead_line, self.wait_line]
        return ". ".join(p for p in parts if p)


def _counter_label(value: Any, counter_names: dict[str, str]) -> str:
    if isinstance(value, dict):
        number = value.get("number") or value.get("id") or ""
        return str(number)
    text = str(value)
    if text in counter_names:
        return counter_names[text]
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits or text


def ticket_view(
    ticket: dict[str, Any], services: list[dict[str, Any]], counter_numbers: dict[str, str] | None = None
) -> TicketView:
    """Build the view of a ticket from POST/GET /tickets and the list of services."""
    service_id = str(ticket.get("service_id", ""))
    service = next((s for s in services if s.get("id") == service_id), None)
    names = counter_numbers or {}
    counters = [_counter_label(c, names) for c in ticket.get("counters") or []]
    wait = ticket.get("estimated_wait_minutes")
    return TicketView(
        id=str(ticket.get("id", "")),
        number=str(ticket.get("number", "")),
        service_id=service_id,
        service_name=str(service.get("name", "")) if service else "",
        counters=", ".join(c for c in counters if c),
        ahead=int(ticket.get("ahead") or 0),
        wait_minutes=round(float(wait)) if wait is not None else None,
        issued_at=str(ticket.get("issued_at", "")),
        priority=str(ticket.get("priority", "none") or "none"),
    )
