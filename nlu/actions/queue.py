"""Queue tickets: the ticket form (service, priority), issuing through the backend, waiting."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .backend_client import BackendClient, BackendError, BackendUnavailableError, get_settings
from .common import counters_text, entity_value, intent_payload, say_backend_down, service_for
from .parsing import PRIORITY_GROUPS, priority_from_text, service_from_text

logger = logging.getLogger(__name__)


class ValidateTicketForm(FormValidationAction):
    def name(self) -> str:
        return "validate_ticket_form"

    async def extract_service_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        procedure = entity_value(tracker, "procedure") or tracker.get_slot("procedure")
        field = entity_value(tracker, "field") or tracker.get_slot("field")
        if entity_value(tracker, "field") and not entity_value(tracker, "procedure"):
            procedure = None  # a field named now wins over an older procedure
        try:
            client = BackendClient()
            if not procedure and not field:
                # "dịch vụ B", "quầy số 3", "cư trú căn cước": the service itself
                named = service_from_text(tracker.latest_message.get("text") or "", client.services())
                return {"service_id": named["id"]} if named else {}
            service = service_for(client, field=field, procedure=procedure)
        except BackendError:
            return {}
        if service is None:
            return {}
        slots: dict[str, Any] = {"service_id": service["id"]}
        if procedure:
            slots["procedure"] = procedure
        return slots

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
            services = BackendClient().services()
        except BackendUnavailableError:
            say_backend_down(dispatcher, "cấp số")
            return []
        buttons = [
            {"title": service["name"], "payload": intent_payload("inform", field=service["fields"][0])}
            for service in services
            if service.get("fields")
        ]
        dispatcher.utter_message(
            text="Bạn cần làm thủ tục gì, hoặc hồ sơ thuộc lĩnh vực nào ạ?", buttons=buttons
        )
        return []


def _minutes(value: Any) -> str:
    try:
        minutes = round(float(value))
    except (TypeError, ValueError):
        return ""
    return "dưới một phút" if minutes < 1 else f"khoảng {minutes} phút"


def people_ahead(ahead: int, minutes: Any) -> str:
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
        priority = tracker.get_slot("priority") or "none"
        channel = (tracker.latest_message.get("metadata") or {}).get("channel") or get_settings().channel
        # The same conversation turn always sends the same key: a retry returns the same ticket.
        turn = f"{tracker.sender_id}:{service_id}:{priority}:{len(tracker.events)}"
        key = hashlib.sha256(turn.encode()).hexdigest()[:32]
        reset = [SlotSet("priority", None), SlotSet("service_id", None)]
        client = BackendClient()
        try:
            ticket = client.issue_ticket(
                {"service_id": service_id, "priority": priority, "channel": channel}, idempotency_key=key
            )
            service = next((s for s in client.services() if s.get("id") == service_id), None)
        except BackendUnavailableError:
            say_backend_down(dispatcher, "cấp số")
            return reset
        except BackendError as err:
            logger.warning("Ticket refused: %s", err.code)
            dispatcher.utter_message(
                text="Xin lỗi, tôi chưa cấp được số lúc này. Mời bạn đến quầy hướng dẫn."
            )
            return reset
        counter = counters_text({"counters": ticket.get("counters") or (service or {}).get("counters") or []})
        ahead = int(ticket.get("ahead") or 0)
        waiting = people_ahead(ahead, ticket.get("estimated_wait_minutes"))
        text = f"Bạn được số {ticket['number']}, mời đến {counter}. {waiting}"
        procedure = tracker.get_slot("procedure")
        buttons = []
        events: list[EventType] = [
            SlotSet("ticket_id", str(ticket["id"])),
            SlotSet("ticket_number", ticket["number"]),
        ]
        if procedure:
            text += " Bạn muốn nghe giấy tờ cần mang không?"
            buttons = [{"title": "Có", "payload": "/affirm"}, {"title": "Không", "payload": "/deny"}]
            events.append(SlotSet("pending_offer", "documents"))
        dispatcher.utter_message(
            text=text,
            buttons=buttons,
            json_message={
                "type": "ticket",
                "ticket_id": ticket["id"],
                "number": ticket["number"],
                "service_id": ticket.get("service_id", service_id),
                "service_name": (service or {}).get("name"),
                "counters": ticket.get("counters", []),
                "counter_text": counter,
                "ahead": ahead,
                "estimated_wait_minutes": ticket.get("estimated_wait_minutes"),
                "priority": priority,
                "issued_at": ticket.get("issued_at"),
            },
        )
        return events + reset


def ticket_status_text(ticket: dict[str, Any]) -> str:
    """Where the citizen's own ticket stands, in one sentence."""
    number = ticket["number"]
    status = ticket.get("status")
    if status == "called":
        counter = (ticket.get("counter") or {}).get("number")
        where = f"quầy {counter}" if counter is not None else "quầy"
        return f"Số {number} của bạn đang được gọi. Mời bạn đến {where} ngay."
    if status in ("serving", "done", "no_show"):
        return f"Số {number} đã được gọi rồi. Bạn cần thì lấy số mới nhé."
    ahead = int(ticket.get("ahead") or 0)
    if ahead <= 0:
        return f"Bạn là người tiếp theo, số {number} sắp được gọi. Mời bạn chú ý màn hình."
    wait = _minutes(ticket.get("estimated_wait_minutes"))
    return f"Trước số {number} của bạn còn {ahead} người" + (f", {wait}." if wait else ".")


