"""Queue tickets: the ticket form (service, priority), issuing through the backend, waiting."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from vntext.normalize import fold

from .backend_client import BackendClient, BackendError, BackendUnavailableError, get_settings
from .common import counters_text, entity_value, intent_payload, say_backend_down, service_for

logger = logging.getLogger(__name__)

PRIORITY_GROUPS = ("elderly", "disabled", "pregnant", "child", "none")
# Words that name a priority group (matched without diacritics).
PRIORITY_WORDS: dict[str, tuple[str, ...]] = {
    "elderly": ("cao tuoi", "nguoi gia", "gia roi", "tuoi gia", "ong gia", "ba gia", "lon tuoi", "uu tien"),
    "disabled": ("khuyet tat", "tan tat", "xe lan", "khiem thi"),
    "pregnant": ("mang thai", "co bau", "co thai", "bau bi", "dang bau"),
    "child": ("con nho", "tre nho", "em be", "con so sinh", "be con", "tre em"),
}


def priority_from_text(text: str) -> str | None:
    folded = f" {fold(text)} "
    for group, words in PRIORITY_WORDS.items():
        if any(f" {word} " in folded for word in words):
            return group
    return None


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
        if not procedure and not field:
            return {}
        try:
            service = service_for(BackendClient(), field=field, procedure=procedure)
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
        if tracker.get_slot("priority"):
            return {}
        group = priority_from_text(tracker.latest_message.get("text") or "")
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
            return {"priority": priority_from_text(tracker.latest_message.get("text") or "") or "elderly"}
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
        wait = _minutes(ticket.get("estimated_wait_minutes"))
        waiting = "Chưa có ai chờ trước bạn." if ahead == 0 else f"Trước bạn còn {ahead} người, chờ {wait}."
        text = f"Số của bạn là {ticket['number']}. Mời bạn đến {counter}. {waiting}"
        procedure = tracker.get_slot("procedure")
        buttons = []
        events: list[EventType] = [
            SlotSet("ticket_id", str(ticket["id"])),
            SlotSet("ticket_number", ticket["number"]),
        ]
        if procedure:
            text += " Trong lúc chờ, bạn có muốn biết cần chuẩn bị giấy tờ gì không?"
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


class ActionQueueStatus(Action):
    """People ahead for the citizen's ticket, else how busy the service is."""

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
                ahead = int(ticket.get("ahead") or 0)
                status = ticket.get("status")
                if status == "called":
                    text = f"Số {ticket['number']} của bạn đang được gọi. Mời bạn đến quầy ngay."
                elif status in ("serving", "done", "no_show"):
                    text = f"Số {ticket['number']} đã được gọi rồi. Bạn cần thì lấy số mới nhé."
                else:
                    text = f"Trước số {ticket['number']} của bạn còn {ahead} người."
                payload = {
                    "type": "ticket",
                    "ticket_id": ticket["id"],
                    "number": ticket["number"],
                    "ahead": ahead,
                    "status": status,
                }
                dispatcher.utter_message(text=text, json_message=payload)
                return []
            field = entity_value(tracker, "field") or tracker.get_slot("field")
            procedure = entity_value(tracker, "procedure") or tracker.get_slot("procedure")
            service = service_for(client, field=field, procedure=procedure) if (field or procedure) else None
            board = client.queue()
        except BackendUnavailableError:
            say_backend_down(dispatcher, "xem được hàng chờ")
            return []
        except BackendError:
            dispatcher.utter_message(
                text="Xin lỗi, tôi chưa xem được hàng chờ. Bạn nhìn màn hình gọi số giúp tôi nhé."
            )
            return []
        rows = [row for row in board if service is None or row.get("service_id") == service.get("id")]
        waiting = sum(int(row.get("waiting") or 0) for row in rows)
        serving = [item for row in rows for item in row.get("now_serving") or []]
        now = ", ".join(str(item.get("number")) for item in serving[:3])
        where = f" ở {service['name']}" if service else ""
        text = f"Hiện có {waiting} người đang chờ{where}."
        if now:
            text += f" Đang phục vụ số {now}."
        text += ' Bạn chưa có số thì nói "lấy số" nhé.'
        dispatcher.utter_message(
            text=text,
            buttons=[{"title": "Lấy số thứ tự", "payload": "/request_queue_number"}],
            json_message={"type": "ticket", "queue": rows, "waiting": waiting},
        )
        return []
