"""Booked numbers: checking a booking in by its code ("tôi đã đặt lịch, mã AC3F7K") and what the
assistant says of booking ahead ("đặt lịch", "mai tôi đến được không": the free windows)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from contract.cards import TicketCard
from contract.errors import BackendError, BackendUnavailableError
from contract.resources import counters_text
from vntext.spoken_codes import booking_code_in, spell_code

from .common import action_settings, backend, entity_value, say_failure, service_of
from .queue import people_ahead

logger = logging.getLogger(__name__)
DAY_WORDS = {"ngày kia": 2, "mốt": 2, "ngày mai": 1, "mai": 1, "hôm nay": 0, "bây giờ": 0}


def spoken_time(hhmm: str) -> str:
    """ "08:30" -> "8 giờ 30", "14:00" -> "14 giờ" (read aloud as numbers)."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return f"{hours} giờ {minutes}" if minutes else f"{hours} giờ"


def days_from_today(text: str) -> int:
    """The day a sentence asks about, from today: "hôm nay" 0, "mai" 1, "ngày kia" 2; else tomorrow
    (booking is for a coming day; the backend's clock says which day today is)."""
    lowered = text.lower()
    return next((days for words, days in DAY_WORDS.items() if words in lowered), 1)


class ActionCheckInBooking(Action):
    """The ticket of a booking, from the code the citizen says or types."""

    def name(self) -> str:
        return "action_check_in_booking"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = booking_code_in(str(tracker.latest_message.get("text") or ""))
        if code is None:
            dispatcher.utter_message(response="utter_ask_booking_code")
            return []
        client = backend()
        try:
            checked = client.check_in_booking(code, action_settings().channel)
        except BackendError as err:
            if isinstance(err, BackendUnavailableError) or err.status not in (404, 409):
                say_failure(dispatcher, err, "ticket", refused="utter_ticket_refused")
            elif err.status == 404:
                dispatcher.utter_message(response="utter_booking_not_found", code=spell_code(code))
            else:  # cancelled, or another day: the backend says which
                dispatcher.utter_message(text=f"{err}. Mời bạn lấy số thường nếu cần làm thủ tục hôm nay.")
            return []
        ticket = checked.ticket
        service = next((s for s in client.services() if s.id == ticket.service_id), None)
        counter = counters_text(
            ticket.counters or (service.counters if service else []), action_settings().help_counter
        )
        start = spoken_time(checked.window_start)
        if checked.kind == "early":
            text = (
                f"Bạn được số {ticket.number} của lịch hẹn {start}. Số của bạn được gọi từ {start}, "
                f"trước người lấy số tại chỗ; mời bạn ngồi chờ rồi đến {counter}."
            )
        elif checked.kind == "late":
            text = (
                f"Bạn đến quá giờ hẹn {start} nên được số {ticket.number} như người lấy số tại chỗ. "
                f"Mời đến {counter}. {people_ahead(ticket.ahead, ticket.estimated_wait_minutes)}"
            )
        else:
            text = (
                f"Bạn được số {ticket.number} theo lịch hẹn, được gọi trước người lấy số tại chỗ. "
                f"Mời đến {counter}. {people_ahead(ticket.ahead, ticket.estimated_wait_minutes)}"
            )
        card = TicketCard.of(ticket, service.name if service else None, counter)
        dispatcher.utter_message(text=text, json_message=card.to_dict())
        return [SlotSet("ticket_id", str(ticket.id)), SlotSet("ticket_number", ticket.number)]


class ActionBookAhead(Action):
    """How to book ahead, and the free windows of the day asked for the service the citizen named."""

    def name(self) -> str:
        return "action_book_ahead"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        procedure = entity_value(tracker, "procedure") or tracker.get_slot("procedure")
        field = entity_value(tracker, "field")
        client = backend()
        try:
            service = service_of(client, procedure=procedure, field=field) if procedure or field else None
            if service is None:
                dispatcher.utter_message(response="utter_book_ahead_how")
                return []
            offset = days_from_today(str(tracker.latest_message.get("text") or ""))
            windows = client.booking_windows(service.id, days_from_today=offset)
            free = [w for w in windows if int(w.get("free") or 0) > 0]
        except BackendError as err:
            say_failure(dispatcher, err, "queue", refused="utter_book_ahead_how")
            return []
        when = {0: "Hôm nay", 1: "Ngày mai", 2: "Ngày kia"}[offset]
        if not free:
            text = (
                f"{when}, {service.name} không còn giờ trống để đặt lịch. "
                "Bạn chọn ngày khác trên trang đặt lịch nhé."
            )
        else:
            times = ", ".join(spoken_time(str(w["window_start"])) for w in free[:3])
            text = (
                f"{when}, {service.name} còn giờ trống: {times}. "
                "Bạn đặt trên trang đặt lịch bằng số điện thoại, đến nơi đọc mã cho tôi là được số."
            )
        dispatcher.utter_message(text=text)
        return [SlotSet("procedure", procedure)] if procedure else []