def _service_phrase(row: dict[str, Any]) -> str:
    """ "Hộ tịch – Chứng thực: đang gọi số A005, còn 3 người chờ" """
    called = list(dict.fromkeys(str(item.get("number")) for item in row.get("now_serving") or []))
    now = f"đang gọi số {' và '.join(called[:2])}" if called else "chưa gọi số nào"
    waiting = int(row.get("waiting") or 0)
    left = f"còn {waiting} người chờ" if waiting else "không còn ai chờ"
    return f"{row.get('name') or row.get('service_id')}: {now}, {left}"


def board_text(rows: list[dict[str, Any]], service: dict[str, Any] | None) -> str:
    """The queue without a ticket of one's own, in one spoken sentence: per service the number now
    called and how many wait (the service asked about, else the two busiest; the card has all)."""
    if service is not None:
        row = next((r for r in rows if r.get("service_id") == service.get("id")), None)
        return f"{_service_phrase(row)}." if row else "Dịch vụ này chưa có ai lấy số hôm nay."
    busy = [row for row in rows if int(row.get("waiting") or 0) or row.get("now_serving")]
    if not busy:
        return "Hiện không có ai chờ, bạn lấy số là được gọi ngay."
    busy.sort(key=lambda row: -int(row.get("waiting") or 0))
    said = "; ".join(_service_phrase(row) for row in busy[:2])
    return f"{said}; các dịch vụ khác xem trên màn hình." if len(busy) > 2 else f"{said}."


class ActionQueueStatus(Action):
    """People ahead for the citizen's ticket, else how busy the service (or the whole point) is."""

    def name(self) -> str:
        return "action_queue_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        client = BackendClient()
        ticket_id = tracker.get_slot("ticket_id")
        try:
            if ticket_id:
                ticket = client.ticket(str(ticket_id))
                payload = {
                    "type": "ticket",
                    "ticket_id": ticket["id"],
                    "number": ticket["number"],
                    "ahead": int(ticket.get("ahead") or 0),
                    "status": ticket.get("status"),
                    "estimated_wait_minutes": ticket.get("estimated_wait_minutes"),
                }
                dispatcher.utter_message(text=ticket_status_text(ticket), json_message=payload)
                return []
            field = entity_value(tracker, "field") or tracker.get_slot("field")
            procedure = entity_value(tracker, "procedure") or tracker.get_slot("procedure")
            service = service_for(client, field=field, procedure=procedure) if (field or procedure) else None
            board = client.queue()
        except BackendUnavailableError:
            say_backend_down(dispatcher, "xem được hàng chờ")
            return []
        except BackendError as err:
            logger.warning("Queue not read: %s", err.code)
            dispatcher.utter_message(
                text="Xin lỗi, tôi chưa xem được hàng chờ. Bạn nhìn màn hình gọi số giúp tôi nhé."
            )
            return []
        rows = [row for row in board if service is None or row.get("service_id") == service.get("id")]
        waiting = sum(int(row.get("waiting") or 0) for row in rows)
        dispatcher.utter_message(
            text=board_text(board, service),
            buttons=[{"title": "Lấy số thứ tự", "payload": "/request_queue_number"}],
            json_message={"type": "ticket", "queue": rows, "waiting": waiting},
        )
        return []
