"""Each custom action against the real backend: tracker from a dict, CollectingDispatcher.

A message that names a response of the domain is rendered from `nlu/domain/*.yml` the way Rasa
renders it (first variation, variables filled, the action's buttons after the response's).
"""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from actions import common
from actions.conversation import ActionAffirm, ActionAnswerFaq, ActionInform, ActionRepeat
from actions.dossier import ActionCheckDossier, ActionDossierDetails, ValidateDossierForm
from actions.handoff import ActionRedirect, ActionRequestHuman, ActionSubmitFeedback, parse_rating
from actions.procedures import (
    ASK_AGAIN,
    ASPECTS,
    DOUBTFUL_NOTE,
    UNCONFIRMED,
    ActionAnswerProcedure,
)
from actions.queue import ActionIssueTicket, ActionQueueStatus, ValidateTicketForm
from actions.spoken import SPOKEN_WORD_LIMIT, word_count
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from contract.backend_client import BackendClient
from contract.cards import (
    DossierCard,
    DossierStepCard,
    FaqCard,
    FieldWhereCard,
    ProcedureCard,
    QueueCard,
    TicketCard,
    TicketStatusCard,
    card_from_dict,
)
from vntext.spoken_codes import booking_code_in

DOMAIN: dict[str, Any] = {"slots": {}, "forms": {}}


