"""Procedure questions answered from the live content of the backend."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .backend_client import BackendClient, BackendError, BackendUnavailableError, get_settings
from .common import (
    COMMON_PROCEDURES,
    counters_text,
    entity_value,
    intent_payload,
    say_backend_down,
    service_for,
)

logger = logging.getLogger(__name__)

ASPECTS = {
    "ask_procedure": "overview",
    "ask_documents": "documents",
    "ask_fee": "fee",
    "ask_processing_time": "time",
    "ask_where": "where",
    "ask_online": "online",
}
ASPECT_INTENTS = {aspect: intent for intent, aspect in ASPECTS.items()}
ASPECT_BUTTONS = [
    ("documents", "Giấy tờ cần mang"),
    ("fee", "Lệ phí"),
    ("time", "Thời gian"),
    ("where", "Nộp ở đâu"),
    ("online", "Làm trực tuyến"),
]
QUESTION = {
    "overview": "Bạn muốn hỏi về thủ tục nào ạ?",
    "documents": "Bạn muốn hỏi giấy tờ của thủ tục nào ạ?",
    "fee": "Bạn muốn hỏi lệ phí của thủ tục nào ạ?",
    "time": "Bạn muốn hỏi thời gian làm thủ tục nào ạ?",
    "where": "Bạn muốn nộp hồ sơ thủ tục nào ạ?",
    "online": "Bạn muốn làm trực tuyến thủ tục nào ạ?",
}


# Upcoming changes of the fact asked about are mentioned this many days ahead.
CHANGE_NOTICE_DAYS = 31
FACT_OF_ASPECT = {"documents": "documents", "fee": "fee", "time": "processing_time"}


def is_verified(procedure: dict[str, Any], fact: str) -> bool:
    """Whether the backend says the fact in force is confirmed (no word of it: not confirmed)."""
    return bool(((procedure.get("verification") or {}).get(fact) or {}).get("verified"))


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def upcoming_change(procedure: dict[str, Any], fact: str) -> str:
    """ "Từ ngày 1/1/2027, lệ phí: …" for the next change of `fact` soon after the service day."""
    today = _day(str(procedure.get("service_day")))
    for change in procedure.get("changes") or []:
        on = _day(str(change.get("on")))
        if change.get("fact") != fact or on is None or today is None:
            continue
        if (on - today).days > CHANGE_NOTICE_DAYS:
            return ""
        when = f"{on.day}/{on.month}/{on.year}"
        value = change.get("value")
        if isinstance(value, dict) and value.get("text"):
            return f" Từ ngày {when}: {str(value['text']).rstrip('.')}."
        if value is None:
            return f" Mức này áp dụng đến hết ngày trước {when}; sau đó xin hỏi lại cán bộ."
        return f" Từ ngày {when} thông tin này thay đổi, xin xem trên màn hình."
    return ""


def _stated(procedure: dict[str, Any], fact: str, lead: str, text: str, counter: str | None) -> str:
    """A fact said as known when it is confirmed, and as unconfirmed (with where to ask) when not."""
    where = counter or get_settings().help_counter
    if is_verified(procedure, fact):
        return f"{lead}: {text}." + upcoming_change(procedure, fact)
    return (
        f"{lead} chưa được xác nhận, thông tin hiện có là: {text}. "
        f"Xin hỏi lại cán bộ ở {where} trước khi nộp hồ sơ."
    )


def compose(procedure: dict[str, Any], aspect: str, counter: str | None = None) -> str:
    """A short answer that reads well aloud, from the live procedure record.

    A fee, time limit or list of papers the backend does not mark as confirmed is said to be
    unconfirmed, with the counter where to ask: never read aloud as certain.
    """
    name = procedure["name"]
    if aspect == "documents":
        documents = [str(item).rstrip(". ") for item in procedure.get("documents") or []]
        return _stated(
            procedure, "documents", f"Làm {name.lower()}, bạn cần mang", "; ".join(documents), counter
        )
    if aspect == "fee":
        return _stated(
            procedure, "fee", f"Lệ phí {name.lower()}", procedure["fee"]["text"].rstrip("."), counter
        )
    if aspect == "time":
        text = procedure["processing_time"]["text"].rstrip(".")
        return _stated(procedure, "processing_time", f"Thời gian giải quyết {name.lower()}", text, counter)
    if aspect == "where":
        where = procedure["where"]["text"].rstrip(".")
        return f"{where}." if not counter else f"{where}. Mời bạn đến {counter}."
    if aspect == "online":
        return procedure["online"]["text"].rstrip(".") + "."
    summary = str(procedure.get("summary") or "").rstrip(".")
    lead = f"{name}: {summary}." if summary else f"{name}."
    doubtful = [
        label
        for fact, label in (("fee", "lệ phí"), ("processing_time", "thời hạn"))
        if not is_verified(procedure, fact)
    ]
    if doubtful:
        lead += f" Lưu ý: {' và '.join(doubtful)} chưa được xác nhận, xin hỏi lại cán bộ."
    return f"{lead} Bạn có thể hỏi tôi giấy tờ cần mang, lệ phí, thời gian hoặc nơi nộp."


def procedure_payload(procedure: dict[str, Any], aspect: str, counter: str | None) -> dict[str, Any]:
    return {
        "type": "procedure",
        "aspect": aspect,
        "procedure_id": procedure["id"],
        "name": procedure["name"],
        "field": procedure.get("field"),
        "documents": procedure.get("documents", []),
        "fee": procedure.get("fee"),
        "processing_time": procedure.get("processing_time"),
        "where": procedure.get("where"),
        "counter": counter,
        "online": procedure.get("online"),
        "legal_basis": procedure.get("legal_basis", []),
        "source_url": procedure.get("source_url"),
        "verified_on": procedure.get("verified_on"),
        "verification": procedure.get("verification") or {},
        "next_change": procedure.get("next_change"),
        "version": procedure.get("version"),
    }


def answer_procedure(
    dispatcher: CollectingDispatcher, procedure_id: str, aspect: str, client: BackendClient | None = None
) -> list[EventType]:
    """Say one aspect of a procedure; the procedure becomes the conversation's."""
    client = client or BackendClient()
    try:
        procedure = client.procedure(procedure_id)
        counter = None
        doubtful = aspect in FACT_OF_ASPECT and not is_verified(procedure, FACT_OF_ASPECT[aspect])
        if aspect in ("where", "overview") or doubtful:
            counter = counters_text(service_for(client, field=procedure.get("field"), procedure=procedure_id))
    except BackendUnavailableError:
        say_backend_down(dispatcher, "tra được thông tin thủ tục")
        return [SlotSet("procedure", procedure_id), SlotSet("pending_aspect", None)]
    except BackendError as err:
        logger.info("Procedure %s not served: %s", procedure_id, err.code)
        dispatcher.utter_message(
            text="Xin lỗi, tôi chưa có thông tin về thủ tục này. Mời bạn hỏi cán bộ ở quầy hướng dẫn."
        )
        return [SlotSet("procedure", None), SlotSet("pending_aspect", None)]
    buttons = [
        {"title": title, "payload": intent_payload(ASPECT_INTENTS[other], procedure=procedure_id)}
        for other, title in ASPECT_BUTTONS
        if other != aspect
    ][:3]
    buttons.append(
        {"title": "Lấy số thứ tự", "payload": intent_payload("request_queue_number", procedure=procedure_id)}
    )
    dispatcher.utter_message(
        text=compose(procedure, aspect, counter),
        buttons=buttons,
        json_message=procedure_payload(procedure, aspect, counter),
    )
    return [
        SlotSet("procedure", procedure_id),
        SlotSet("field", procedure.get("field")),
        SlotSet("pending_aspect", None),
        SlotSet("pending_offer", None),
    ]


