"""Presenters of the kiosk, without a window."""

from pathlib import Path
from typing import Any

import pytest

from contract.rasa_client import BotMessage
from contract.resources import Dossier, Faq, Procedure, Service, Ticket
from kiosk.cache import ContentCache, ContentSnapshot
from kiosk.presenters.conversation import Conversation, card_from_custom
from kiosk.presenters.dossier import (
    dossier_view,
    lookup_error_message,
    opt_in_error_message,
    opt_in_offered,
    opted_in_message,
    verified_message,
    verify_digits_problem,
)
from kiosk.presenters.dossier_entry import DossierCodeEntry
from kiosk.presenters.idle import IdleAction, IdleMonitor
from kiosk.presenters.procedures import procedure_card, search_procedures
from kiosk.presenters.queue import ticket_view
from kiosk.presenters.scan import decode_receipt, frame_to_image
from kiosk.presenters.voice import VoiceState
from kiosk.strings import STRINGS, set_language, t
from speech.events import (
    IntentStart,
    PipelineEventType,
    RunEnd,
    RunStart,
    SttEnd,
    SttPartial,
    TtsStart,
    VadStart,
)
from vntext.dossier_code import is_dossier_code

PROCEDURE_DATA = [
    {
        "id": "trich_luc_ho_tich",
        "name": "Cấp bản sao trích lục hộ tịch",
        "field": "ho_tich",
        "summary": "Bản sao trích lục khai sinh, kết hôn",
        "aliases": [],
    },
    {
        "id": "khai_sinh",
        "name": "Đăng ký khai sinh",
        "field": "ho_tich",
        "summary": "Làm giấy khai sinh cho trẻ",
        "aliases": ["làm giấy khai sinh", "gks"],
    },
    {
        "id": "cap_so_do",
        "name": "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "field": "dat_dai",
        "summary": "Cấp sổ đỏ",
        "aliases": ["sổ đỏ"],
    },
]


PROCEDURES = [Procedure.from_dict(data) for data in PROCEDURE_DATA]


def test_search_ignores_diacritics_and_ranks_name_matches_first() -> None:
    found = search_procedures(PROCEDURES, "khai sinh")
    assert [p.id for p in found] == ["khai_sinh", "trich_luc_ho_tich"]
    assert [p.id for p in search_procedures(PROCEDURES, "ĐĂNG KÝ KHAI SINH")] == ["khai_sinh"]
    assert [p.id for p in search_procedures(PROCEDURES, "so do")] == ["cap_so_do"]
    assert [p.id for p in search_procedures(PROCEDURES, "gks")] == ["khai_sinh"]  # abbreviation
    assert search_procedures(PROCEDURES, "hộ chiếu") == []


def test_search_by_field() -> None:
    assert [p.id for p in search_procedures(PROCEDURES, "", "dat_dai")] == ["cap_so_do"]
    assert len(search_procedures(PROCEDURES, "")) == 3


def test_procedure_card_from_the_api_shape() -> None:
    card = procedure_card(
        Procedure.from_dict(
            {
                "id": "khai_sinh",
                "name": "Đăng ký khai sinh",
                "field": "ho_tich",
                "documents": ["Tờ khai", "Giấy chứng sinh"],
                "fee": {"text": "Miễn phí", "amount_vnd": 0},
                "processing_time": {"text": "Trong ngày", "working_days": 0},
                "where": {"text": "Quầy 1", "service_id": "ho_tich_chung_thuc"},
                "online": {
                    "available": True,
                    "level": "full",
                    "url": "https://dichvucong.gov.vn",
                    "text": "Có",
                },
                "legal_basis": ["Luật Hộ tịch 2014"],
                "verified_on": "2025-11-02",
            }
        )
    )
    assert card.field_name == "Hộ tịch"
    assert card.verified_on == "02/11/2025"
    assert card.online_url == "https://dichvucong.gov.vn"
    assert card.service_id == "ho_tich_chung_thuc"
    assert "Giấy chứng sinh" in card.speech_text and "Miễn phí" in card.speech_text
    # without the backend's word that a fact is confirmed, the card says it is not
    assert card.unconfirmed == ["documents", "fee", "processing_time"]
    assert card.fee_text == "Miễn phí (chưa xác nhận, xin hỏi cán bộ)"