def tracker(
    intent: str = "ask_procedure",
    text: str = "",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> Tracker:
    latest = {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "text": text,
        **(extra or {}),
    }
    return Tracker.from_dict(
        {
            "sender_id": "test-citizen",
            "slots": slots or {},
            "latest_message": latest,
            "events": events or [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


DOMAIN_DIR = Path(__file__).resolve().parents[1] / "domain"


@lru_cache(maxsize=1)
def responses() -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        found.update(yaml.safe_load(path.read_text("utf-8")).get("responses") or {})
    return found


def rendered(message: dict[str, Any]) -> dict[str, Any]:
    """The message as Rasa sends it: a named response in its domain wording."""
    name = message.get("response")
    if not name:
        return message
    assert name in responses(), f"{name} is not a response of the domain"
    variation = responses()[name][0]
    values = {k: str(v) for k, v in message.items() if v is not None}
    text = re.sub(r"{([^\n{}]+?)}", r"{0[\1]}", variation["text"]).format(values)
    buttons = [
        {"title": b["title"], "payload": b["payload"].replace("{{", "{").replace("}}", "}")}
        for b in variation.get("buttons") or []
    ]
    return {**message, "text": text, "buttons": buttons + list(message.get("buttons") or [])}


def run(action: Any, track: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, track, DOMAIN)
    if asyncio.iscoroutine(events):
        events = asyncio.run(events)
    return [rendered(message) for message in dispatcher.messages], events


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 1}


def client() -> BackendClient:
    return BackendClient.from_settings()


def test_fee_is_read_live_from_the_backend() -> None:
    live = client().procedure("ket_hon")
    messages, events = run(
        ActionAnswerProcedure(), tracker("ask_fee", entities=[entity("procedure", "ket_hon")])
    )
    assert live.fee_text.rstrip(".") in messages[0]["text"]
    assert messages[0]["custom"]["type"] == "procedure"
    assert messages[0]["custom"]["procedure_id"] == "ket_hon"
    assert slots_of(events)["procedure"] == "ket_hon"


def test_follow_up_keeps_the_procedure_of_the_conversation() -> None:
    messages, _ = run(ActionAnswerProcedure(), tracker("ask_documents", slots={"procedure": "khai_sinh"}))
    custom = messages[0]["custom"]
    assert custom["aspect"] == "documents" and custom["procedure_id"] == "khai_sinh"
    assert custom["documents"] and custom["documents"][0].rstrip(". ")[:20] in messages[0]["text"]


def test_without_procedure_asks_which_with_buttons() -> None:
    messages, events = run(ActionAnswerProcedure(), tracker("ask_fee"))
    assert "thủ tục nào" in messages[0]["text"]
    assert any('"procedure": "khai_sinh"' in button["payload"] for button in messages[0]["buttons"])
    assert slots_of(events)["pending_aspect"] == "fee"
    # the bare answer then gives the fee
    messages, _ = run(
        ActionInform(),
        tracker("inform", entities=[entity("procedure", "tam_tru")], slots={"pending_aspect": "fee"}),
    )
    assert messages[0]["custom"]["aspect"] == "fee" and messages[0]["custom"]["procedure_id"] == "tam_tru"


def test_where_for_a_field_names_the_counters() -> None:
    messages, _ = run(ActionAnswerProcedure(), tracker("ask_where", entities=[entity("field", "dat_dai")]))
    assert "quầy 4" in messages[0]["text"]


def test_ticket_form_finds_the_service_and_issues_a_real_ticket() -> None:
    validator = ValidateTicketForm()
    found = asyncio.run(
        validator.extract_service_id(
            CollectingDispatcher(),
            tracker("request_queue_number", entities=[entity("procedure", "khai_sinh")]),
            DOMAIN,
        )
    )
    assert found["service_id"] == "ho_tich_chung_thuc"
    assert validator.validate_priority(
        "yes", CollectingDispatcher(), tracker("affirm", "có, tôi đang mang thai"), DOMAIN
    ) == {"priority": "pregnant"}
    slots = {"service_id": "ho_tich_chung_thuc", "priority": "none", "procedure": "khai_sinh"}
    messages, events = run(ActionIssueTicket(), tracker("deny", "không", slots=slots))
    custom = messages[0]["custom"]
    assert custom["type"] == "ticket" and custom["number"].startswith("A")
    assert custom["number"] in messages[0]["text"] and "quầy" in messages[0]["text"]
    assert slots_of(events)["pending_offer"] == "documents"
    # the same turn retried gives the same ticket (Idempotency-Key)
    again, _ = run(ActionIssueTicket(), tracker("deny", "không", slots=slots))
    assert again[0]["custom"]["number"] == custom["number"]
    # and the waiting question is about that ticket
    status, _ = run(
        ActionQueueStatus(), tracker("ask_queue_status", slots={"ticket_id": str(custom["ticket_id"])})
    )
    assert custom["number"] in status[0]["text"]
    # yes to the offer gives the documents
    docs, _ = run(
        ActionAffirm(), tracker("affirm", slots={"pending_offer": "documents", "procedure": "khai_sinh"})
    )
    assert docs[0]["custom"]["aspect"] == "documents"


def test_dossier_status_then_details_with_the_phone_digits(dossiers: list[tuple[str, str]]) -> None:
    code, verify = dossiers[0]
    typed = code.lower().replace("-", " ")
    validator = ValidateDossierForm()
    assert validator.validate_dossier_code(typed, CollectingDispatcher(), tracker("inform"), DOMAIN) == {
        "dossier_code": code
    }
    messages, events = run(ActionCheckDossier(), tracker("inform", slots={"dossier_code": code}))
    custom = messages[0]["custom"]
    assert custom["type"] == "dossier" and custom["code"] == code and custom["status"]
    assert custom["note"] is None and slots_of(events)["pending_offer"] == "dossier_details"
    assert code not in messages[0]["text"]  # nothing personal read aloud
    verified = {"dossier_code": code, "phone_last4": verify}
    details, events = run(ActionDossierDetails(), tracker("inform", slots=verified))
    assert next(m for m in details if m.get("custom"))["custom"]["detailed"] is True
    assert details[-1]["text"].startswith("Bạn có muốn nhận tin nhắn SMS và Zalo")
    offered = slots_of(events)
    assert offered == {"pending_offer": "dossier_messages"}  # code and digits kept for the answer
    agreed, events = run(
        ActionAffirm(), tracker("affirm", "có", slots={**verified, "pending_offer": "dossier_messages"})
    )
    assert (
        agreed[0]["text"].startswith("Đã đăng ký nhận tin qua SMS và Zalo") and "TU CHOI" in agreed[0]["text"]
    )
    assert slots_of(events) == {"pending_offer": None, "dossier_code": None, "phone_last4": None}
    refused, _ = run(
        ActionAffirm(),
        tracker(
            "affirm", "có", slots={**verified, "phone_last4": "0000", "pending_offer": "dossier_messages"}
        ),
    )
    assert refused[0]["text"] and not refused[0]["text"].startswith("Đã đăng ký")


def test_unknown_dossier_says_so() -> None:
    messages, events = run(
        ActionCheckDossier(), tracker("inform", slots={"dossier_code": "000.00.31.H26-251121-9999"})
    )
    assert "không tìm thấy" in messages[0]["text"].lower()
    assert slots_of(events)["dossier_code"] is None


def test_request_human_and_feedback_and_unanswered_reach_the_backend() -> None:
    messages, _ = run(ActionRequestHuman(), tracker("request_human", slots={"field": "ho_tich"}))
    assert "đã báo cán bộ" in messages[0]["text"] and "quầy 1" in messages[0]["text"]
    messages, events = run(ActionSubmitFeedback(), tracker("deny", slots={"rating": "4", "comment": ""}))
    assert "4 điểm" in messages[0]["text"] and slots_of(events)["rating"] is None
    messages, _ = run(ActionRedirect(), tracker("out_of_scope", "giá vàng hôm nay bao nhiêu"))
    assert messages[0]["buttons"] and "chưa giúp được" in messages[0]["text"]
    assert (
        parse_rating("bốn điểm") == 4 and parse_rating("rất hài lòng") == 5 and parse_rating("chịu") is None
    )


def test_faq_answer_is_rendered_by_the_backend() -> None:
    selector = {"faq": {"response": {"intent_response_key": "faq/wifi"}}}
    messages, _ = run(ActionAnswerFaq(), tracker("faq", "pass wifi", extra={"response_selector": selector}))
    assert messages[0]["custom"] == {**messages[0]["custom"], "type": "faq", "key": "wifi"}
    assert "{" not in messages[0]["text"] and "wifi" in messages[0]["text"].lower()


def test_repeat_sends_the_last_answer_again() -> None:
    last = {
        "event": "bot",
        "text": "Số của bạn là A001.",
        "data": {"custom": {"type": "ticket", "number": "A001"}},
    }
    messages, _ = run(ActionRepeat(), tracker("repeat", events=[last, {"event": "user", "text": "nói lại"}]))
    assert messages[0]["text"] == "Số của bạn là A001." and messages[0]["custom"]["number"] == "A001"


@pytest.mark.parametrize("action", [ActionAnswerProcedure(), ActionIssueTicket(), ActionCheckDossier()])
def test_backend_down_gives_a_clear_apology(monkeypatch: pytest.MonkeyPatch, action: Any) -> None:
    from contract.settings import shared_settings

    monkeypatch.setenv("LETAN_BACKEND_URL", "http://127.0.0.1:9/api/v1")
    monkeypatch.setenv("LETAN_HTTP_TIMEOUT", "0.5")
    shared_settings.cache_clear()
    common.backend.cache_clear()
    slots = {
        "procedure": "khai_sinh",
        "service_id": "ho_tich_chung_thuc",
        "dossier_code": "000.00.31.H26-251121-0003",
    }
    messages, _ = run(action, tracker("ask_fee", slots=slots))
    assert "hệ thống đang gián đoạn" in messages[0]["text"] and "quầy hướng dẫn" in messages[0]["text"]


def _without_qualifiers(text: str) -> str:
    """The answer without what it must say however long it gets: that a fact is unconfirmed and
    where to ask, and a change coming soon ("Từ ngày 1/1/2027: …" to the end)."""
    text = text.replace(UNCONFIRMED, "")
    text = re.sub(re.escape(ASK_AGAIN).replace(r"\{where\}", ".*?"), "", text)
    text = re.sub(re.escape(DOUBTFUL_NOTE).replace(r"\{facts\}", ".*?"), "", text)
    return re.sub(r" Từ ngày \d{1,2}/\d{1,2}/\d{4}.*$", "", text)


def test_every_answer_about_the_content_is_short_enough_to_listen_to() -> None:
    """Every procedure x aspect of the repository content: the spoken text says the essentials in
    at most SPOKEN_WORD_LIMIT words (the qualifiers aside) and the card carries everything."""
    too_long = []
    for summary in client().procedures():
        for intent, aspect in ASPECTS.items():
            messages, _ = run(
                ActionAnswerProcedure(), tracker(intent, entities=[entity("procedure", summary.id)])
            )
            text = messages[0]["text"]
            assert messages[0]["custom"]["aspect"] == aspect
            if word_count(_without_qualifiers(text)) > SPOKEN_WORD_LIMIT:
                too_long.append(f"{summary.id}/{aspect} ({word_count(text)} words): {text}")
    assert not too_long, "\n".join(too_long)


def test_an_unconfirmed_fact_keeps_its_qualifier_in_the_short_answer() -> None:
    for summary in client().procedures():
        record = client().procedure(summary.id)
        for intent, fact in (("ask_fee", "fee"), ("ask_processing_time", "processing_time")):
            if record.is_verified(fact):
                continue
            messages, _ = run(
                ActionAnswerProcedure(), tracker(intent, entities=[entity("procedure", record.id)])
            )
            assert "chưa được xác nhận" in messages[0]["text"] and "Xin hỏi lại cán bộ" in messages[0]["text"]


def test_dossier_and_queue_answers_are_short_and_say_each_thing_once(dossiers: list[tuple[str, str]]) -> None:
    for code, verify in dossiers:
        for digits in (None, verify):
            slots = {"dossier_code": code, "phone_last4": digits}
            action = ActionDossierDetails() if digits else ActionCheckDossier()
            messages, _ = run(action, tracker("inform", slots=slots))
            text = messages[-1]["text"]
            assert word_count(text) <= SPOKEN_WORD_LIMIT, text
            dates = re.findall(r"\d{2}/\d{2}/\d{4}", text)
            assert len(dates) == len(set(dates)), text
            note = messages[-1]["custom"].get("note")
            if note:
                assert text.count(note.rstrip(".")[:25]) == 1, text
    board, _ = run(ActionQueueStatus(), tracker("ask_queue_status", "đang gọi đến số mấy rồi"))
    assert board[0]["text"] and word_count(board[0]["text"]) <= SPOKEN_WORD_LIMIT, board
    assert board[0]["custom"]["queue"] and "0 người" not in board[0]["text"]


def test_a_ticket_answer_is_short_and_names_nobody_ahead_as_next() -> None:
    slots = {"service_id": "kinh_doanh_xa_hoi_tu_phap", "priority": "none", "procedure": "ho_kinh_doanh"}
    messages, _ = run(ActionIssueTicket(), tracker("deny", "không", slots=slots))
    text, ticket = messages[0]["text"], messages[0]["custom"]
    assert word_count(text) <= SPOKEN_WORD_LIMIT, text
    assert ticket["number"] in text and "0 người" not in text
    if ticket["ahead"] == 0:
        assert "người tiếp theo" in text
    status, _ = run(
        ActionQueueStatus(), tracker("ask_queue_status", slots={"ticket_id": str(ticket["ticket_id"])})
    )
    assert "0 người" not in status[0]["text"] and ticket["number"] in status[0]["text"]


def test_the_priority_said_in_words_fills_the_ticket_form() -> None:
    import asyncio

    validator = ValidateTicketForm()

    def extracted(text: str, requested: str | None) -> dict[str, Any]:
        track = tracker("inform", text, slots={"requested_slot": requested})
        return asyncio.run(validator.extract_priority(CollectingDispatcher(), track, DOMAIN))

    assert extracted("tôi 80 tuổi, cho tôi lấy số", None) == {"priority": "elderly"}
    assert extracted("cho tôi lấy số khai sinh cho em bé", None) == {}
    assert extracted("tôi 45 tuổi", "priority") == {"priority": "none"}
    assert extracted("đang có bầu", "priority") == {"priority": "pregnant"}


def test_a_service_named_by_letter_or_counter_fills_the_ticket_form() -> None:
    import asyncio

    validator = ValidateTicketForm()
    for text, service in (("dịch vụ C", "dat_dai_xay_dung"), ("quầy số ba", "cu_tru_can_cuoc")):
        track = tracker("inform", text, slots={"requested_slot": "service_id"})
        found = asyncio.run(validator.extract_service_id(CollectingDispatcher(), track, DOMAIN))
        assert found == {"service_id": service}, text


def test_a_priority_said_with_nothing_asked_is_kept_for_the_ticket() -> None:
    messages, events = run(ActionInform(), tracker("inform", "tôi năm nay 76 tuổi"))
    assert "ưu tiên" in messages[0]["text"] and slots_of(events) == {"priority": "elderly"}


def _card(message: dict[str, Any], kind: type) -> Any:
    """The message's card decoded with the contract, which gives the same payload back."""
    card = card_from_dict(message["custom"])
    assert card is not None and isinstance(card, kind), (kind, message["custom"])
    assert card.to_dict() == message["custom"]
    return card


def test_the_cards_the_actions_send_decode_with_the_contract(dossiers: list[tuple[str, str]]) -> None:
    messages, _ = run(
        ActionAnswerProcedure(), tracker("ask_fee", entities=[entity("procedure", "khai_sinh")])
    )
    procedure = _card(messages[0], ProcedureCard)
    assert (
        procedure.procedure_id == "khai_sinh"
        and procedure.fee["text"] == client().procedure("khai_sinh").fee_text
    )
    messages, _ = run(ActionAnswerProcedure(), tracker("ask_where", entities=[entity("field", "dat_dai")]))
    assert _card(messages[0], FieldWhereCard).counter in messages[0]["text"]
    slots = {"service_id": "ho_tich_chung_thuc", "priority": "elderly", "procedure": "khai_sinh"}
    messages, _ = run(ActionIssueTicket(), tracker("deny", "không", slots=slots))
    ticket = _card(messages[0], TicketCard)
    assert ticket.priority == "elderly" and ticket.counters and ticket.number in messages[0]["text"]
    messages, _ = run(
        ActionQueueStatus(), tracker("ask_queue_status", slots={"ticket_id": str(ticket.ticket_id)})
    )
    assert _card(messages[0], TicketStatusCard).number == ticket.number
    messages, _ = run(ActionQueueStatus(), tracker("ask_queue_status", slots={"field": "ho_tich"}))
    board = _card(messages[0], QueueCard)
    assert [row.service_id for row in board.queue] == ["ho_tich_chung_thuc"] and board.waiting >= 1
    code, verify = dossiers[0]
    messages, _ = run(
        ActionDossierDetails(), tracker("inform", slots={"dossier_code": code, "phone_last4": verify})
    )
    dossier = _card(next(m for m in messages if m.get("custom")), DossierCard)
    assert dossier.dossier.code == code and dossier.detailed and dossier.dossier.status.label
    messages, _ = run(
        ActionCheckDossier(), tracker("inform", slots={"dossier_code": "000.00.31.H26-251121-9999"})
    )
    assert _card(messages[0], DossierStepCard) == DossierStepCard("not_found", 404)
    selector = {"faq": {"response": {"intent_response_key": "faq/wifi"}}}
    messages, _ = run(ActionAnswerFaq(), tracker("faq", "pass wifi", extra={"response_selector": selector}))
    assert _card(messages[0], FaqCard).key == "wifi"


def test_every_response_the_actions_name_is_in_the_domain() -> None:
    source = " ".join(path.read_text("utf-8") for path in Path(common.__file__).parent.glob("*.py"))
    named = set(re.findall(r'"(utter_[a-z0-9_]+)"', source))
    named |= {f"utter_unavailable_{topic}" for topic in common.TOPICS}
    named |= {f"utter_which_procedure_{aspect}" for aspect in ASPECTS.values()}
    assert len(named) > 30 and not named - set(responses())


SERVICE = "ho_tich_chung_thuc"


def _booking_on_a_coming_day(client: BackendClient) -> str:
    """A booking through the public API for the first free window after today (the backend's own
    clock and calendar decide the days); its code."""
    import requests

    windows = [w for offset in range(1, 7) for w in client.booking_windows(SERVICE, days_from_today=offset)]
    free = next((w for w in windows if w["free"] > 0), None)
    assert free is not None, "no bookable window in the next six days"
    body = {
        "service_id": SERVICE,
        "day": free["day"],
        "window_start": free["window_start"],
        "phone": "0912777888",
    }
    booked = requests.post(f"{client.base_url}/bookings", json=body, timeout=10)
    assert booked.status_code == 201, booked.text
    return str(booked.json()["code"])


def test_a_booking_code_said_or_typed_is_checked_in_and_each_refusal_is_explained() -> None:
    from actions.booking import ActionCheckInBooking

    messages, _ = run(ActionCheckInBooking(), tracker("check_in_booking", "tôi đã đặt lịch rồi"))
    assert "Mời bạn đọc mã đặt lịch" in messages[0]["text"]
    messages, _ = run(ActionCheckInBooking(), tracker("check_in_booking", "tôi đã đặt lịch, mã AC3F7K"))
    assert "Tôi không tìm thấy lịch hẹn mã" in messages[0]["text"]
    code = _booking_on_a_coming_day(client())
    spelled = " ".join(code.lower())
    messages, events = run(
        ActionCheckInBooking(), tracker("check_in_booking", f"tôi có hẹn, mã là {spelled}")
    )
    assert "không phải hôm nay" in messages[0]["text"]  # booked for a coming day: said, no ticket
    assert "ticket_number" not in slots_of(events)


def _fill(client: BackendClient, day: str, window_start: str) -> None:
    """Every place of a window booked through the public API (two phones, two bookings each)."""
    import requests

    for phone in ("0912000111", "0912000111", "0912000222", "0912000222"):
        body = {"service_id": SERVICE, "day": day, "window_start": window_start, "phone": phone}
        answer = requests.post(f"{client.base_url}/bookings", json=body, timeout=10)
        assert answer.status_code == 201, answer.text


def test_booking_by_voice_offers_free_windows_takes_the_time_and_phone_said_and_books() -> None:
    from actions.booking import ActionAskBookingWindow, ActionMakeBooking, ValidateBookingForm, day_changed

    form = ValidateBookingForm()
    said = tracker("book_ahead", "ngày kia tôi đến làm khai sinh được không", slots={"service_id": SERVICE})
    offset = {"booking_offset": day_changed(said)["booking_offset"]}
    assert offset["booking_offset"] == 2
    assert day_changed(tracker("inform", "thoi de mai", slots={"booking_offset": 2}))["booking_offset"] == 1
    assert day_changed(tracker("inform", "khong chin mot hai", slots={"booking_offset": 1})) == {}
    asked = tracker("book_ahead", slots={"service_id": SERVICE, **offset})
    messages, events = run(ActionAskBookingWindow(), asked)
    day = slots_of(events)["booking_day"]
    first = messages[0]["buttons"][0]["title"]  # "8 giờ": a time said as the citizen says it
    assert "giờ trống" in messages[0]["text"] and first in messages[0]["text"]
    assert messages[0]["text"].startswith(("Ngày kia, Hộ tịch", "Ngày kia đã kín"))
    free = [w for w in client().booking_windows(SERVICE, day=day) if w["free"] > 0]
    slots = {"service_id": SERVICE, "booking_day": day}

    def window(text: str, intent: str = "inform") -> tuple[dict[str, Any], list[str]]:
        dispatcher = CollectingDispatcher()
        chosen = form.validate_booking_window(text, dispatcher, tracker(intent, text, slots=slots), DOMAIN)
        return chosen, [rendered(m)["text"] for m in dispatcher.messages]

    assert window(first)[0] == {"booking_window": free[0]["window_start"]}
    assert window("giờ nào sớm nhất cũng được")[0] == {"booking_window": free[0]["window_start"]}
    assert window("cảm ơn")[1][0].startswith("Bạn muốn đến lúc mấy giờ?")
    stopped, said_back = window("không", intent="deny")
    assert stopped["requested_slot"] is None and "không đặt lịch nữa" in said_back[0]

    _fill(client(), day, free[-1]["window_start"])  # the last free window is now full
    hour, minute = (int(part) for part in str(free[-1]["window_start"]).split(":"))
    full, said_back = window(f"{hour} giờ {minute}" if minute else f"{hour} giờ")
    assert full == {"booking_window": None} and said_back[0].startswith("Giờ đó không còn chỗ. Còn trống:")
    messages, _ = run(
        ActionMakeBooking(),
        tracker(slots={**slots, "booking_window": free[-1]["window_start"], "booking_phone": "0912000333"}),
    )
    assert messages[0]["text"].startswith("Chưa đặt được lịch: Khung giờ") and "đã kín" in messages[0]["text"]

    dispatcher = CollectingDispatcher()
    phone = "không chín một hai không không ba ba ba bốn"
    assert form.validate_booking_phone(phone, dispatcher, tracker("inform", phone), DOMAIN) == {
        "booking_phone": "0912003334"
    }
    assert form.validate_booking_phone("ba bốn", dispatcher, tracker("inform", "ba bốn"), DOMAIN) == {
        "booking_phone": None
    }
    assert rendered(dispatcher.messages[0])["text"].startswith("Tôi chưa nghe rõ số điện thoại")
    booked = {**slots, "booking_window": free[0]["window_start"], "booking_phone": "0912003334"}
    messages, events = run(ActionMakeBooking(), tracker(slots=booked))
    text = messages[0]["text"]
    assert text.startswith("Đã đặt lịch lúc") and "Mã đặt lịch của bạn là" in text
    assert all(value is None for value in slots_of(events).values())  # the phone is not kept
    code = booking_code_in(text.split("Mã đặt lịch của bạn là", 1)[1])
    import requests

    seen = requests.post(
        f"{client().base_url}/bookings/lookup", json={"code": code, "last_digits": "3334"}, timeout=10
    )
    assert seen.status_code == 200 and seen.json()["window_start"] == free[0]["window_start"]
    assert seen.json()["day"] == day and seen.json()["status"] == "booked"
