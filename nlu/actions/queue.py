"""Queue tickets: the ticket form (service, priority), issuing through the backend, waiting."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from contract.cards import Choice, QueueCard, TicketCard, TicketStatusCard, choices
from contract.errors import BackendError
from contract.resources import Channel, Priority, QueueRow, Service, Ticket, TicketStatus, counters_text

from .common import YES_NO, action_settings, backend, entity_value, say_failure, service_of
from .parsing import PRIORITY_GROUPS, priority_from_text, service_from_text

logger = logging.getLogger(__name__)


def service_slots(tracker: Tracker) -> dict[str, Any]:
    """The service a sentence names (a procedure, a field, a service's letter, counter or name) as
    slots `service_id` (and `procedure`); none when it names none or the backend is down."""
    procedure = entity_value(tracker, "procedure") or tracker.get_slot("procedure")
    field = entity_value(tracker, "field") or tracker.get_slot("field")
    if entity_value(tracker, "field") and not entity_value(tracker, "procedure"):
        procedure = None  # a field named now wins over an older procedure
    try:
        client = backend()
        if not procedure and not field:
            # "dịch vụ B", "quầy số 3", "cư trú căn cước": the service itself
            named = service_from_text(tracker.latest_message.get("text") or "", client.services())
            return {"service_id": named.id} if named else {}
        service = service_of(client, field=field, procedure=procedure)
    except BackendError:
        return {}  # the form asks, and the question says the backend is down
    if service is None:
        return {}
    slots: dict[str, Any] = {"service_id": service.id}
    if procedure:
        slots["procedure"] = procedure
    return slots


class ValidateTicketForm(FormValidationAction):
    def name(self) -> str:
        return "validate_ticket_form"

    async def extract_service_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return service_slots(tracker)

    async def extract_priority(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A group named in any sentence of the form ("tôi 80 tuổi, cho tôi lấy số"); when the
        priority question is being answered, the words win over a plain yes or no."""
        answering = tracker.get_slot("requested_slot") == "priority"
        if tracker.get_slot("priority") and not answering:
            return {}
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):
            return {}  # a button: its payload is the answer
        group = priority_from_text(text, answering=answering)
        return {"priority": group} if group else {}

    def validate_priority(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        if text in PRIORITY_GROUPS:
            return {"priority": text}
        if text == "yes":
            # A plain yes: the group named in the same sentence, else the elderly group (the one
            # staff see most; the counter checks eligibility anyway).
            said = tracker.latest_message.get("text") or ""
            return {"priority": priority_from_text(said, answering=True) or "elderly"}
        return {"priority": None}


class ActionAskServiceId(Action):
    """Asks which service (procedure or field) the ticket is for, with a button per service."""

    def name(self) -> str:
        return "action_ask_service_id"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            services = backend().services()
        except BackendError as err:
            say_failure(dispatcher, err, "ticket")
            return []
        buttons = [
            Choice.intent(service.name, "inform", field=service.fields[0])
            for service in services
            if service.fields
        ]
        dispatcher.utter_message(response="utter_which_service", buttons=choices(buttons))
        return []


def _minutes(minutes: int) -> str:
    return "dưới một phút" if minutes < 1 else f"khoảng {minutes} phút"


def people_ahead(ahead: int, minutes: int) -> str:
    """ "Bạn là người tiếp theo." or "Trước bạn 3 người, khoảng 15 phút." """
    if ahead <= 0:
        return "Bạn là người tiếp theo."
    wait = _minutes(minutes)
    return f"Trước bạn {ahead} người, {wait}." if wait else f"Trước bạn {ahead} người."


class ActionIssueTicket(Action):
    """Issues the ticket through the backend and says number, counter, people ahead and wait."""

    def name(self) -> str:
        return "action_issue_ticket"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        service_id = tracker.get_slot("service_id")
        priority = _priority(tracker.get_slot("priority"))
        channel = _channel((tracker.latest_message.get("metadata") or {}).get("channel"))
        # The same conversation turn always sends the same key: a retry returns the same ticket.
        turn = f"{tracker.sender_id}:{service_id}:{priority.value}:{len(tracker.events)}"
        key = hashlib.sha256(turn.encode()).hexdigest()[:32]
        reset = [SlotSet("priority", None), SlotSet("service_id", None)]
        client = backend()
        try:
            ticket = client.issue_ticket(
                service_id=service_id, priority=priority, channel=channel, idempotency_key=key
            )
            service = next((s for s in client.services() if s.id == ticket.service_id), None)
        except BackendError as err:
            say_failure(dispatcher, err, "ticket", refused="utter_ticket_refused")
            return reset
        counters = ticket.counters or (service.counters if service else [])
        counter = counters_text(counters, action_settings().help_counter)
        waiting = people_ahead(ticket.ahead, ticket.estimated_wait_minutes)
        text = f"Bạn được số {ticket.number}, mời đến {counter}. {waiting}"
        buttons: list[dict[str, str]] = []
        events: list[EventType] = [
            SlotSet("ticket_id", str(ticket.id)),
            SlotSet("ticket_number", ticket.number),
        ]
        if tracker.get_slot("procedure"):
            text += " Bạn muốn nghe giấy tờ cần mang không?"
            buttons = YES_NO
            events.append(SlotSet("pending_offer", "documents"))
        card = TicketCard.of(ticket, service.name if service else None, counter)
        dispatcher.utter_message(text=text, buttons=buttons, json_message=card.to_dict())
        return events + reset


def _priority(value: Any) -> Priority:
    try:
        return Priority(str(value or Priority.NONE.value))
    except ValueError:
        return Priority.NONE


def _channel(value: Any) -> Channel:
    """The channel a message says it came from, else the action server's."""
    try:
        return Channel(str(value)) if value else action_settings().channel
    except ValueError:
        return action_settings().channel


def ticket_status_text(ticket: Ticket) -> str:
    """Where the citizen's own ticket stands, in one sentence."""
    number = ticket.number
    if ticket.status is TicketStatus.CALLED:
        where = ticket.counter.spoken if ticket.counter else "quầy"
        return f"Số {number} của bạn đang được gọi. Mời bạn đến {where} ngay."
    if ticket.status in (TicketStatus.SERVING, TicketStatus.DONE, TicketStatus.NO_SHOW):
        return f"Số {number} đã được gọi rồi. Bạn cần thì lấy số mới nhé."
    if ticket.ahead <= 0:
        return f"Bạn là người tiếp theo, số {number} sắp được gọi. Mời bạn chú ý màn hình."
    return f"Trước số {number} của bạn còn {ticket.ahead} người, {_minutes(ticket.estimated_wait_minutes)}."


def _service_phrase(row: QueueRow) -> str:
    """ "Hộ tịch – Chứng thực: đang gọi số A005, còn 3 người chờ" """
    called = list(dict.fromkeys(item.number for item in row.now_serving))
    now = f"đang gọi số {' và '.join(called[:2])}" if called else "chưa gọi số nào"
    left = (
        f"còn {row.waiting} người chờ, {_minutes(row.estimated_wait_minutes)}"
        if row.waiting
        else "không còn ai chờ"
    )
    return f"{row.name or row.service_id}: {now}, {left}"


def board_text(rows: list[QueueRow], service: Service | None) -> str:
    """The queue without a ticket of one's own, in one spoken sentence: per service the number now
    called and how many wait (the service asked about, else the two busiest; the card has all)."""
    if service is not None:
        row = next((r for r in rows if r.service_id == service.id), None)
        return f"{_service_phrase(row)}." if row else "Dịch vụ này chưa có ai lấy số hôm nay."
    busy = [row for row in rows if row.waiting or row.now_serving]
    if not busy:
        return "Hiện không có ai chờ, bạn lấy số là được gọi ngay."
    busy.sort(key=lambda row: -row.waiting)
    said = "; ".join(_service_phrase(row) for row in busy[:2])
    return f"{said}; các dịch vụ khác xem trên màn hình." if len(busy) > 2 else f"{said}."


class ActionQueueStatus(Action):
    """People ahead for the citizen's ticket, else how busy the service (or the whole point) is."""

    def name(self) -> str:
        return "action_queue_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        client = backend()
        ticket_id = tracker.get_slot("ticket_id")
        try:
            if ticket_id:
                ticket = client.ticket(str(ticket_id))
                dispatcher.utter_message(
                    text=ticket_status_text(ticket), json_message=TicketStatusCard.of(ticket).to_dict()
                )
                return []
            field = entity_value(tracker, "field") or tracker.get_slot("field")
            procedure = entity_value(tracker, "procedure") or tracker.get_slot("procedure")
            service = service_of(client, field=field, procedure=procedure) if (field or procedure) else None
            board = client.queue()
        except BackendError as err:
            say_failure(dispatcher, err, "queue", refused="utter_queue_refused")
            return []
        rows = [row for row in board if service is None or row.service_id == service.id]
        dispatcher.utter_message(
            text=board_text(board, service),
            buttons=choices([Choice("Lấy số thứ tự", "/request_queue_number")]),
            json_message=QueueCard(rows, sum(row.waiting for row in rows)).to_dict(),
        )
        return []
