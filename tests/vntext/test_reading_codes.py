"""The project's own reading (vntext.reading): the spans a general normaliser misreads."""

import re

import pytest

from vntext.reading import read_codes, read_numbers


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("Số A012.", "Số a không một hai."),
        ("Mẫu CT01", "Mẫu xê tê không một"),
        ("mẫu số 04/ĐK", "mẫu số không bốn đê ca"),
        ("Số 0125", "Số không một hai năm"),
        ("quầy 3, Quầy số 12", "quầy ba, Quầy số mười hai"),
        ("Gọi 0912 345 678", "Gọi không chín một hai, ba bốn năm, sáu bảy tám"),
        ("Gọi +84 912 345 678", "Gọi cộng tám bốn, chín một hai, ba bốn năm, sáu bảy tám"),
        ("bốn số cuối là 5678", "bốn số cuối là năm sáu bảy tám"),
        ("Nghị định 123/2015/NĐ-CP", "Nghị định một trăm hai mươi ba năm hai nghìn không trăm mười lăm"),
        ("hẹn trả 28/11/2026", "hẹn trả ngày 28/11/2026"),
        ("hẹn trả ngày 28/11/2026", "hẹn trả ngày 28/11/2026"),
        ("hạn 12/2026, Tháng 1/2027", "hạn tháng 12/2026, Tháng 1/2027"),
        ("trước 28/11", "trước ngày 28/11"),
        ("3-5 ngày, 8h-12h", "3 đến 5 ngày, 8h đến 12h"),
        ("30 m²", "30 mét vuông"),
        ("Mang CCCD, cài VNeID, quét QR", "Mang căn cước công dân, cài vê nờ e ai đi, quét quy a"),
        ("TP. Hà Nội", "thành phố Hà Nội"),
        ("nhắn SMS, quý IV", "nhắn ét em mờ ét, quý IV"),
    ],
)
def test_codes_are_read_by_the_project(text: str, read: str) -> None:
    assert read_codes(text) == read


@pytest.mark.parametrize(
    "text",
    [
        "Lệ phí 0,5% của 1.500.000 đồng",
        "Điểm 7,5",
        "1 ngày",
        "32/13/2026",
        "Số 12345",
        "lúc 25h",
        "01.01.2027",
    ],
)
def test_nothing_that_is_not_a_code_is_changed(text: str) -> None:
    assert read_codes(text) == text


def test_own_reading_leaves_no_digit() -> None:
    text = "Lệ phí 25.000 đ, hẹn trả ngày 28/11/2026 lúc 15h30, giảm 50%, lãi 0,5%, tháng 12/2026, 7 ngày."
    read = read_numbers(read_codes(text))
    assert not re.search(r"\d", read)
    assert read == (
        "Lệ phí hai mươi lăm nghìn đồng, hẹn trả ngày hai mươi tám tháng mười một năm hai nghìn không trăm "
        "hai mươi sáu lúc mười lăm giờ ba mươi, giảm năm mươi phần trăm, lãi không phẩy năm phần trăm, "
        "tháng mười hai năm hai nghìn không trăm hai mươi sáu, bảy ngày."
    )


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("mã AC3F7K", "AC3F7K"),
        ("tôi đã đặt lịch, mã ac3f7k", "AC3F7K"),
        ("ac3-f7k", "AC3F7K"),
        ("mã A C 3 F 7 K", "AC3F7K"),
        ("mã a xê ba ép bảy ca", "AC3F7K"),  # spelled aloud, as the recogniser writes it
        ("tôi đặt lịch rồi", None),
        ("thu tuc THUTUC", None),  # a word of code letters is not a code: codes always hold a digit
        ("mã AB3F7K", None),  # B is never in a code
    ],
)
def test_booking_codes_typed_or_spelled(said: str, code: str | None) -> None:
    from vntext.spoken_codes import booking_code_in

    assert booking_code_in(said) == code
