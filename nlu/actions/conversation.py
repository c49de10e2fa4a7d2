"""Turn-taking actions: greeting, goodbye, repeat, yes / no / a bare answer, FAQ."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from vntext.normalize import fold

from .backend_client import BackendClient, BackendError, BackendUnavailableError
from .common import MAIN_OPTIONS, entity_value, say_backend_down
from .dossier import check_dossier
from .handoff import ActionRedirect
from .parsing import PRIORITY_NAMES, priority_from_text
from .procedures import answer_field_where, answer_procedure
from .spoken import first_sentences

logger = logging.getLogger(__name__)


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(
            text="Xin chào, tôi là trợ lý tiếp dân. Tôi có thể hướng dẫn thủ tục, cấp số thứ tự "
            "hoặc tra cứu hồ sơ. Bạn cần giúp gì ạ?",
            buttons=MAIN_OPTIONS,
        )
        return []


class ActionGoodbye(Action):
    """Says goodbye and clears the conversation for the next citizen."""

    def name(self) -> str:
        return "action_goodbye"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text="Chào bạn, chúc bạn một ngày tốt lành.")
        return [AllSlotsReset()]


class ActionRepeat(Action):
    """Sends the last answer again, with its buttons and payload."""

    def name(self) -> str:
        return "action_repeat"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        for event in reversed(tracker.events):
            if event.get("event") == "bot" and (event.get("text") or (event.get("data") or {}).get("custom")):
                data = event.get("data") or {}
                dispatcher.utter_message(
                    text=event.get("text"), buttons=data.get("buttons") or [], json_message=data.get("custom")
                )
                return []
        dispatcher.utter_message(text="Tôi chưa nói gì cả. Bạn cần giúp gì ạ?", buttons=MAIN_OPTIONS)
        return []


MORE_WORDS = ("chi tiet", "xem them", "them nua", "cu the", "noi them")


def asks_for_more(text: str) -> bool:
    """ "xem chi tiết", "cho xem thêm": the citizen wants more than was said."""
    folded = f" {fold(text)} "
    return any(f" {words} " in folded for words in MORE_WORDS)


class ActionAffirm(Action):
    """A yes outside a form: accepts what the last answer offered."""

    def name(self) -> str:
        return "action_affirm"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        offer = tracker.get_slot("pending_offer")
        procedure = tracker.get_slot("procedure")
        if offer == "documents" and procedure:
            return [
                *answer_procedure(dispatcher, str(procedure), "documents"),
                SlotSet("pending_offer", None),
            ]
        if procedure and asks_for_more(str(tracker.latest_message.get("text") or "")):
            # "cho xem thêm" after a procedure answer: what the procedure is and what to ask next
            return answer_procedure(dispatcher, str(procedure), "overview")
        dispatcher.utter_message(text="Dạ. Bạn cần tôi giúp gì tiếp ạ?", buttons=MAIN_OPTIONS)
        return [SlotSet("pending_offer", None)]


class ActionDeny(Action):
    """A no outside a form: drops what was offered."""

    def name(self) -> str:
        return "action_deny"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text="Dạ vâng. Bạn cần giúp gì khác cứ hỏi tôi nhé.", buttons=MAIN_OPTIONS)
        return [
            SlotSet("pending_offer", None),
            SlotSet("pending_aspect", None),
            SlotSet("dossier_code", None),
        ]


class ActionInform(Action):
    """A bare answer (a procedure, a field, a code) outside a form: what was it the answer to?"""

    def name(self) -> str:
        return "action_inform"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = entity_value(tracker, "dossier_code")
        if code:
            return [SlotSet("dossier_code", code), *check_dossier(dispatcher, code)]
        aspect = str(tracker.get_slot("pending_aspect") or "overview")
        procedure = entity_value(tracker, "procedure")
        if procedure:
            return answer_procedure(dispatcher, procedure, aspect)
        field = entity_value(tracker, "field")
        if field:
            if aspect == "where" or aspect == "overview":
                return answer_field_where(dispatcher, field)
            dispatcher.utter_message(
                text="Bạn nói rõ tên thủ tục giúp tôi nhé, ví dụ: khai sinh, chứng thực bản sao."
            )
            return [SlotSet("field", field)]
        group = priority_from_text(str(tracker.latest_message.get("text") or ""), answering=True)
        if group in PRIORITY_NAMES:
            # "tôi 75 tuổi" with nothing asked: the answer a priority question would have had
            dispatcher.utter_message(
                text=f"Dạ, {PRIORITY_NAMES[group].lower()} được ưu tiên phục vụ trước. "
                'Bạn cần lấy số thì nói "lấy số" nhé.',
                buttons=[{"title": "Lấy số ưu tiên", "payload": "/request_queue_number"}, *MAIN_OPTIONS[:1]],
            )
            return [SlotSet("priority", group)]  # the ticket form asks no more
        return ActionRedirect().run(dispatcher, tracker, domain)


class ActionAnswerFaq(Action):
    """The FAQ answer, read live from the backend (staff edits need no retraining)."""

    def name(self) -> str:
        return "action_answer_faq"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        selector = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
        full_key = str((selector.get("response") or {}).get("intent_response_key") or "")
        key = full_key.split("/", 1)[1] if "/" in full_key else ""
        if not key:
            return ActionRedirect().run(dispatcher, tracker, domain)
        try:
            entry = BackendClient().faq(key)
        except BackendUnavailableError:
            say_backend_down(dispatcher)
            return []
        except BackendError as err:
            logger.warning("FAQ %s not served: %s", key, err.code)
            return ActionRedirect().run(dispatcher, tracker, domain)
        dispatcher.utter_message(
            text=first_sentences(str(entry["answer"])),
            json_message={
                "type": "faq",
                "key": key,
                "question": entry.get("question"),
                "answer": entry["answer"],
            },
        )
        return []