def test_procedure_card_marks_only_unconfirmed_facts_and_the_next_change() -> None:
    confirmed = {
        "verified": True,
        "verified_on": "2026-12-02",
        "source_url": "https://x.gov.vn",
        "note": None,
    }
    card = procedure_card(
        Procedure.from_dict(
            {
                "id": "can_cuoc",
                "name": "Cấp, đổi thẻ căn cước",
                "field": "cu_tru",
                "documents": ["Thẻ cũ"],
                "fee": {"text": "Cấp đổi 25.000 đồng"},
                "processing_time": {"text": "7 ngày làm việc"},
                "where": {"text": "Quầy 3"},
                "online": {"available": False, "level": "none", "text": "Không"},
                "verification": {
                    "documents": confirmed,
                    "fee": confirmed,
                    "processing_time": {**confirmed, "verified": False, "verified_on": None},
                },
                "next_change": {"on": "2027-01-01", "facts": ["fee"]},
            }
        )
    )
    assert card.fee_text == "Cấp đổi 25.000 đồng"
    assert card.time_text == "7 ngày làm việc (chưa xác nhận, xin hỏi cán bộ)"
    assert card.next_change == "Từ 01/01/2027 thay đổi: lệ phí"
    assert card.next_change in card.speech_text


def test_dossier_entry_inserts_separators_and_needs_a_letter() -> None:
    entry = DossierCodeEntry()
    for key in "000":
        assert entry.press(key)
    assert entry.text == "000."
    for key in "0031":
        entry.press(key)
    assert entry.text == "000.00.31."
    assert entry.expects_letter()
    assert not entry.press("1")  # a digit does not fit the letter position
    assert entry.press("h")
    for key in "26251121000":
        entry.press(key)
    assert not entry.complete
    assert entry.text == "000.00.31.H26-251121-000"
    entry.press("3")
    assert entry.complete
    assert entry.code == "000.00.31.H26-251121-0003"
    assert is_dossier_code(entry.code)
    assert not entry.press("4")  # nothing after the last digit
    entry.backspace()
    assert entry.code is None
    assert entry.remaining_mask == "0"


def test_dossier_entry_paste_from_a_scan() -> None:
    entry = DossierCodeEntry()
    entry.paste("000 00 31 h26 251121 0003")
    assert entry.code == "000.00.31.H26-251121-0003"


def test_idle_monitor_asks_then_resets() -> None:
    idle = IdleMonitor(idle_seconds=60, answer_seconds=20)
    idle.touched(0)
    assert idle.poll(59) is None
    assert idle.poll(60) is IdleAction.ASK
    assert idle.asking
    assert idle.poll(79) is None
    assert idle.poll(80) is IdleAction.RESET
    assert not idle.asking


def test_idle_monitor_answer_keeps_the_session() -> None:
    idle = IdleMonitor(idle_seconds=60, answer_seconds=20)
    idle.touched(0)
    assert idle.poll(61) is IdleAction.ASK
    idle.touched(65)
    assert idle.poll(90) is None
    assert idle.poll(125) is IdleAction.ASK


def test_idle_monitor_quiet_when_nothing_to_clear() -> None:
    idle = IdleMonitor(idle_seconds=1, answer_seconds=1)
    assert idle.poll(100, nothing_to_clear=True) is None
    assert idle.poll(100.5) is None
    assert idle.poll(101.5) is IdleAction.ASK