def answer_field_where(
    dispatcher: CollectingDispatcher, field: str, client: BackendClient | None = None
) -> list[EventType]:
    client = client or BackendClient()
    try:
        service = service_for(client, field=field)
    except BackendUnavailableError:
        say_backend_down(dispatcher, "tra được quầy")
        return []
    counter = counters_text(service)
    name = service["name"] if service else field
    dispatcher.utter_message(
        text=f"Hồ sơ {name} nộp ở {counter}.",
        buttons=[{"title": "Lấy số thứ tự", "payload": intent_payload("request_queue_number", field=field)}],
        json_message={
            "type": "procedure",
            "aspect": "where",
            "field": field,
            "service_id": (service or {}).get("id"),
            "counter": counter,
        },
    )
    return [SlotSet("field", field), SlotSet("pending_aspect", None)]


def ask_which_procedure(dispatcher: CollectingDispatcher, aspect: str) -> list[EventType]:
    buttons = [
        {"title": title, "payload": intent_payload("inform", procedure=procedure_id)}
        for procedure_id, title in COMMON_PROCEDURES
    ]
    dispatcher.utter_message(text=QUESTION[aspect], buttons=buttons)
    return [SlotSet("pending_aspect", aspect)]


class ActionAnswerProcedure(Action):
    """ask_procedure / ask_documents / ask_fee / ask_processing_time / ask_where / ask_online."""

    def name(self) -> str:
        return "action_answer_procedure"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name", "ask_procedure")
        aspect = ASPECTS.get(intent, "overview")
        named = entity_value(tracker, "procedure")
        field = entity_value(tracker, "field")
        if named:
            return answer_procedure(dispatcher, named, aspect)
        if aspect == "where" and field:
            return answer_field_where(dispatcher, field)
        # A follow-up ("thế lệ phí bao nhiêu?") keeps the procedure of the conversation.
        current = tracker.get_slot("procedure")
        if current and aspect != "overview":
            return answer_procedure(dispatcher, current, aspect)
        if aspect == "where" and tracker.get_slot("field"):
            return answer_field_where(dispatcher, str(tracker.get_slot("field")))
        return ask_which_procedure(dispatcher, aspect)
