"""Procedure questions answered from the live content of the backend."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from contract.backend_client import BackendClient
from contract.cards import Choice, FieldWhereCard, ProcedureCard, choices
from contract.errors import BackendError, BackendUnavailableError
from contract.resources import Procedure

from .common import (
    COMMON_PROCEDURES,
    action_settings,
    backend,
    entity_value,
    say_failure,
    service_of,
    where_to_go,
)
from .spoken import MORE_ON_SCREEN, SPOKEN_WORD_LIMIT, clauses, fit, shorten, word_count

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


# Upcoming changes of the fact asked about are mentioned this many days ahead.
CHANGE_NOTICE_DAYS = 31
FACT_OF_ASPECT = {"documents": "documents", "fee": "fee", "time": "processing_time"}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# What makes a spoken answer longer than SPOKEN_WORD_LIMIT on purpose: an unconfirmed fact is said
# to be unconfirmed, with where to ask, and a change coming soon is announced.
UNCONFIRMED = "chưa được xác nhận, thông tin hiện có là:"
ASK_AGAIN = "Xin hỏi lại cán bộ ở {where} trước khi nộp hồ sơ."
DOUBTFUL_NOTE = "Lưu ý: {facts} chưa được xác nhận, xin hỏi lại cán bộ."
OVERVIEW_QUESTION = "Bạn muốn hỏi giấy tờ, lệ phí hay thời gian?"
# What is said of online filing when its text is too long to say.
ONLINE_LEVELS = {
    "full": "Thủ tục này làm trực tuyến được toàn bộ.",
    "partial": "Thủ tục này làm trực tuyến được một phần, vẫn phải đến quầy.",
    "none": "Thủ tục này chưa làm trực tuyến được, mời bạn đến quầy.",
}
_SAME_DAY_LEAD = re.compile(r"^từ\s+(?:ngày\s+)?(\d{1,2})/(\d{1,2})/(\d{4})\s*[:,]?\s*", re.IGNORECASE)


def _change_text(current: str, new: str, on: date) -> str:
    """What changes on `on`, aloud: the clauses of `new` that `current` does not already say."""
    said = set(clauses(current))
    every = clauses(new)
    parts = [part for part in every if part not in said] or every
    lead = _SAME_DAY_LEAD.match(parts[0])
    if lead and (int(lead[1]), int(lead[2]), int(lead[3])) == (on.day, on.month, on.year):
        rest = parts[0][lead.end() :]
        parts[0] = rest[:1].upper() + rest[1:]
    text = " ".join(parts)
    text = shorten(text) or text
    if len(parts) < len(every) and not text.endswith(MORE_ON_SCREEN):
        text = f"{text.rstrip('.')}. {MORE_ON_SCREEN}"
    return text


def _next_change(procedure: Procedure, fact: str) -> tuple[date, Any] | None:
    """The day and new value of the next change of `fact`, when it comes soon after the service day.

    The value as the API gives it: a text object (fee, time), a list (documents), None (ends).
    """
    today = _day(procedure.service_day)
    for change in procedure.raw.get("changes") or []:
        on = _day(str(change.get("on")))
        if change.get("fact") != fact or on is None or today is None:
            continue
        if (on - today).days > CHANGE_NOTICE_DAYS:
            return None
        return on, change.get("value")
    return None


def upcoming_change(procedure: Procedure, fact: str, current: str = "") -> str:
    """ "Từ ngày 1/1/2027: …" for the next change of `fact` soon after the service day."""
    change = _next_change(procedure, fact)
    if change is None:
        return ""
    on, value = change
    when = f"{on.day}/{on.month}/{on.year}"
    if isinstance(value, dict) and value.get("text"):
        return f" Từ ngày {when}: {_change_text(current, str(value['text']), on).rstrip('.')}."
    if value is None:
        return f" Mức này áp dụng đến hết ngày trước {when}; sau đó xin hỏi lại cán bộ."
    return f" Từ ngày {when} thông tin này thay đổi, xin xem trên màn hình."


def short_name(procedure: Procedure) -> str:
    """The procedure's name as said in a sentence: lower case, without its bracketed explanation."""
    return _title(procedure).lower()


def _title(procedure: Procedure) -> str:
    """The procedure's name without its bracketed explanation."""
    return re.sub(r"\s*\(.*?\)\s*", " ", procedure.name).replace("…", "").strip()


