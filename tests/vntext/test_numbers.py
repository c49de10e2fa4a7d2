"""Spoken Vietnamese numbers, letters and codes (vntext.numbers, vntext.spoken_codes)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vntext.dossier_code import is_dossier_code
from vntext.numbers import (
    SpokenNumberError,
    digits_to_words,
    number_to_words,
    words_to_digits,
    words_to_number,
)
from vntext.spoken_codes import (
    dossier_code_to_words,
    spell_code,
    spoken_to_dossier_code,
    spoken_to_ticket_number,
    ticket_number_to_words,
)

CONTRACT_CODE = "000.00.31.H26-251121-0003"
CONTRACT_SPOKEN = (
    "không không không chấm không không chấm ba mốt chấm hát hai sáu gạch hai năm một một hai một "
    "gạch không không không ba"
)


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1025, "một nghìn không trăm hai mươi lăm"),
        (200_000, "hai trăm nghìn"),
        (1_000_005, "một triệu không trăm linh năm"),
        (2_500_000_000, "hai tỷ năm trăm triệu"),
    ],
)
def test_number_to_words_reads_like_a_speaker(number: int, words: str) -> None:
    assert number_to_words(number) == words
    assert words_to_number(words) == number


@pytest.mark.parametrize(
    ("words", "number"),
    [
        ("hai lăm", 25),
        ("ba mốt", 31),
        ("hai tư", 24),
        ("một trăm lẻ một", 101),
        ("một ngàn không trăm hai mươi lăm", 1025),
        ("mười nhăm", 15),
        ("hai nghìn mốt", 2100),
        ("ba trăm rưỡi", 350),
        ("một triệu rưỡi", 1_500_000),
        ("một trăm hai", 120),
        ("không không ba", 3),
        ("Hai Mươi Lăm", 25),
        ("42", 42),
    ],
)
def test_words_to_number_accepts_everyday_forms(words: str, number: int) -> None:
    assert words_to_number(words) == number


@pytest.mark.parametrize("words", ["", "xin chào", "hai nghìn nghìn", "mười không", "linh"])
def test_words_to_number_rejects_non_numbers(words: str) -> None:
    with pytest.raises(SpokenNumberError):
        words_to_number(words)


@given(st.integers(min_value=0, max_value=10**15))
def test_property_number_words_number(n: int) -> None:
    assert words_to_number(number_to_words(n)) == n


@given(st.text(alphabet="0123456789", min_size=1, max_size=12))
def test_property_digits_read_one_by_one(digits: str) -> None:
    assert words_to_digits(digits_to_words(digits)) == digits


def test_digit_runs_accept_pairs() -> None:
    assert words_to_digits("không không ba") == "003"
    assert words_to_digits("hai lăm mười một hai mốt") == "251121"
    assert words_to_digits("ba mươi mốt") == "31"


def test_contract_dossier_code_read_aloud() -> None:
    assert spoken_to_dossier_code(CONTRACT_SPOKEN) == CONTRACT_CODE


def test_dossier_code_inside_a_sentence_and_typed_forms() -> None:
    assert spoken_to_dossier_code(f"mã hồ sơ của tôi là {CONTRACT_SPOKEN} ạ") == CONTRACT_CODE
    assert spoken_to_dossier_code("000.00.31.h26 - 251121-0003") == CONTRACT_CODE
    # pairs and "gạch ngang", as people also read it
    spoken = (
        "không không không chấm không không chấm ba mươi mốt chấm hát hai mươi sáu gạch ngang "
        "hai lăm mười một hai mốt gạch ngang không không không ba"
    )
    assert spoken_to_dossier_code(spoken) == CONTRACT_CODE


def test_dossier_code_incomplete_is_none() -> None:
    assert spoken_to_dossier_code("không không không chấm không không chấm ba mốt") is None
    assert spoken_to_dossier_code("hồ sơ của tôi xong chưa") is None


@given(
    st.from_regex(r"\A[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}-[0-9]{6}-[0-9]{4}\Z", fullmatch=True),
)
def test_property_dossier_code_spoken_round_trip(code: str) -> None:
    assert is_dossier_code(code)
    assert spoken_to_dossier_code(dossier_code_to_words(code)) == code


@pytest.mark.parametrize(
    ("words", "number"),
    [
        ("a không hai ba", "A023"),
        ("số của tôi là bê mười hai", "B012"),
        ("hát một trăm linh năm", "H105"),
        ("A23", "A023"),
        ("xê không không bảy", "C007"),
    ],
)
def test_ticket_numbers(words: str, number: str) -> None:
    assert spoken_to_ticket_number(words) == number


def test_codes_spelled_letter_by_letter() -> None:
    assert spell_code("CT01") == "xê tê không một"
    assert spell_code("NĐ-CP") == "en nờ đê gạch xê pê"
    assert spell_code("A²") == "a"  # a superscript is not a digit to read


def test_ticket_number_round_trip() -> None:
    assert ticket_number_to_words("A023") == "a không hai ba"
    assert spoken_to_ticket_number(ticket_number_to_words("D120")) == "D120"
    assert spoken_to_ticket_number("tôi muốn lấy số") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mot nghin khong tram hai muoi lam", 1025),
        ("hai lam", 25),
        ("muoi lam", 15),
        ("mot tram linh nam", 105),
    ],
)
def test_numbers_typed_without_diacritics(typed: str, expected: int) -> None:
    assert words_to_number(typed) == expected


def test_codes_typed_without_diacritics() -> None:
    typed = (
        "ma ho so la khong khong khong cham khong khong cham ba muoi mot cham hat hai muoi sau gach "
        "hai lam muoi mot hai mot gach khong khong khong ba"
    )
    assert spoken_to_dossier_code(typed) == CONTRACT_CODE
    assert spoken_to_ticket_number("so cua toi la a khong hai ba") == "A023"
    assert spoken_to_ticket_number("co so chua") is None  # "co" is "có", not the letter C
