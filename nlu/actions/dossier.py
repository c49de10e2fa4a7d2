"""Dossier status: the code (typed, spoken or scanned), the status in plain words, details on proof."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from vntext.dossier_code import mask_dossier_code
from vntext.numbers import words_to_digits

from .backend_client import BackendClient, BackendError, BackendUnavailableError
from .common import say_backend_down

logger = logging.getLogger(__name__)


def canonical_code(text: str) -> str | None:
    """The canonical dossier code in `text` (typed in any form, or read aloud), or None."""
    try:
        from components.text import find_spoken_code, find_typed_code
    except ImportError:  # imported as the package nlu.actions
        from nlu.components.text import find_spoken_code, find_typed_code
    typed = find_typed_code(text)
    return typed[0] if typed else find_spoken_code(text)


def last_four_digits(text: str) -> str | None:
    digits = "".join(re.findall(r"\d", text))
    if len(digits) < 4:
        try:
            digits = words_to_digits(text)
        except (ValueError, KeyError):
            return None
    return digits[-4:] if len(digits) >= 4 else None


def _date(value: Any) -> str | None:
    """ "2025-11-28" -> "28/11/2025" (reads well aloud)."""
    if not value:
        return None
    parts = str(value)[:10].split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else str(value)


def say_dossier(dispatcher: CollectingDispatcher, dossier: dict[str, Any], detailed: bool) -> None:
    status_text = str(dossier.get("status_text") or dossier.get("status") or "").rstrip(".")
    name = dossier.get("procedure_name") or "của bạn"
    text = f"Hồ sơ {name.lower() if name[0].isupper() else name}: {status_text}."
    appointment = _date(dossier.get("appointment_on"))
    if appointment:
        text += f" Ngày hẹn trả kết quả: {appointment}."
    if dossier.get("next_step"):
        text += f" {str(dossier['next_step']).rstrip('.')}."
    if detailed and dossier.get("note"):
        text += f" Ghi chú: {str(dossier['note']).rstrip('.')}."
    buttons = (
        []
        if detailed
        else [{"title": "Xem chi tiết", "payload": "/affirm"}, {"title": "Không", "payload": "/deny"}]
    )
    if not detailed:
        text += " Bạn có muốn xem chi tiết không?"
    dispatcher.utter_message(
        text=text,
        buttons=buttons,
        json_message={
            "type": "dossier",
            "code": dossier.get("code"),
            "procedure_id": dossier.get("procedure_id"),
            "procedure_name": dossier.get("procedure_name"),
            "status": dossier.get("status"),
            "status_text": dossier.get("status_text"),
            "received_on": dossier.get("received_on"),
            "appointment_on": dossier.get("appointment_on"),
            "next_step": dossier.get("next_step"),
            "applicant": dossier.get("applicant"),
            "note": dossier.get("note") if detailed else None,
            "detailed": detailed,
        },
    )


class ValidateDossierForm(FormValidationAction):
    def name(self) -> str:
        return "validate_dossier_form"

    async def extract_dossier_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "dossier_code":
            return {}
        code = canonical_code(tracker.latest_message.get("text") or "")
        return {"dossier_code": code} if code else {}

    def validate_dossier_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = canonical_code(str(value or ""))
        if code is None:
            dispatcher.utter_message(
                text="Mã hồ sơ chưa đúng. Mã có dạng như 000.00.31.H26-251121-0003, in trên giấy hẹn.",
                json_message={"type": "dossier", "step": "bad_code"},
            )
            return {"dossier_code": None}
        return {"dossier_code": code}


class ActionCheckDossier(Action):
    def name(self) -> str:
        return "action_check_dossier"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return check_dossier(dispatcher, str(tracker.get_slot("dossier_code") or ""))


def check_dossier(dispatcher: CollectingDispatcher, code: str, verify: str | None = None) -> list[EventType]:
    try:
        dossier = BackendClient().dossier(code, verify=verify)
    except BackendUnavailableError:
        say_backend_down(dispatcher, "tra cứu được hồ sơ")
        return [SlotSet("dossier_code", None)]
    except BackendError as err:
        logger.info("Dossier %s look-up: %s", mask_dossier_code(code), err.code)
        if err.status == 404:
            text = (
                "Tôi không tìm thấy hồ sơ có mã này. "
                "Bạn kiểm tra lại mã trên giấy hẹn, hoặc hỏi cán bộ ở quầy đã nộp."
            )
        elif err.status == 429:
            text = "Bạn đã tra sai nhiều lần. Mời bạn đến quầy để cán bộ kiểm tra giúp."
        else:
            text = "Mã hồ sơ chưa đúng dạng. Mã có dạng như 000.00.31.H26-251121-0003."
        dispatcher.utter_message(
            text=text, json_message={"type": "dossier", "step": "not_found", "status": err.status}
        )
        return [SlotSet("dossier_code", None), SlotSet("pending_offer", None)]
    detailed = verify is not None and bool(dossier.get("verified"))
    if verify is not None and not detailed:
        dispatcher.utter_message(
            text="Bốn số điện thoại chưa khớp với hồ sơ, nên tôi chỉ báo được tình trạng chung."
        )
    say_dossier(dispatcher, dossier, detailed)
    return [SlotSet("pending_offer", None if verify is not None else "dossier_details")] + (
        [SlotSet("dossier_code", None)] if verify is not None else []
    )


class ValidateVerifyForm(FormValidationAction):
    def name(self) -> str:
        return "validate_verify_form"

    def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        digits = last_four_digits(str(value or ""))
        if digits is None:
            dispatcher.utter_message(
                text="Tôi cần đúng bốn chữ số cuối của số điện thoại, ví dụ: một hai ba bốn."
            )
            return {"phone_last4": None}
        return {"phone_last4": digits}


class ActionDossierDetails(Action):
    def name(self) -> str:
        return "action_dossier_details"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = str(tracker.get_slot("dossier_code") or "")
        digits = str(tracker.get_slot("phone_last4") or "")
        events = check_dossier(dispatcher, code, verify=digits)
        return [*events, SlotSet("phone_last4", None)]
