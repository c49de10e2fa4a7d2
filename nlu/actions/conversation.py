"""Turn-taking actions: greeting, goodbye, repeat, yes / no / a bare answer, FAQ."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from contract.cards import FaqCard
from contract.errors import BackendError, BackendUnavailableError
from vntext.normalize import fold

from .common import backend, entity_value, say_failure
from .dossier import check_dossier, subscribe_to_messages
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
        dispatcher.utter_message(response="utter_greet")
        return []


class ActionGoodbye(Action):
    """Says goodbye and clears the conversation for the next citizen."""

    def name(self) -> str:
        return "action_goodbye"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_goodbye")
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
        dispatcher.utter_message(response="utter_nothing_said")
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
        if offer == "dossier_messages":
            return subscribe_to_messages(dispatcher, tracker)
        if procedure and asks_for_more(str(tracker.latest_message.get("text") or "")):
            # "cho xem thêm" after a procedure answer: what the procedure is and what to ask next
            return answer_procedure(dispatcher, str(procedure), "overview")
        dispatcher.utter_message(response="utter_what_next")
        return [SlotSet("pending_offer", None)]


class ActionDeny(Action):
    """A no outside a form: drops what was offered."""

    def name(self) -> str:
        return "action_deny"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_anything_else")
        return [
            SlotSet("pending_offer", None),
            SlotSet("pending_aspect", None),
            SlotSet("dossier_code", None),
            SlotSet("phone_last4", None),
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
            dispatcher.utter_message(response="utter_name_the_procedure")
            return [SlotSet("field", field)]
        group = priority_from_text(str(tracker.latest_message.get("text") or ""), answering=True)
        if group in PRIORITY_NAMES:
            # "tôi 75 tuổi" with nothing asked: the answer a priority question would have had
            dispatcher.utter_message(response="utter_priority_noted", group=PRIORITY_NAMES[group].lower())
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
            entry = backend().faq(key)
        except BackendUnavailableError as err:
            say_failure(dispatcher, err, "answer")
            return []
        except BackendError as err:
            logger.warning("FAQ %s not served: %s", key, err.code)
            return ActionRedirect().run(dispatcher, tracker, domain)
        dispatcher.utter_message(
            text=first_sentences(entry.answer),
            json_message=FaqCard(key, entry.question, entry.answer).to_dict(),
        )
        return []
