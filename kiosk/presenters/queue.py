"""Queue tickets: the priority groups and what the ticket screen and the printed slip show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contract.resources import Service, Ticket
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


def ticket_view(ticket: Ticket, services: Sequence[Service] = ()) -> TicketView:
    """The view of a ticket (POST/GET /tickets); the service's name from `services` when the
    ticket does not carry it."""
    service = next((s for s in services if s.id == ticket.service_id), None)
    return TicketView(
        id=str(ticket.id),
        number=ticket.number,
        service_id=ticket.service_id,
        service_name=ticket.service_name or (service.name if service else ""),
        counters=", ".join(str(c.number) for c in ticket.counters if c.number),
        ahead=ticket.ahead,
        wait_minutes=ticket.estimated_wait_minutes or None,
        issued_at=ticket.issued_at,
        priority=ticket.priority.value,
    )
