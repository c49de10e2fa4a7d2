"""The pure helpers of the actions: spoken answers cut where the sense allows, choices said in words."""

import pytest

from contract.resources import Service
from nlu.actions.parsing import (
    parse_rating,
    phone_from_text,
    priority_from_text,
    service_from_text,
    window_from_text,
)
from nlu.actions.spoken import MORE_ON_SCREEN, clauses, comma_pieces, first_sentences, fit, word_count


def test_words_are_counted_as_heard() -> None:
    assert word_count("Dịch vụ A, quầy số 1 – Hộ tịch.") == 8
    assert word_count("25.000 đồng") == 2


def test_a_text_is_cut_between_clauses_and_says_the_rest_is_on_screen() -> None:
    text = (
        "Miễn lệ phí khi đăng ký đúng hạn trong 60 ngày; người thuộc hộ nghèo được miễn. "
        "Quá hạn nộp theo mức của thành phố."
    )
    said = fit(["Lệ phí đăng ký khai sinh:", "Lệ phí:"], clauses(text), 20)
    assert said == f"Lệ phí: Miễn lệ phí khi đăng ký đúng hạn trong 60 ngày. {MORE_ON_SCREEN}"


def test_a_clause_is_never_cut_before_what_qualifies_it() -> None:
    text = "Có thể nộp hồ sơ trực tuyến, nhưng hai bên vẫn phải cùng đến phường để ký sổ."
    assert comma_pieces(text) == [text]
    listed = "Người cao tuổi, người khuyết tật, phụ nữ mang thai được ưu tiên phục vụ trước."
    assert comma_pieces(listed) == [listed]
    assert fit([""], [text], 10) is None


def test_a_text_written_to_be_read_keeps_whole_sentences() -> None:
    text = "Nhà vệ sinh ở cuối hành lang tầng 1, bên phải quầy số 6. Dùng miễn phí, có lối cho xe lăn."
    assert (
        first_sentences(text, 15)
        == f"Nhà vệ sinh ở cuối hành lang tầng 1, bên phải quầy số 6. {MORE_ON_SCREEN}"
    )
    assert first_sentences("Wifi miễn phí.", 15) == "Wifi miễn phí."


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("tôi 80 tuổi, cho tôi lấy số", "elderly"),
        ("bác bảy lăm tuổi rồi", "elderly"),
        ("toi 75 tuoi", "elderly"),
        ("con tôi mới 3 tuổi", "child"),
        ("tôi đang có bầu", "pregnant"),
        ("đi cùng cháu nhỏ", "child"),
        ("toi bi mu", "disabled"),
        ("cho tôi lấy số làm khai sinh cho em bé", None),  # the papers are for the baby
        ("nhà tôi mới sinh em bé", None),
        ("tôi 45 tuổi", None),
        ("cái mũ của tôi", None),
    ],
)
def test_a_priority_group_in_words(text: str, group: str | None) -> None:
    assert priority_from_text(text) == group


def test_answering_the_priority_question_an_adult_age_is_no_group() -> None:
    assert priority_from_text("tôi 45 tuổi", answering=True) == "none"
    assert priority_from_text("em bé", answering=True) == "child"
    assert priority_from_text("có con nhỏ dưới sáu tuổi", answering=True) == "child"


@pytest.mark.parametrize(
    ("text", "rating"),
    [("bốn sao", 4), ("năm điểm", 5), ("tốt lắm", 5), ("tot lam", 5), ("10 điểm", 5),
     ("từ 1 đến 5 tôi chấm 4", 4), ("bình thường", 3), ("không hài lòng", 2), ("chịu", None)],
)  # fmt: skip
def test_a_rating_in_words(text: str, rating: int | None) -> None:
    assert parse_rating(text) == rating


def test_a_service_by_letter_counter_or_name() -> None:
    two, one = [{"number": 1}, {"number": 2}], [{"number": 3}]
    services = [
        Service.from_dict({"id": "a", "letter": "A", "name": "Hộ tịch – Chứng thực", "counters": two}),
        Service.from_dict({"id": "b", "letter": "B", "name": "Cư trú – Căn cước", "counters": one}),
    ]
    found = {text: getattr(service_from_text(text, services), "id", None) for text in
             ("dịch vụ B", "quầy số hai", "quay so 3", "cư trú", "không biết")}  # fmt: skip
    assert found == {
        "dịch vụ B": "b",
        "quầy số hai": "a",
        "quay so 3": "b",
        "cư trú": "b",
        "không biết": None,
    }


WINDOWS = ["08:00", "08:30", "09:00", "13:00", "14:00", "14:30"]


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("8 giờ 30", "08:30"),
        ("8h30", "08:30"),
        ("8:30 sáng", "08:30"),
        ("cho tôi 8 giờ", "08:00"),  # "tôi" (I), not "tối" (evening)
        ("cho toi 8 gio", "08:00"),
        ("7 giờ tối", None),
        ("tám giờ rưỡi", "08:30"),
        ("tam gio ruoi", "08:30"),
        ("chín giờ mười lăm", "09:00"),  # inside the 9:00 window
        ("hai giờ chiều", "14:00"),
        ("2 giờ", "14:00"),  # nobody is served at two in the night
        ("1 giờ chiều", "13:00"),
        ("giờ nào sớm nhất cũng được", "08:00"),
        ("10 giờ", None),  # no free window then
        ("cảm ơn", None),
    ],
)
def test_a_booking_window_in_words(text: str, window: str | None) -> None:
    assert window_from_text(text, WINDOWS, 30) == window


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("0912345678", "0912345678"),
        ("số tôi là 0912 345 678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("024 3825 1234", "02438251234"),  # a landline, as the backend takes it
        ("0112345678", None),  # no such prefix: the backend would refuse it
        ("không chín một hai ba bốn năm sáu bảy tám", "0912345678"),
        ("khong chin mot hai ba bon nam sau bay tam", "0912345678"),
        ("không chín một hai", None),
        ("1912345678", None),
        ("vâng", None),
    ],
)
def test_a_phone_number_read_digit_by_digit(text: str, phone: str | None) -> None:
    assert phone_from_text(text) == phone