def _stated(
    procedure: Procedure,
    fact: str,
    subjects: list[str],
    parts: list[str],
    counter: str | None,
    *,
    complete: bool = True,
    bare: bool = True,
) -> str:
    """A fact said as known when it is confirmed, and as unconfirmed (with where to ask) when not.

    `subjects` name the fact, longest first ("Lệ phí đăng ký khai tử", "Lệ phí"), and when `bare`
    the fact may be said without one; as many of the fact's `parts` are said as fit in a spoken
    answer, the card shows the rest.
    """
    where = counter or action_settings().help_counter
    if procedure.is_verified(fact):
        # the fact alone answers the question asked when its name makes it too long
        leads = [f"{subject}:" for subject in subjects] + ([""] if bare else [])
        change = _next_change(procedure, fact)
        value = change[1] if change else None
        if not (isinstance(value, dict) and value.get("text")):
            said = fit(leads, parts, complete=complete) or _in_short(procedure, fact, subjects[-1])
            return said + upcoming_change(procedure, fact, " ".join(parts))
        # a change is announced: what changes, before and after; the card shows the rest
        coming = set(clauses(str(value["text"])))
        now = [part for part in parts if part not in coming] or parts
        said = fit(leads, now, more="") or _in_short(procedure, fact, subjects[-1])
        announced = upcoming_change(procedure, fact, " ".join(parts))
        if MORE_ON_SCREEN not in said + announced:
            announced = f"{announced} {MORE_ON_SCREEN}"
        return said + announced
    leads = [f"{subject} {UNCONFIRMED}" for subject in subjects]
    budget = SPOKEN_WORD_LIMIT + word_count(UNCONFIRMED)
    said = fit(leads, parts, budget, complete=complete) or (
        f"{subjects[-1]} chưa được xác nhận. {MORE_ON_SCREEN}"
    )
    return f"{said} {ASK_AGAIN.format(where=where)}"


def _in_short(procedure: Procedure, fact: str, subject: str) -> str:
    """What is said of a fact none of whose clauses is short enough to say whole."""
    days = procedure.working_days
    if fact == "processing_time" and days is not None and days > 0:
        number = f"{days:g}".replace(".", ",")
        return f"{subject}: khoảng {number} ngày làm việc, tùy trường hợp. {MORE_ON_SCREEN}"
    return f"{subject} có nhiều trường hợp khác nhau. {MORE_ON_SCREEN}"


# Where a document's name ends and its explanation begins, tried in this order.
_DOCUMENT_DETAILS = (" (", ": ", "; ", " theo ")
DOCUMENT_WORDS = 8


def spoken_document(item: str) -> str:
    """A document as said aloud: its name, without the explanation the card shows."""
    text = item.strip().rstrip(".;, ")
    for mark in _DOCUMENT_DETAILS:
        if mark == " (" or word_count(text) > DOCUMENT_WORDS:
            text = text.split(mark, 1)[0].strip()
    return text


def compose(procedure: Procedure, aspect: str, counter: str | None = None) -> str:
    """A short answer that reads well aloud, from the live procedure record.

    A fee, time limit or list of papers the backend does not mark as confirmed is said to be
    unconfirmed, with the counter where to ask: never read aloud as certain. What does not fit in
    a spoken answer (SPOKEN_WORD_LIMIT words) is left to the card.
    """
    name = short_name(procedure)
    if aspect == "documents":
        items = [item for item in procedure.documents if item.strip()]
        parts = [f"{spoken_document(item)};" for item in items] or ["xin hỏi cán bộ."]
        complete = all(spoken_document(item) == item.strip().rstrip(".;, ") for item in items)
        if procedure.is_verified("documents"):
            subjects = [f"Làm {name}, bạn cần mang", "Bạn cần mang"]
        else:
            subjects = [f"Danh sách giấy tờ {name}", "Danh sách giấy tờ"]
        return _stated(procedure, "documents", subjects, parts, counter, complete=complete, bare=False)
    if aspect == "fee":
        parts = clauses(procedure.fee_text)
        if word_count(" ".join(parts)) > SPOKEN_WORD_LIMIT:
            # too long to say whole: the clauses that state an amount first
            parts = sorted(parts, key=lambda part: not any(ch.isdigit() for ch in part))
        return _stated(procedure, "fee", [f"Lệ phí {name}", "Lệ phí"], parts, counter)
    if aspect == "time":
        parts = clauses(procedure.time_text)
        subjects = [f"Thời gian giải quyết {name}", "Thời gian giải quyết"]
        return _stated(procedure, "processing_time", subjects, parts, counter)
    if aspect == "where":
        go = f"Mời bạn đến {counter}." if counter else ""
        parts = clauses(procedure.where_text)
        said = fit([""], parts, SPOKEN_WORD_LIMIT - word_count(go), more="") or parts[0]
        return f"{said} {go}".strip()
    if aspect == "online":
        level = ONLINE_LEVELS.get(procedure.online_level, ONLINE_LEVELS["none"])
        return shorten(procedure.online_text.rstrip(".") + ".") or f"{level} {MORE_ON_SCREEN}"
    doubtful = [
        label
        for fact, label in (("fee", "lệ phí"), ("processing_time", "thời hạn"))
        if not procedure.is_verified(fact)
    ]
    note = f" {DOUBTFUL_NOTE.format(facts=' và '.join(doubtful))}" if doubtful else ""
    title = _title(procedure)
    summary = procedure.summary.strip().rstrip(".")
    said = f"{title}: {summary}." if summary else f"{title}."
    if word_count(f"{said} {OVERVIEW_QUESTION}") > SPOKEN_WORD_LIMIT:
        # The summary is on the card; aloud, where to go, under the name or its everyday name.
        go = f"mời bạn đến {counter}." if counter else ""
        aliases = [str(alias) for alias in procedure.raw.get("aliases") or []][:1]
        names = [title, *(alias[:1].upper() + alias[1:] for alias in aliases)]
        said = next(
            (
                f"{name}: {go}".strip()
                for name in names
                if word_count(f"{name}: {go} {OVERVIEW_QUESTION}") <= SPOKEN_WORD_LIMIT
            ),
            f"{go[:1].upper()}{go[1:]}" or f"{title}.",
        )
    return f"{said}{note} {OVERVIEW_QUESTION}"


