"""Telex typing of the on-screen keyboard."""

import pytest

from kiosk.presenters.telex import TextBuffer, apply_tone, place_tone, type_telex


def typed(keys: str) -> str:
    text = ""
    for key in keys:
        text = type_telex(text, key)
    return text


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("tieengs Vieetj", "tiếng Việt"),
        ("Ddawngf kys khai sinh", "Đằng ký khai sinh"),
        ("ddawng kys", "đăng ký"),
        ("hoaf", "hòa"),
        ("toans", "toán"),
        ("tosan", "toán"),  # tone typed early moves to the right vowel
        ("nguyeenx", "nguyễn"),
        ("quoocs", "quốc"),
        ("giuwx", "giữ"),
        ("gif", "gì"),
        ("dduwowngf", "đường"),
        ("thuyr", "thủy"),
        ("chuwngs thuwcj", "chứng thực"),
        ("truwowngf", "trường"),
        ("cawn cuwowcs", "căn cước"),
        ("lys lichj tuw phaps", "lý lịch tư pháp"),
        ("QUOOCS", "QUỐC"),
        ("w", "ư"),
        ("ass", "as"),  # the same tone twice takes it back
        ("aaa", "aa"),
        ("ddd", "dd"),
        ("hoafz", "hoa"),
        ("xz", "xz"),  # z without a tone is a letter
        ("khai sinh", "khai sinh"),  # plain words are left alone
        ("muaf", "mùa"),
        ("mias", "mía"),
    ],
)
def test_telex_words(keys: str, expected: str) -> None:
    assert typed(keys) == expected


def test_z_removes_the_tone() -> None:
    assert typed("toanfz") == "toan"


def test_tone_keys_and_letter_keys_of_the_keyboard() -> None:
    buffer = TextBuffer()
    for key in "nguy":
        buffer.key(key)
    buffer.letter("ê")
    buffer.key("n")
    buffer.tone("nga")
    assert buffer.text == "nguyễn"
    buffer.tone(None)
    assert buffer.text == "nguyên"
    buffer.tone("sac")
    assert buffer.text == "nguyến"


def test_letter_keys_keep_an_earlier_tone_on_the_right_vowel() -> None:
    buffer = TextBuffer(telex=False)
    for key in "t":
        buffer.key(key)
    buffer.letter("ư")
    buffer.tone("huyen")
    buffer.letter("ơ")
    buffer.key("n")
    buffer.key("g")
    assert buffer.text == "tường"


def test_telex_off_types_letters_as_they_are() -> None:
    buffer = TextBuffer(telex=False)
    for key in "aas":
        buffer.key(key)
    assert buffer.text == "aas"


def test_backspace_space_clear_and_max_length() -> None:
    buffer = TextBuffer(max_length=5)
    for key in "abcdefg":
        buffer.key(key)
    assert buffer.text == "abcde"
    buffer.backspace()
    assert buffer.text == "abcd"
    buffer.space()
    buffer.space()
    assert buffer.text == "abcd "
    buffer.clear()
    assert buffer.text == ""


def test_shift_makes_one_capital() -> None:
    buffer = TextBuffer()
    buffer.shift = True
    for key in "hanoi":
        buffer.key(key)
    assert buffer.text == "Hanoi"


def test_only_the_last_word_changes() -> None:
    assert apply_tone("xin chao", "huyen") == "xin chào"
    assert place_tone("qua", "\u0301") == "quá"
    assert place_tone("gia", "\u0300") == "già"
