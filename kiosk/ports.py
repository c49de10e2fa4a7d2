"""The two contracts the kiosk talks to, as the methods it uses.

`contract.backend_client.BackendClient` and `contract.rasa_client.RasaClient` are the real ones;
`kiosk.demo.DemoBackend` / `DemoRasa` answer the same methods with the same typed resources.
"""

from __future__ import annotations

from typing import Protocol

from contract.rasa_client import BotMessage
from contract.resources import (
    BookingCheckIn,
    Channel,
    Dossier,
    Faq,
    Priority,
    Procedure,
    ProcedureSummary,
    Service,
    Site,
    Ticket,
)


class BackendApi(Protocol):
    def procedures(self, q: str | None = None, field: str | None = None) -> list[ProcedureSummary]: ...

    def procedure(self, procedure_id: str) -> Procedure: ...

    def faqs(self) -> list[Faq]: ...

    def services(self) -> list[Service]: ...

    def site(self) -> Site | None: ...

    def issue_ticket(
        self,
        *,
        service_id: str | None = None,
        procedure_id: str | None = None,
        priority: Priority = Priority.NONE,
        idempotency_key: str | None = None,
    ) -> Ticket: ...

    def check_in_booking(self, code: str, channel: Channel = Channel.KIOSK) -> BookingCheckIn: ...

    def dossier(self, code: str, verify: str | None = None) -> Dossier: ...

    def subscribe_dossier(
        self, code: str, verify: str, channels: list[str], email: str | None = None
    ) -> list[str]: ...

    def handoff(self, reason: str, summary: str = "") -> None: ...

    def feedback(self, rating: int, comment: str | None = None, service_id: str | None = None) -> None: ...


class RasaApi(Protocol):
    def send(self, sender: str, message: str) -> list[BotMessage]: ...
