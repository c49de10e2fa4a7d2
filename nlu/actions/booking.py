"""Booked numbers: booking ahead by voice ("đặt lịch", "mai tôi đến được không": the booking form
asks the service, offers the free windows, takes the phone number) and checking a booking in by its
code ("tôi đã đặt lịch, mã AC3F7K")."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from contract.cards import Choice, TicketCard, choices
from contract.errors import BackendError, BackendUnavailableError
from contract.resources import counters_text
from vntext.normalize import fold
from vntext.spoken_codes import booking_code_in, spell_code

from .common import action_settings, backend, say_failure
from .parsing import names_a_time, phone_from_text, window_from_text
from .queue import people_ahead, service_slots

logger = logging.getLogger(__name__)
DAY_WORDS = {"ngày kia": 2, "mốt": 2, "ngày mai": 1, "mai": 1, "hôm nay": 0, "bây giờ": 0}
BOOKABLE_DAYS = 7  # today and the six days after it (the backend refuses any other day)


def spoken_time(hhmm: str) -> str:
    """ "08:30" -> "8 giờ 30", "14:00" -> "14 giờ" (read aloud as numbers)."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return f"{hours} giờ {minutes}" if minutes else f"{hours} giờ"


def day_named(text: str) -> int | None:
    """The day a sentence names, from today: "hôm nay" 0, "mai" 1, "ngày kia" 2 (with or without
    diacritics); None when it names none (the backend's clock says which day today is)."""
    typed_plain = text.isascii()  # then "mot" is "một" (one) far more often than "mốt"
    words = re.findall(r"[^\W_]+", fold(text) if typed_plain else text.lower())
    said = f" {' '.join(words)} "
    return next(
        (
            days
            for words, days in DAY_WORDS.items()
            if f" {fold(words) if typed_plain else words} " in said and not (typed_plain and words == "mốt")
        ),
        None,
    )


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


def day_name(offset: int, iso_day: str) -> str:
    """ "Ngày mai", or "Ngày 05/12" beyond the day after tomorrow."""
    named = {0: "Hôm nay", 1: "Ngày mai", 2: "Ngày kia"}
    return named.get(offset) or f"Ngày {iso_day[8:10]}/{iso_day[5:7]}"