def answer_procedure(
    dispatcher: CollectingDispatcher, procedure_id: str, aspect: str, client: BackendClient | None = None
) -> list[EventType]:
    """Say one aspect of a procedure; the procedure becomes the conversation's."""
    client = client or backend()
    try:
        procedure = client.procedure(procedure_id)
        counter = None
        doubtful = aspect in FACT_OF_ASPECT and not procedure.is_verified(FACT_OF_ASPECT[aspect])
        if aspect in ("where", "overview") or doubtful:
            counter = where_to_go(service_of(client, field=procedure.field, procedure=procedure_id))
    except BackendError as err:
        say_failure(dispatcher, err, "procedure", refused="utter_procedure_unknown")
        kept = procedure_id if isinstance(err, BackendUnavailableError) else None
        return [SlotSet("procedure", kept), SlotSet("pending_aspect", None)]
    buttons = [
        Choice.intent(title, ASPECT_INTENTS[other], procedure=procedure_id)
        for other, title in ASPECT_BUTTONS
        if other != aspect
    ][:3]
    buttons.append(Choice.intent("Lấy số thứ tự", "request_queue_number", procedure=procedure_id))
    dispatcher.utter_message(
        text=compose(procedure, aspect, counter),
        buttons=choices(buttons),
        json_message=ProcedureCard.of(procedure, aspect, counter).to_dict(),
    )
    return [
        SlotSet("procedure", procedure_id),
        SlotSet("field", procedure.field or None),
        SlotSet("pending_aspect", None),
        SlotSet("pending_offer", None),
    ]


def answer_field_where(
    dispatcher: CollectingDispatcher, field: str, client: BackendClient | None = None
) -> list[EventType]:
    client = client or backend()
    try:
        service = service_of(client, field=field)
    except BackendError as err:
        say_failure(dispatcher, err, "counter")
        return []
    counter = where_to_go(service)
    name = service.name if service else field
    dispatcher.utter_message(
        text=f"Hồ sơ {name} nộp ở {counter}.",
        buttons=choices([Choice.intent("Lấy số thứ tự", "request_queue_number", field=field)]),
        json_message=FieldWhereCard(field, service.id if service else None, counter).to_dict(),
    )
    return [SlotSet("field", field), SlotSet("pending_aspect", None)]


def ask_which_procedure(dispatcher: CollectingDispatcher, aspect: str) -> list[EventType]:
    buttons = [Choice.intent(title, "inform", procedure=pid) for pid, title in COMMON_PROCEDURES]
    dispatcher.utter_message(response=f"utter_which_procedure_{aspect}", buttons=choices(buttons))
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
        if aspect == "overview" and tracker.get_slot("pending_aspect"):
            # "lệ phí của thủ tục nào?" answered with "nhà tôi có người mất": the fee of khai tử
            aspect = str(tracker.get_slot("pending_aspect"))
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
