"""Dossier status: the code (typed, spoken or scanned), the status in plain words, details on proof."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from contract.cards import Choice, DossierCard, DossierStepCard, choices
from contract.errors import BackendError
from contract.resources import Dossier, DossierStatus
from vntext.dossier_code import mask_dossier_code
from vntext.numbers import words_to_digits
from vntext.spoken_codes import dossier_code_in

from .common import backend, say_failure
from .spoken import MORE_ON_SCREEN, SPOKEN_WORD_LIMIT, clauses, fit, word_count

logger = logging.getLogger(__name__)


def last_four_digits(text: str) -> str | None:
    digits = "".join(re.findall(r"\d", text))
    if len(digits) < 4:
        try:
            digits = words_to_digits(text)
        except (ValueError, KeyError):
            return None
    return digits[-4:] if len(digits) >= 4 else None


def _date(value: str | None) -> str | None:
    """ "2025-11-28" -> "28/11/2025" (reads well aloud)."""
    if not value:
        return None
    parts = str(value)[:10].split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else str(value)


def _aloud(text: str | None) -> str:
    """A backend sentence as the assistant says it: it speaks to "bạn", not "ông/bà"."""
    return re.sub(
        r"\b[Ôô]ng/bà\b", lambda m: "Bạn" if m.group(0)[0] == "Ô" else "bạn", str(text or "")
    ).strip()


DETAILS_QUESTION = "Xem chi tiết không ạ?"
# Statuses whose result is still to come: the appointment is worth saying.
RESULT_TO_COME = {
    DossierStatus.MOI_DANG_KY,
    DossierStatus.DA_TIEP_NHAN,
    DossierStatus.DANG_XU_LY,
    DossierStatus.YEU_CAU_BO_SUNG,
    DossierStatus.YEU_CAU_NGHIA_VU_TAI_CHINH,
}


def dossier_text(dossier: Dossier, detailed: bool) -> str:
    """The status in plain words, the appointment and the next step, each said once; once the phone
    digits matched, the note first (the status was said just before). As much as fits in a spoken
    answer: the card has everything."""
    status = _aloud(dossier.status_text or dossier.status.label).rstrip(".")
    status = re.sub(r"^Hồ sơ\s+", "", status)
    note = _aloud(dossier.note).rstrip(".") if detailed else ""
    name = re.sub(r"\s*\(.*?\)", "", dossier.procedure_name).strip()
    if note:
        leads, parts = ["Ghi chú của cán bộ:", "Ghi chú:"], [f"{note}."]
    else:
        leads = [f"Hồ sơ {name[:1].lower()}{name[1:]}:", "Hồ sơ:"] if name else ["Hồ sơ của bạn:", "Hồ sơ:"]
        parts = [f"{status[:1].lower()}{status[1:]}."]
    # the backend's next step may repeat the note or the appointment: each is said once
    steps = [step for step in clauses(_aloud(dossier.next_step)) if not note or note not in step]
    appointment = _date(dossier.appointment_on)
    if appointment and dossier.status in RESULT_TO_COME and not any(appointment in s for s in steps):
        parts.append(f"Ngày hẹn trả kết quả: {appointment}.")
    parts += steps
    if detailed:
        return fit(leads, parts) or f"{leads[-1]} {parts[0]} {MORE_ON_SCREEN}"
    # the question offers the rest: no pointer to the screen before it
    budget = SPOKEN_WORD_LIMIT - word_count(DETAILS_QUESTION)
    said = fit(leads, parts, budget, more="") or f"{leads[-1]} {parts[0]}"
    return f"{said} {DETAILS_QUESTION}"


def say_dossier(dispatcher: CollectingDispatcher, dossier: Dossier, detailed: bool) -> None:
    buttons = [] if detailed else [Choice("Xem chi tiết", "/affirm"), Choice("Không", "/deny")]
    dispatcher.utter_message(
        text=dossier_text(dossier, detailed),
        buttons=choices(buttons),
        json_message=DossierCard(dossier, detailed).to_dict(),
    )


class ValidateDossierForm(FormValidationAction):
    def name(self) -> str:
        return "validate_dossier_form"

    async def extract_dossier_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "dossier_code":
            return {}
        code = dossier_code_in(tracker.latest_message.get("text") or "")
        return {"dossier_code": code} if code else {}

    def validate_dossier_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = dossier_code_in(str(value or ""))
        if code is None:
            dispatcher.utter_message(
                response="utter_dossier_bad_code", json_message=DossierStepCard("bad_code").to_dict()
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


# The backend's refusals of a look-up: not found, too many wrong tries; else a malformed code.
REFUSED = {404: "utter_dossier_not_found", 429: "utter_dossier_locked"}


def check_dossier(dispatcher: CollectingDispatcher, code: str, verify: str | None = None) -> list[EventType]:
    try:
        dossier = backend().dossier(code, verify=verify)
    except BackendError as err:
        logger.info("Dossier %s look-up: %s", mask_dossier_code(code), err.code)
        refused = REFUSED.get(err.status, "utter_dossier_bad_format")
        say_failure(dispatcher, err, "dossier", refused, DossierStepCard("not_found", err.status))
        return [SlotSet("dossier_code", None), SlotSet("pending_offer", None)]
    detailed = verify is not None and dossier.verified
    if verify is not None and not detailed:
        dispatcher.utter_message(response="utter_phone_mismatch")
    say_dossier(dispatcher, dossier, detailed)
    if detailed:  # verified: offer status messages to the dossier's phone (a yes agrees)
        dispatcher.utter_message(response="utter_offer_dossier_messages")
        return [SlotSet("pending_offer", "dossier_messages")]
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
            dispatcher.utter_message(response="utter_phone_last4_again")
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
        if SlotSet("pending_offer", "dossier_messages") in events:
            return events  # the digits wait for the answer to the offer, then go
        return [*events, SlotSet("phone_last4", None)]


def subscribe_to_messages(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A yes to the offer after a verified look-up: SMS and Zalo messages to the dossier's phone."""
    code = str(tracker.get_slot("dossier_code") or "")
    digits = str(tracker.get_slot("phone_last4") or "")
    try:
        agreed = backend().subscribe_dossier(code, digits, ["sms", "zalo"])
    except BackendError as err:
        logger.info("Dossier %s messages: %s", mask_dossier_code(code), err.code)
        say_failure(dispatcher, err, "dossier")
    else:
        channels = " và ".join({"sms": "SMS", "zalo": "Zalo"}.get(c, c) for c in agreed)
        dispatcher.utter_message(response="utter_dossier_messages_agreed", channels=channels)
    return [SlotSet(name, None) for name in ("pending_offer", "dossier_code", "phone_last4")]