def _free(windows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [w for w in windows if int(w.get("free") or 0) > 0]


def _minutes_long(window: dict[str, Any]) -> int:
    start, end = (str(window[key]).split(":") for key in ("window_start", "window_end"))
    return (int(end[0]) * 60 + int(end[1])) - (int(start[0]) * 60 + int(start[1]))


BOOKING_SLOTS = ("booking_offset", "booking_day", "booking_window", "booking_phone")


def _cleared() -> list[EventType]:
    """A booking's slots emptied (the phone number is kept no longer than the booking takes)."""
    return [SlotSet(name, None) for name in (*BOOKING_SLOTS, "service_id")]


def day_changed(tracker: Tracker) -> dict[str, Any]:
    """A day named in the latest sentence, when it is not the one asked so far; naming another
    day asks the window again."""
    offset = day_named(str(tracker.latest_message.get("text") or ""))
    if offset is None or offset == tracker.get_slot("booking_offset"):
        return {}
    return {"booking_offset": offset, "booking_day": None, "booking_window": None}


def _stopped(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> dict[str, Any] | None:
    """An answer that is not a time or a phone number: a "không"/"thôi" ends the booking, anything
    else asks again (the question says what kind of answer is wanted)."""
    if (tracker.latest_message.get("intent") or {}).get("name") == "deny":
        dispatcher.utter_message(response="utter_booking_stopped")
        return {slot: None, "requested_slot": None}
    again = {"booking_window": "utter_booking_window_again", "booking_phone": "utter_booking_phone_again"}
    dispatcher.utter_message(response=again[slot])
    return None


class ValidateBookingForm(FormValidationAction):
    """Booking by voice: the service (as for a ticket), the day ("mai", "ngày kia"), the window
    ("8 giờ 30", "tám giờ rưỡi", "giờ nào sớm nhất") and the phone number read digit by digit."""

    def name(self) -> str:
        return "validate_booking_form"

    async def extract_service_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("service_id"):
            return {}
        return service_slots(tracker)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The slots of the form, then the day: rasa_sdk extracts only required slots, and a day
        can be named in any sentence ("ngày kia tôi muốn đặt lịch", "thôi để mai")."""
        events = await super().run(dispatcher, tracker, domain)
        changed = day_changed(tracker)
        return [*events, *(SlotSet(name, value) for name, value in changed.items())]

    def validate_booking_window(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        day, service_id = tracker.get_slot("booking_day"), tracker.get_slot("service_id")
        if not day or not service_id:
            return {"booking_window": None}
        try:
            windows = backend().booking_windows(service_id, day=str(day))
        except BackendError as err:
            say_failure(dispatcher, err, "queue", refused="utter_book_ahead_how")
            return {"booking_window": None}
        free = _free(windows)
        minutes = _minutes_long(windows[0]) if windows else 30
        said = str(value or "")
        chosen = window_from_text(said, [str(w["window_start"]) for w in free], minutes)
        if chosen is not None:
            return {"booking_window": chosen}
        if not names_a_time(said):
            return _stopped(dispatcher, tracker, "booking_window") or {"booking_window": None}
        times = ", ".join(spoken_time(str(w["window_start"])) for w in free[:3])
        dispatcher.utter_message(text=f"Giờ đó không còn chỗ. Còn trống: {times}. Bạn chọn giờ nào?")
        return {"booking_window": None}

    def validate_booking_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = phone_from_text(str(value or ""))
        if phone is not None:
            return {"booking_phone": phone}
        return _stopped(dispatcher, tracker, "booking_phone") or {"booking_phone": None}


class ActionAskBookingWindow(Action):
    """The free windows of the day asked (tomorrow unless another day was named) or, when that day
    is full, of the nearest day with room; no room in the coming days ends the booking."""

    def name(self) -> str:
        return "action_ask_booking_window"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        service_id = str(tracker.get_slot("service_id") or "")
        asked = int(tracker.get_slot("booking_offset") or 1)
        client = backend()
        try:
            service = next((s for s in client.services() if s.id == service_id), None)
            found = next(
                (
                    (offset, free)
                    for offset in range(asked, BOOKABLE_DAYS)
                    if (free := _free(client.booking_windows(service_id, days_from_today=offset)))
                ),
                None,
            )
        except BackendError as err:
            say_failure(dispatcher, err, "queue", refused="utter_book_ahead_how")
            return [ActiveLoop(None), SlotSet("requested_slot", None), *_cleared()]
        name = service.name if service else "dịch vụ này"
        if found is None:
            dispatcher.utter_message(
                text=f"{name} không còn giờ trống để đặt lịch trong những ngày tới. "
                "Mời bạn lấy số tại chỗ, hoặc hỏi cán bộ ở quầy hướng dẫn."
            )
            return [ActiveLoop(None), SlotSet("requested_slot", None), *_cleared()]
        offset, free = found
        day = str(free[0]["day"])
        times = [spoken_time(str(w["window_start"])) for w in free[:3]]
        full = f"{day_name(asked, day)} đã kín. " if offset != asked else ""
        dispatcher.utter_message(
            text=f"{full}{day_name(offset, day)}, {name} còn giờ trống: {', '.join(times)}. "
            "Bạn muốn đến lúc mấy giờ?",
            buttons=choices([Choice(time, time) for time in times]),
        )
        return [SlotSet("booking_day", day)]


class ActionMakeBooking(Action):
    """The booking, once the form has the service, day, window and phone: its code read aloud."""

    def name(self) -> str:
        return "action_make_booking"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        slots = {name: tracker.get_slot(name) for name in ("service_id", *BOOKING_SLOTS[1:])}
        if not all(slots.values()):
            return _cleared()  # the form ended early and has said why
        client = backend()
        try:
            booked = client.book(
                str(slots["service_id"]), str(slots["booking_day"]), str(slots["booking_window"]),
                str(slots["booking_phone"]), action_settings().channel,
            )  # fmt: skip
        except BackendError as err:
            if isinstance(err, BackendUnavailableError) or err.status not in (409, 422, 429):
                say_failure(dispatcher, err, "queue", refused="utter_book_ahead_how")
            else:  # full, too many bookings for the phone, too many tries: the backend says which
                dispatcher.utter_message(text=f"Chưa đặt được lịch: {err}")
            return _cleared()
        day = str(booked.get("day") or slots["booking_day"])
        dispatcher.utter_message(
            text=f"Đã đặt lịch lúc {spoken_time(str(booked.get('window_start')))} ngày "
            f"{day[8:10]}/{day[5:7]}. Mã đặt lịch của bạn là {spell_code(str(booked.get('code')))}. "
            "Đến nơi, bạn đọc mã này cho tôi là được số, gọi trước người lấy số tại chỗ. "
            "Xem hoặc huỷ lịch trên trang đặt lịch bằng mã và 4 số cuối điện thoại."
        )
        return _cleared()