def test_ticket_view_from_the_api_shape() -> None:
    view = ticket_view(
        Ticket.from_dict(
            {
                "id": 7,
                "number": "A023",
                "service_id": "ho_tich_chung_thuc",
                "counters": [{"id": "quay_1", "number": 1, "name": "Quầy 1"}, {"id": "quay_2", "number": 2}],
                "ahead": 4,
                "estimated_wait_minutes": 12.4,
                "priority": "elderly",
            }
        ),
        [Service.from_dict({"id": "ho_tich_chung_thuc", "name": "Hộ tịch – Chứng thực"})],
    )
    assert view.counters == "1, 2"
    assert view.counter_line == "Mời đến quầy 1, 2"
    assert view.ahead_line == "Trước bác còn 4 người"
    assert view.wait_line == "Thời gian chờ dự kiến khoảng 12 phút"
    assert view.service_name == "Hộ tịch – Chứng thực"
    assert "A 0 2 3" in view.speech_text
    nobody = ticket_view(
        Ticket.from_dict(
            {
                "id": 1,
                "number": "B001",
                "service_id": "x",
                "counters": [{"id": "quay_3", "number": 3}],
                "ahead": 0,
            }
        )
    )
    assert nobody.ahead_line == "Bác là người tiếp theo"
    assert nobody.counters == "3"


def test_dossier_view_and_errors() -> None:
    view = dossier_view(
        Dossier.from_dict(
            {
                "status": "yeu_cau_bo_sung",
                "status_text": "",
                "procedure_name": "Đăng ký khai sinh",
                "appointment_on": "2026-11-28",
                "next_step": "Mang thêm giấy chứng sinh",
            }
        )
    )
    assert view.status_text == "Yêu cầu bổ sung giấy tờ"
    assert view.appointment_on == "28/11/2026"
    assert "Mang thêm giấy chứng sinh" in view.speech_text
    assert lookup_error_message("dossier_not_found", 404) == t("dossier.not_found")
    assert lookup_error_message("rate_limited", 429) == t("dossier.too_many")
    assert lookup_error_message("backend_unavailable", None) == t("dossier.unavailable")


def test_dossier_details_need_four_digits_and_a_match() -> None:
    assert verify_digits_problem("123") == t("dossier.verify_short")
    assert verify_digits_problem("12a4") == t("dossier.verify_short")
    assert verify_digits_problem("12345") == t("dossier.verify_short")
    assert verify_digits_problem("0042") is None
    masked = dossier_view(Dossier.from_dict({"status": "dang_xu_ly", "verified": False, "note": None}))
    assert not masked.verified and masked.note == ""
    assert verified_message(masked) == t("dossier.verify_wrong")
    detailed = dossier_view(
        Dossier.from_dict({"status": "dang_xu_ly", "verified": True, "note": "Mang CCCD bản gốc."})
    )
    assert detailed.verified and detailed.note == "Mang CCCD bản gốc."
    assert verified_message(detailed) == ""


def test_conversation_replies_buttons_cards_and_reset() -> None:
    conversation = Conversation()
    first_sender = conversation.sender_id
    conversation.add_user("tôi muốn lấy số")
    added = conversation.add_replies(
        [
            BotMessage.from_dict(m)
            for m in [
                {"text": "Bác làm thủ tục gì?", "buttons": [{"title": "Khai sinh", "payload": "/inform"}]},
                {"custom": {"type": "ticket", "number": "A005", "counters": [{"number": 1}], "ahead": 2}},
                {
                    "custom": {
                        "type": "procedure",
                        "id": "khai_sinh",
                        "name": "Đăng ký khai sinh",
                        "fee": {"text": "0"},
                    }
                },
                {"custom": {"type": "faq", "question": "Wifi?", "answer": "Mật khẩu phucvu2026"}},
                {"custom": {"type": "unknown"}},
                {"custom": {"type": "dossier", "status": "no-such-status"}},  # does not decode: no card
            ]
        ]
    )
    assert [item.kind for item in added] == ["bot", "card", "card", "card"]
    assert added[0].buttons == [("Khai sinh", "/inform")]
    ticket = added[1].card
    assert ticket is not None and ticket.title.endswith("A005")
    assert "Mời đến quầy 1" in ticket.lines and "Trước bác còn 2 người" in ticket.lines
    procedure = added[2].card
    assert procedure is not None and procedure.action == ("Xem thủ tục", "procedure:khai_sinh")
    assert conversation.last_answer.endswith("Mật khẩu phucvu2026")
    conversation.add_rasa_down()
    assert conversation.rasa_down
    conversation.reset()
    assert conversation.items == [] and conversation.sender_id != first_sender


