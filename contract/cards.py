"""The bot message cards: the `custom` payloads of the assistant's messages, and its choices (buttons).

The actions build every card through these classes; the kiosk and the robot read one back with
`card_from_dict`. `to_dict` is the payload on the wire (with its `type`), `from_dict` reads one and
ignores keys it does not know. The fields are those of the nlu README ("Bot messages"). A
procedure card keeps the backend's fact objects (`fee`, `processing_time`, `where`, `online`,
`verification`) as the API gave them, so a fact the backend adds reaches the screen unchanged.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, cast

from contract.resources import Counter, Dossier, Procedure, QueueRow, Ticket


def _str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    return None if value is None else int(value)


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return dict(value) if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Choice:
    """A button: what it shows and what it sends (`/intent{"entity": "value"}` or plain words)."""

    title: str
    payload: str

    @classmethod
    def intent(cls, title: str, intent: str, **entities: str) -> Choice:
        """A choice that sets an intent with entities: `/inform{"procedure": "khai_sinh"}`."""
        slots = json.dumps(entities, ensure_ascii=False) if entities else ""
        return cls(title, f"/{intent}{slots}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Choice:
        return cls(str(data.get("title") or ""), str(data.get("payload") or ""))

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


def choices(items: list[Choice]) -> list[dict[str, str]]:
    """The `buttons` of a message."""
    return [item.to_dict() for item in items]


class _Card:
    TYPE: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.TYPE, **asdict(cast(Any, self))}


@dataclass(frozen=True)
class ProcedureCard(_Card):
    """Any answer about a procedure (`aspect`: overview, documents, fee, time, where, online)."""

    TYPE: ClassVar[str] = "procedure"
    aspect: str
    procedure_id: str
    name: str
    field: str
    documents: list[str]
    fee: dict[str, Any]
    processing_time: dict[str, Any]
    where: dict[str, Any]
    counter: str | None
    online: dict[str, Any]
    legal_basis: list[str]
    source_url: str | None
    verified_on: str | None
    verification: dict[str, Any]
    next_change: dict[str, Any] | None
    version: int | None

    @classmethod
    def of(cls, procedure: Procedure, aspect: str, counter: str | None) -> ProcedureCard:
        raw = procedure.raw
        return cls(
            aspect=aspect,
            procedure_id=procedure.id,
            name=procedure.name,
            field=procedure.field,
            documents=list(procedure.documents),
            fee=_object(raw, "fee"),
            processing_time=_object(raw, "processing_time"),
            where=_object(raw, "where"),
            counter=counter,
            online=_object(raw, "online"),
            legal_basis=list(procedure.legal_basis),
            source_url=procedure.source_url,
            verified_on=procedure.verified_on,
            verification=_object(raw, "verification"),
            next_change=_object(raw, "next_change") or None,
            version=procedure.version,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProcedureCard:
        """The card read back: the procedure it shows (its `procedure_id` is the id), aspect, counter."""
        procedure = Procedure.from_dict({**data, "id": data.get("procedure_id")})
        return cls.of(procedure, str(data.get("aspect") or "overview"), _str(data, "counter"))


@dataclass(frozen=True)
class FieldWhereCard(_Card):
    """Where the files of a field (not one procedure) are handed in."""

    TYPE: ClassVar[str] = "procedure"
    field: str
    service_id: str | None
    counter: str
    aspect: str = "where"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldWhereCard:
        return cls(str(data.get("field") or ""), _str(data, "service_id"), str(data.get("counter") or ""))


@dataclass(frozen=True)
class TicketCard(_Card):
    """A ticket just issued."""

    TYPE: ClassVar[str] = "ticket"
    ticket_id: int
    number: str
    service_id: str
    service_name: str | None
    counters: list[Counter]
    counter_text: str
    ahead: int
    estimated_wait_minutes: int
    priority: str
    issued_at: str

    @classmethod
    def of(cls, ticket: Ticket, service_name: str | None, counter_text: str) -> TicketCard:
        return cls(
            ticket_id=ticket.id,
            number=ticket.number,
            service_id=ticket.service_id,
            service_name=service_name or ticket.service_name or None,
            counters=list(ticket.counters),
            counter_text=counter_text,
            ahead=ticket.ahead,
            estimated_wait_minutes=ticket.estimated_wait_minutes,
            priority=ticket.priority.value,
            issued_at=ticket.issued_at,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TicketCard:
        return cls(
            ticket_id=int(data.get("ticket_id") or 0),
            number=str(data.get("number") or ""),
            service_id=str(data.get("service_id") or ""),
            service_name=_str(data, "service_name"),
            counters=[Counter.from_dict(c) for c in data.get("counters") or [] if isinstance(c, dict)],
            counter_text=str(data.get("counter_text") or ""),
            ahead=int(data.get("ahead") or 0),
            estimated_wait_minutes=int(data.get("estimated_wait_minutes") or 0),
            priority=str(data.get("priority") or "none"),
            issued_at=str(data.get("issued_at") or ""),
        )


@dataclass(frozen=True)
class TicketStatusCard(_Card):
    """Where the citizen's own ticket stands (the waiting question with a ticket)."""

    TYPE: ClassVar[str] = "ticket"
    ticket_id: int
    number: str
    ahead: int
    status: str
    estimated_wait_minutes: int

    @classmethod
    def of(cls, ticket: Ticket) -> TicketStatusCard:
        return cls(ticket.id, ticket.number, ticket.ahead, ticket.status.value, ticket.estimated_wait_minutes)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TicketStatusCard:
        return cls(
            ticket_id=int(data.get("ticket_id") or 0),
            number=str(data.get("number") or ""),
            ahead=int(data.get("ahead") or 0),
            status=str(data.get("status") or "waiting"),
            estimated_wait_minutes=int(data.get("estimated_wait_minutes") or 0),
        )


