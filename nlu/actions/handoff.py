"""Staff hand-off, feedback and questions the assistant could not answer."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from contract.errors import BackendError, BackendUnavailableError

from .common import backend, say_failure, service_of, where_to_go
from .parsing import parse_rating

logger = logging.getLogger(__name__)


def conversation_summary(tracker: Tracker) -> str:
    """What the citizen was doing, for staff (intents and procedure; no personal data)."""
    intents = [
        str((event.get("parse_data") or {}).get("intent", {}).get("name"))
        for event in tracker.events
        if event.get("event") == "user"
    ][-5:]
    procedure = tracker.get_slot("procedure")
    summary = "Công dân cần gặp cán bộ."
    if procedure:
        summary += f" Thủ tục: {procedure}."
    if intents:
        summary += f" Các yêu cầu gần đây: {', '.join(intents)}."
    return summary


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        client = backend()
        try:
            client.handoff("citizen_request", conversation_summary(tracker))
            procedure = tracker.get_slot("procedure")
            field = tracker.get_slot("field")
            service = service_of(client, field=field, procedure=procedure) if (procedure or field) else None
        except BackendUnavailableError as err:
            say_failure(dispatcher, err, "answer")
            return []
        except BackendError as err:
            logger.warning("Hand-off refused: %s", err.code)
            service = None
        dispatcher.utter_message(response="utter_handoff_done", counter=where_to_go(service))
        return []


class ValidateFeedbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_feedback_form"

    def validate_rating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        rating = parse_rating(str(value or ""))
        if rating is None:
            dispatcher.utter_message(response="utter_rating_again")
            return {"rating": None}
        return {"rating": str(rating)}

    def validate_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"comment": str(value or "").strip()[:1000]}


class ActionSubmitFeedback(Action):
    def name(self) -> str:
        return "action_submit_feedback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        rating = int(tracker.get_slot("rating") or 0)
        comment = str(tracker.get_slot("comment") or "")
        reset = [SlotSet("rating", None), SlotSet("comment", None)]
        try:
            backend().feedback(rating, comment or None, tracker.get_slot("service_id"))
        except BackendError as err:
            say_failure(dispatcher, err, "feedback", refused="utter_feedback_refused")
            return reset
        dispatcher.utter_message(response="utter_feedback_thanks", rating=rating)
        return reset


class ActionRedirect(Action):
    """Out of scope or not understood: a polite redirection, and the question goes to staff."""

    def name(self) -> str:
        return "action_redirect"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        text = str(message.get("text") or "")
        ranking = message.get("intent_ranking") or []
        intent = str((message.get("intent") or {}).get("name") or "")
        # nlu_fallback: report the best real guess
        best = next(
            (item for item in ranking if item.get("name") != "nlu_fallback"), message.get("intent") or {}
        )
        confidence = float(best.get("confidence") or 0.0)
        if text and not text.startswith("/"):
            try:
                backend().unanswered(text[:500], str(best.get("name") or intent), confidence)
            except BackendError as err:  # logging the question must never block the answer
                logger.warning("Unanswered question not recorded: %s", err.code)
        dispatcher.utter_message(response="utter_redirect")
        return []


__all__ = [
    "ActionRedirect",
    "ActionRequestHuman",
    "ActionSubmitFeedback",
    "ValidateFeedbackForm",
    "parse_rating",
]