def test_dossier_card_from_custom_payload() -> None:
    card = card_from_custom(
        {
            "type": "dossier",
            "dossier": {
                "procedure_name": "Khai tử",
                "status_text": "Đang xử lý",
                "appointment_on": "2026-12-01",
            },
        }
    )
    assert card is not None
    assert card.lines == ["Tình trạng: Đang xử lý", "Ngày hẹn trả kết quả: 01/12/2026"]


def test_voice_state_follows_pipeline_events() -> None:
    state = VoiceState()
    state.listening()
    assert state.label == "Đang nghe…"
    assert not state.on_event(RunStart(run_id="r", source="microphone"))  # not shown
    assert not state.on_event(VadStart(run_id="r", audio_s=0.3))  # already listening
    assert state.on_event(SttPartial(run_id="r", text="tôi muốn"))
    assert state.on_event(SttEnd(run_id="r", text="tôi muốn lấy số", confidence=0.9))
    assert state.state == "heard" and state.text == "tôi muốn lấy số"
    state.on_event(IntentStart(run_id="r", text="tôi muốn lấy số", sender="s"))
    assert state.state == "thinking" and state.text == "tôi muốn lấy số"
    assert state.on_event(TtsStart(run_id="r", text="Bác làm thủ tục gì?", voice="vi"))
    assert state.state == "speaking" and state.text == "Bác làm thủ tục gì?"
    state.on_event(RunEnd(run_id="r", ok=True))
    assert state.state == "idle" and state.text == ""


def test_voice_state_maps_only_the_types_the_pipeline_emits() -> None:
    from kiosk.presenters.voice import _STATE_OF_EVENT

    assert set(_STATE_OF_EVENT) <= set(PipelineEventType)
    assert all(isinstance(key, PipelineEventType) for key in _STATE_OF_EVENT)


def test_strings_have_both_languages() -> None:
    try:
        for key, (vi, en) in STRINGS.items():
            assert vi and en, key
        set_language("en")
        assert t("home.queue") == "Take a queue number"
        assert t("queue.ahead", ahead=3) == "3 people ahead of you"
    finally:
        set_language("vi")
    assert t("home.queue") == "Lấy số thứ tự"


def test_cache_round_trip(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path / "sub" / "cache.json")
    assert cache.load().empty
    services = [Service.from_dict({"id": "a", "counters": [{"id": "quay_1", "number": 1, "name": "Quầy 1"}]})]
    snapshot = ContentSnapshot(
        synced_at="2026-11-26T09:00:00+00:00",
        procedures=PROCEDURES,
        faq=[Faq.from_dict({"key": "wifi", "question": "Wifi?", "answer": "Có"})],
        services=services,
    )
    cache.save(snapshot)
    loaded = cache.load()
    assert loaded.procedure("khai_sinh") == PROCEDURES[1]
    assert loaded.procedure("khai_sinh").raw["aliases"] == ["làm giấy khai sinh", "gks"]  # found offline
    assert loaded.faq == snapshot.faq
    assert loaded.services == services and loaded.services[0].counters[0].number == 1
    (tmp_path / "sub" / "cache.json").write_text("{broken", encoding="utf-8")
    assert cache.load().empty


@pytest.fixture(autouse=True)
def _vietnamese() -> None:
    set_language("vi")