@dataclass(frozen=True)
class QueueCard(_Card):
    """The waiting question without a ticket: the `/queue` rows asked about and how many wait."""

    TYPE: ClassVar[str] = "ticket"
    queue: list[QueueRow]
    waiting: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QueueCard:
        rows = [QueueRow.from_dict(row) for row in data.get("queue") or [] if isinstance(row, dict)]
        return cls(rows, int(data.get("waiting") or 0))


@dataclass(frozen=True)
class DossierCard(_Card):
    """A dossier's status; its `note` only once the phone digits matched (`detailed`)."""

    TYPE: ClassVar[str] = "dossier"
    dossier: Dossier
    detailed: bool

    def to_dict(self) -> dict[str, Any]:
        d = self.dossier
        return {
            "type": self.TYPE,
            "code": d.code,
            "procedure_id": d.procedure_id,
            "procedure_name": d.procedure_name,
            "status": d.status.value,
            "status_text": d.status_text,
            "received_on": d.received_on,
            "appointment_on": d.appointment_on,
            "next_step": d.next_step,
            "applicant": d.applicant,
            "note": d.note if self.detailed else None,
            "detailed": self.detailed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DossierCard:
        return cls(Dossier.from_dict(data), bool(data.get("detailed")))


@dataclass(frozen=True)
class DossierStepCard(_Card):
    """A step of the dossier form: `ask_code`, `ask_verify`, `bad_code`, `not_found` (+ HTTP `status`)."""

    TYPE: ClassVar[str] = "dossier"
    step: str
    status: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DossierStepCard:
        return cls(str(data.get("step") or ""), _int(data, "status"))


@dataclass(frozen=True)
class FaqCard(_Card):
    """An FAQ answer as the backend rendered it."""

    TYPE: ClassVar[str] = "faq"
    key: str
    question: str
    answer: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaqCard:
        return cls(str(data.get("key") or ""), str(data.get("question") or ""), str(data.get("answer") or ""))


Card = (
    ProcedureCard
    | FieldWhereCard
    | TicketCard
    | TicketStatusCard
    | QueueCard
    | DossierCard
    | DossierStepCard
    | FaqCard
)


def card_from_dict(data: dict[str, Any]) -> Card | None:
    """The card of a `custom` payload (None for a type no card has)."""
    kind = data.get("type")
    if kind == "procedure":
        return ProcedureCard.from_dict(data) if data.get("procedure_id") else FieldWhereCard.from_dict(data)
    if kind == "ticket":
        if "queue" in data:
            return QueueCard.from_dict(data)
        return TicketCard.from_dict(data) if "counter_text" in data else TicketStatusCard.from_dict(data)
    if kind == "dossier":
        return DossierStepCard.from_dict(data) if data.get("step") else DossierCard.from_dict(data)
    if kind == "faq":
        return FaqCard.from_dict(data)
    return None