def _qr(text: str, box_size: int = 6) -> Any:
    import qrcode

    qr = qrcode.QRCode(border=4, box_size=box_size)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def _photo_of(symbol: Any) -> Any:
    """The QR printed on a receipt, held at a slight angle in a grey camera frame."""
    from PIL import Image

    frame = Image.new("RGB", (640, 480), (150, 150, 140))
    turned = symbol.rotate(8, expand=True, fillcolor=(150, 150, 140))
    frame.paste(turned, (120, 40))
    return frame


def test_scan_reads_the_dossier_code_from_a_receipt_qr() -> None:
    import io

    receipt = _qr("Giấy tiếp nhận hồ sơ\nMã hồ sơ: 000.00.12.h26-250701-0002\nHẹn trả: 28/11/2026")
    result = decode_receipt(_photo_of(receipt))
    assert result.code == "000.00.12.H26-250701-0002"  # canonical, upper case
    assert result.message == ""
    png = io.BytesIO()
    receipt.save(png, format="png")
    assert decode_receipt(png.getvalue()).code == "000.00.12.H26-250701-0002"


def test_scan_reads_a_kivy_camera_frame() -> None:
    from PIL import Image

    photo = _photo_of(_qr("https://dichvucong.gov.vn/tra-cuu?ma=000.00.12.H26-250702-0003")).convert("RGBA")
    # A GL texture's pixels start with the bottom row.
    pixels = photo.transpose(Image.Transpose.FLIP_TOP_BOTTOM).tobytes()
    frame = frame_to_image(pixels, photo.size, "rgba")
    assert frame.size == photo.size
    assert decode_receipt(frame).code == "000.00.12.H26-250702-0003"


def test_scan_explains_a_qr_without_a_dossier_code() -> None:
    result = decode_receipt(_photo_of(_qr("https://wifi.example.vn/khach")))
    assert result.code is None
    assert result.symbols == 1
    assert result.message == t("dossier.scan_no_code")


def test_scan_of_a_blurred_or_empty_frame_asks_to_hold_it_closer() -> None:
    from PIL import Image, ImageFilter

    blurred = _photo_of(_qr("Mã hồ sơ: 000.00.12.H26-250701-0002")).filter(ImageFilter.GaussianBlur(10))
    for frame in (blurred, Image.new("RGB", (640, 480), (30, 30, 30))):
        result = decode_receipt(frame)
        assert result.code is None and result.symbols == 0
        assert result.message == t("dossier.scan_nothing")
    assert decode_receipt(b"not an image").message == t("dossier.scan_nothing")


def test_a_booking_qr_is_read_as_a_booking_code() -> None:
    import io

    import qrcode

    from kiosk.presenters.scan import decode_receipt

    png = io.BytesIO()
    qrcode.make("letan-booking:AC3F7K", box_size=6, border=4).save(png)
    result = decode_receipt(png.getvalue())
    assert (result.booking_code, result.code) == ("AC3F7K", None)


def test_opt_in_is_offered_after_the_digits_and_says_what_was_agreed_and_how_to_stop() -> None:
    data = {"code": "000.00.12.H26-250701-0001", "procedure_id": "khai_sinh", "status": "dang_xu_ly"}
    assert not opt_in_offered(dossier_view(Dossier.from_dict(data)))
    assert opt_in_offered(dossier_view(Dossier.from_dict({**data, "verified": True})))
    said = opted_in_message(["sms", "zalo"])
    assert "Đã đăng ký nhận tin qua SMS và Zalo" in said
    assert "TU CHOI" in said and "đường dẫn huỷ" in said  # how to stop
    assert not any(ch.isdigit() for ch in said)  # no phone number, not even its last digits
    assert opt_in_error_message("verify_mismatch", 403) == t("dossier.verify_wrong")
    assert opt_in_error_message("too_many_lookups", 429) == t("dossier.too_many")
    assert opt_in_error_message("backend_unreachable", None) == t("dossier.optin_failed")
